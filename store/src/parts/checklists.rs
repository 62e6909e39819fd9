//! A task's checklist of subtasks. Members read it; editors and owners add, check and remove.

use crate::access::ProjectWrite;
use crate::convert::to_subtask;
use crate::db::Db;
use crate::entities::{subtask, task};
use crate::error::StoreError;
use crate::parts::activity::record;
use crate::users::UserId;
use domain::{ActivityEvent, Subtask, SubtaskTitle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, Set,
};

/// The most subtasks one task can have: a checklist, not a project.
pub const MAX_SUBTASKS: u64 = 100;

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
    let Some((write, _)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
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
    let event = ActivityEvent::SubtaskAdded {
        subtask_id: Some(model.id),
        title: model.title.clone(),
    };
    record(txn, task_id, user, event).await?;
    write.commit(db).await?;
    Ok(Some(Added::Added(to_subtask(model))))
}

/// Checks or unchecks a subtask; answers its task's id.
pub async fn set_done(
    db: &Db,
    user: UserId,
    subtask_id: i32,
    done: bool,
) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, found)) = ProjectWrite::subtask(&conn, user, subtask_id).await? else {
        return Ok(None);
    };
    let task_id = found.task_id;
    if found.done == done {
        return Ok(Some(task_id));
    }
    let txn = write.txn();
    let (subtask_id, title) = (Some(found.id), found.title.clone());
    let event = if done {
        ActivityEvent::SubtaskChecked { subtask_id, title }
    } else {
        ActivityEvent::SubtaskUnchecked { subtask_id, title }
    };
    record(txn, task_id, user, event).await?;
    let mut active = found.into_active_model();
    active.done = Set(done);
    active.update(txn).await?;
    touch(txn, task_id).await?;
    write.commit(db).await?;
    Ok(Some(task_id))
}

/// Removes a subtask; answers its task's id.
pub async fn delete(db: &Db, user: UserId, subtask_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, found)) = ProjectWrite::subtask(&conn, user, subtask_id).await? else {
        return Ok(None);
    };
    let task_id = found.task_id;
    let txn = write.txn();
    let event = ActivityEvent::SubtaskRemoved {
        subtask_id: Some(found.id),
        title: found.title.clone(),
    };
    record(txn, task_id, user, event).await?;
    found.delete(txn).await?;
    touch(txn, task_id).await?;
    write.commit(db).await?;
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
