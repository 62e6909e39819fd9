//! A task's checklist of subtasks. Members read it; editors and owners add, check and remove.

use crate::activity::record;
use crate::changes::ProjectChange;
use crate::entities::{subtask, task};
use crate::tasks::change_task;
use crate::{Db, StoreError, UserId};
use domain::{Role, Subtask, SubtaskTitle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, ModelTrait, QueryFilter, QueryOrder, Set,
};

/// The most subtasks one task can have: a checklist, not a project.
pub const MAX_SUBTASKS: u64 = 100;

fn to_subtask(model: subtask::Model) -> Subtask {
    Subtask {
        id: model.id,
        title: model.title,
        done: model.done,
    }
}

/// The task's checklist in the order it was written.
pub(crate) async fn of_task<C: ConnectionTrait>(
    conn: &C,
    task_id: i32,
) -> Result<Vec<Subtask>, StoreError> {
    Ok(subtask::Entity::find()
        .filter(subtask::Column::TaskId.eq(task_id))
        .order_by_asc(subtask::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_subtask)
        .collect())
}

/// What came of adding a subtask.
#[derive(Debug)]
pub enum Added {
    Added(Subtask),
    /// The checklist already has [`MAX_SUBTASKS`].
    Full,
}

/// Adds a subtask at the end of the task's checklist.
pub async fn add(
    db: &Db,
    user: UserId,
    task_id: i32,
    title: SubtaskTitle,
) -> Result<Option<Added>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, _)) = change_task(&conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let txn = change.txn();
    let count = sea_orm::PaginatorTrait::count(
        subtask::Entity::find().filter(subtask::Column::TaskId.eq(task_id)),
        txn,
    )
    .await?;
    if count >= MAX_SUBTASKS {
        return Ok(Some(Added::Full));
    }
    let model = subtask::ActiveModel {
        task_id: Set(task_id),
        title: Set(title.into_inner()),
        done: Set(false),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(
        txn,
        task_id,
        user,
        format!("added the subtask “{}”", model.title),
    )
    .await?;
    change.commit(db).await?;
    Ok(Some(Added::Added(to_subtask(model))))
}

/// Starts a change to the subtask's task when the user may edit it.
async fn change_subtask(
    conn: &DatabaseConnection,
    user: UserId,
    subtask_id: i32,
) -> Result<Option<(ProjectChange, subtask::Model)>, StoreError> {
    let Some(task_id) = subtask::Entity::find_by_id(subtask_id)
        .one(conn)
        .await?
        .map(|s| s.task_id)
    else {
        return Ok(None);
    };
    let Some((change, _)) = change_task(conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let Some(found) = subtask::Entity::find_by_id(subtask_id)
        .one(change.txn())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((change, found)))
}

/// Checks or unchecks a subtask; answers its task's id.
pub async fn set_done(
    db: &Db,
    user: UserId,
    subtask_id: i32,
    done: bool,
) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, found)) = change_subtask(&conn, user, subtask_id).await? else {
        return Ok(None);
    };
    let task_id = found.task_id;
    if found.done == done {
        return Ok(Some(task_id));
    }
    let txn = change.txn();
    let verb = if done { "checked" } else { "unchecked" };
    record(txn, task_id, user, format!("{verb} “{}”", found.title)).await?;
    let mut active = found.into_active_model();
    active.done = Set(done);
    active.update(txn).await?;
    touch(txn, task_id).await?;
    change.commit(db).await?;
    Ok(Some(task_id))
}

/// Removes a subtask; answers its task's id.
pub async fn delete(db: &Db, user: UserId, subtask_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, found)) = change_subtask(&conn, user, subtask_id).await? else {
        return Ok(None);
    };
    let task_id = found.task_id;
    let txn = change.txn();
    record(
        txn,
        task_id,
        user,
        format!("removed the subtask “{}”", found.title),
    )
    .await?;
    found.delete(txn).await?;
    touch(txn, task_id).await?;
    change.commit(db).await?;
    Ok(Some(task_id))
}

/// Marks the task as updated now.
async fn touch<C: ConnectionTrait>(conn: &C, task_id: i32) -> Result<(), StoreError> {
    task::Entity::update_many()
        .col_expr(
            task::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(task::Column::Id.eq(task_id))
        .exec(conn)
        .await?;
    Ok(())
}
