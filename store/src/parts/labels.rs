//! A project's labels, and which of its tasks wear them. Any member sees them; editors and owners
//! make, change and apply them. Every change is a [`ProjectWrite`], so boards update live.

use crate::access::{access, ProjectWrite};
use crate::convert::to_label;
use crate::db::Db;
use crate::entities::{label, task_label};
use crate::error::{taken_or, StoreError};
use crate::parts::activity::record;
use crate::users::UserId;
use domain::{ActivityEvent, Label, LabelColour, LabelName, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, Set,
};

/// The project's labels by name. `None` when the user is not a member.
pub async fn list(
    db: &Db,
    user: UserId,
    project_id: i32,
) -> Result<Option<Vec<Label>>, StoreError> {
    let conn = db.lease().await?;
    if access(&*conn, user, project_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(of_project(&*conn, project_id).await?))
}

pub(crate) async fn of_project<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
) -> Result<Vec<Label>, StoreError> {
    Ok(label::Entity::find()
        .filter(label::Column::ProjectId.eq(project_id))
        .order_by_asc(label::Column::Name)
        .order_by_asc(label::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_label)
        .collect())
}

/// Adds a label; a name the project already has is `LabelTaken`.
pub async fn create(
    db: &Db,
    user: UserId,
    project_id: i32,
    name: LabelName,
    colour: LabelColour,
) -> Result<Option<Label>, StoreError> {
    let conn = db.lease().await?;
    let Some(write) = ProjectWrite::begin(&conn, user, project_id, Role::Editor).await? else {
        return Ok(None);
    };
    let model = label::ActiveModel {
        project_id: Set(project_id),
        name: Set(name.into_inner()),
        colour: Set(colour.as_str().to_owned()),
        ..Default::default()
    }
    .insert(write.txn())
    .await
    .map_err(|err| taken_or(err, StoreError::LabelTaken))?;
    write.commit(db).await?;
    Ok(Some(to_label(model)))
}

/// Renames or recolours a label; every task wearing it shows the change.
pub async fn update(
    db: &Db,
    user: UserId,
    label_id: i32,
    name: LabelName,
    colour: LabelColour,
) -> Result<Option<Label>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, model)) = ProjectWrite::label(&conn, user, label_id).await? else {
        return Ok(None);
    };
    let mut active = model.into_active_model();
    active.name = Set(name.into_inner());
    active.colour = Set(colour.as_str().to_owned());
    let saved = active
        .update(write.txn())
        .await
        .map_err(|err| taken_or(err, StoreError::LabelTaken))?;
    write.commit(db).await?;
    Ok(Some(to_label(saved)))
}

/// Deletes a label and takes it off every task; answers its project.
pub async fn delete(db: &Db, user: UserId, label_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, model)) = ProjectWrite::label(&conn, user, label_id).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    model.delete(write.txn()).await?;
    write.commit(db).await?;
    Ok(Some(project_id))
}

/// Puts the label on the task (`applied`) or takes it off. The label must be the task's
/// project's. Answers the task's id; doing what is already done changes nothing.
pub async fn apply(
    db: &Db,
    user: UserId,
    task_id: i32,
    label_id: i32,
    applied: bool,
) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, task)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let Some(found) = label::Entity::find_by_id(label_id)
        .filter(label::Column::ProjectId.eq(task.project_id))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let wearing = task_label::Entity::find_by_id((task_id, label_id))
        .one(txn)
        .await?
        .is_some();
    if wearing == applied {
        return Ok(Some(task_id));
    }
    if applied {
        task_label::ActiveModel {
            task_id: Set(task_id),
            label_id: Set(label_id),
        }
        .insert(txn)
        .await?;
        let event = ActivityEvent::LabelAdded {
            label_id: Some(found.id),
            name: found.name,
        };
        record(txn, task_id, user, event).await?;
    } else {
        task_label::Entity::delete_by_id((task_id, label_id))
            .exec(txn)
            .await?;
        let event = ActivityEvent::LabelRemoved {
            label_id: Some(found.id),
            name: found.name,
        };
        record(txn, task_id, user, event).await?;
    }
    write.commit(db).await?;
    Ok(Some(task_id))
}
