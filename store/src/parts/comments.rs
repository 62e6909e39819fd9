//! Comments on a task. Members read them; editors and owners write them. A comment can be
//! deleted by its author, or by an owner of the project (moderation).

use crate::access::{access_as, ProjectWrite};
use crate::db::Db;
use crate::entities::comment;
use crate::error::StoreError;
use crate::parts::activity::record;
use crate::people::emails_of;
use crate::users::UserId;
use domain::{ActivityEvent, Comment, CommentBody, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Set,
};

/// The task's comments, oldest first. `html` is left empty for the web layer to render.
pub(crate) async fn of_task<C: ConnectionTrait>(
    conn: &C,
    task_id: i32,
) -> Result<Vec<Comment>, StoreError> {
    let rows = comment::Entity::find()
        .filter(comment::Column::TaskId.eq(task_id))
        .order_by_asc(comment::Column::CreatedAt)
        .order_by_asc(comment::Column::Id)
        .all(conn)
        .await?;
    let emails = emails_of(conn, rows.iter().filter_map(|row| row.author_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| Comment {
            id: row.id,
            author: row.author_id.and_then(|id| emails.get(&id).cloned()),
            author_id: row.author_id,
            body: row.body,
            html: String::new(),
            created_at: row.created_at,
        })
        .collect())
}

/// Adds a comment; answers its id.
pub async fn add(
    db: &Db,
    user: UserId,
    task_id: i32,
    body: CommentBody,
) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, _)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let model = comment::ActiveModel {
        task_id: Set(task_id),
        author_id: Set(Some(user)),
        body: Set(body.into_inner()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let event = ActivityEvent::Commented {
        comment_id: Some(model.id),
    };
    record(txn, task_id, user, event).await?;
    write.commit(db).await?;
    Ok(Some(model.id))
}

/// Deletes a comment: the author's own, or any as an owner of the project. An editor asking to
/// delete someone else's comment is `Forbidden`. Answers the task's id.
pub async fn delete(db: &Db, user: UserId, comment_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, task, found)) = ProjectWrite::comment(&conn, user, comment_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let task_id = task.id;
    // Someone else's comment: only an owner may remove it (`Forbidden` for an editor).
    if found.author_id != Some(user)
        && access_as(txn, user, task.project_id, Role::Owner)
            .await?
            .is_none()
    {
        return Ok(None);
    }
    let event = ActivityEvent::CommentDeleted {
        comment_id: Some(found.id),
    };
    found.delete(txn).await?;
    record(txn, task_id, user, event).await?;
    write.commit(db).await?;
    Ok(Some(task_id))
}
