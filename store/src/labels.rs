//! A project's labels, and which of its tasks wear them. Any member sees them; editors and owners
//! make, change and apply them. Every change goes through [`ProjectChange`], so boards update live.

use crate::activity::record;
use crate::cards::to_label;
use crate::changes::ProjectChange;
use crate::entities::{label, task_label};
use crate::error::taken_or;
use crate::projects::access;
use crate::tasks::change_task;
use crate::{Db, StoreError, UserId};
use domain::{Label, LabelColour, LabelName, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, ModelTrait, QueryFilter, QueryOrder, Set,
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

/// Starts a change to the project when the user may edit it.
async fn change_project(
    conn: &DatabaseConnection,
    user: UserId,
    project_id: i32,
) -> Result<Option<ProjectChange>, StoreError> {
    let Some(change) = ProjectChange::begin(conn, project_id).await? else {
        return Ok(None);
    };
    if crate::projects::access_as(change.txn(), user, project_id, Role::Editor)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(change))
}

/// Starts a change to the label's project when the user may edit it, with the label as it is.
async fn change_label(
    conn: &DatabaseConnection,
    user: UserId,
    label_id: i32,
) -> Result<Option<(ProjectChange, label::Model)>, StoreError> {
    let Some(found) = label::Entity::find_by_id(label_id).one(conn).await? else {
        return Ok(None);
    };
    let Some(change) = change_project(conn, user, found.project_id).await? else {
        return Ok(None);
    };
    // Read again under the project's lock: it may have been deleted meanwhile.
    let Some(found) = label::Entity::find_by_id(label_id)
        .one(change.txn())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((change, found)))
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
    let Some(change) = change_project(&conn, user, project_id).await? else {
        return Ok(None);
    };
    let model = label::ActiveModel {
        project_id: Set(project_id),
        name: Set(name.into_inner()),
        colour: Set(colour.as_str().to_owned()),
        ..Default::default()
    }
    .insert(change.txn())
    .await
    .map_err(|err| taken_or(err, StoreError::LabelTaken))?;
    change.commit(db).await?;
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
    let Some((change, model)) = change_label(&conn, user, label_id).await? else {
        return Ok(None);
    };
    let mut active = model.into_active_model();
    active.name = Set(name.into_inner());
    active.colour = Set(colour.as_str().to_owned());
    let saved = active
        .update(change.txn())
        .await
        .map_err(|err| taken_or(err, StoreError::LabelTaken))?;
    change.commit(db).await?;
    Ok(Some(to_label(saved)))
}

/// Deletes a label and takes it off every task; answers its project.
pub async fn delete(db: &Db, user: UserId, label_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, model)) = change_label(&conn, user, label_id).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    model.delete(change.txn()).await?;
    change.commit(db).await?;
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
    let Some((change, task)) = change_task(&conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let txn = change.txn();
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
        record(
            txn,
            task_id,
            user,
            format!("added the label “{}”", found.name),
        )
        .await?;
    } else {
        task_label::Entity::delete_by_id((task_id, label_id))
            .exec(txn)
            .await?;
        record(
            txn,
            task_id,
            user,
            format!("removed the label “{}”", found.name),
        )
        .await?;
    }
    change.commit(db).await?;
    Ok(Some(task_id))
}
