//! A task's history: one line per change, written in the same transaction as the change.

use crate::entities::{task_activity, user};
use crate::{StoreError, UserId};
use domain::Activity;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

/// Lines a task page shows, newest first.
const SHOWN: u64 = 200;

/// Notes that `actor` did `summary` to the task ("moved it from To do to Done").
pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    task_id: i32,
    actor: UserId,
    summary: impl Into<String>,
) -> Result<(), StoreError> {
    let summary: String = summary.into();
    // The column holds 500 characters; a long title quoted in a summary is cut, not refused.
    let summary: String = summary.chars().take(500).collect();
    task_activity::ActiveModel {
        task_id: Set(task_id),
        actor_id: Set(Some(actor)),
        summary: Set(summary),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The task's history, newest first.
pub(crate) async fn history<C: ConnectionTrait>(
    conn: &C,
    task_id: i32,
) -> Result<Vec<Activity>, StoreError> {
    let rows = task_activity::Entity::find()
        .filter(task_activity::Column::TaskId.eq(task_id))
        .order_by_desc(task_activity::Column::CreatedAt)
        .order_by_desc(task_activity::Column::Id)
        .limit(SHOWN)
        .all(conn)
        .await?;
    let emails = emails_of(conn, rows.iter().filter_map(|row| row.actor_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| Activity {
            actor: row.actor_id.and_then(|id| emails.get(&id).cloned()),
            summary: row.summary,
            at: row.created_at,
        })
        .collect())
}

/// The email addresses of these users, by id.
pub(crate) async fn emails_of<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = UserId>,
) -> Result<HashMap<UserId, String>, StoreError> {
    let mut ids: Vec<UserId> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut emails = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::cards::CHUNK) {
        let rows: Vec<(i32, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Email)
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        emails.extend(rows);
    }
    Ok(emails)
}
