//! A task's history: one event per change, written in the same transaction as the change.

use crate::convert::{event_row, to_event};
use crate::entities::task_activity;
use crate::error::StoreError;
use crate::people::emails_of;
use crate::users::UserId;
use domain::{Activity, ActivityEvent};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Lines a task page shows, newest first.
const SHOWN: u64 = 200;

/// Notes that `actor` did `event` to the task, in the caller's transaction.
pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    task_id: i32,
    actor: UserId,
    event: ActivityEvent,
) -> Result<(), StoreError> {
    let row = event_row(&event);
    task_activity::ActiveModel {
        task_id: Set(task_id),
        actor_id: Set(Some(actor)),
        kind: Set(row.kind.to_owned()),
        subject_id: Set(row.subject_id),
        old_value: Set(row.old_value),
        new_value: Set(row.new_value),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The task's history, newest first, with everyone in it by their current email.
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
    let events: Vec<ActivityEvent> = rows.iter().map(to_event).collect();
    let people = rows
        .iter()
        .filter_map(|row| row.actor_id)
        .chain(events.iter().filter_map(ActivityEvent::person));
    let emails = emails_of(conn, people).await?;
    Ok(rows
        .into_iter()
        .zip(events)
        .map(|(row, event)| Activity {
            actor: row.actor_id.and_then(|id| emails.get(&id).cloned()),
            person: event.person().and_then(|id| emails.get(&id).cloned()),
            event,
            at: row.created_at,
        })
        .collect())
}
