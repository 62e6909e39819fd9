//! Tasks dressed for a card or a list row: their labels, assignees and checklist progress, read
//! for a whole page of tasks in a few queries rather than a few per task.

use crate::convert::{to_label, to_task};
use crate::entities::{label, subtask, task, task_assignee, task_label};
use crate::error::StoreError;
use crate::people::{emails_of, CHUNK};
use domain::{Label, Person, Progress, Task};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The tasks, in the same order, with what their cards show.
pub(crate) async fn dress<C: ConnectionTrait>(
    conn: &C,
    models: Vec<task::Model>,
) -> Result<Vec<Task>, StoreError> {
    let mut tasks = models
        .into_iter()
        .map(to_task)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i32> = tasks.iter().map(|t| t.id).collect();
    let mut labels: HashMap<i32, Vec<Label>> = HashMap::new();
    let mut assignees: HashMap<i32, Vec<Person>> = HashMap::new();
    let mut totals: HashMap<i32, i64> = HashMap::new();
    let mut done: HashMap<i32, i64> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let chunk = || chunk.iter().copied();
        let rows = task_label::Entity::find()
            .filter(task_label::Column::TaskId.is_in(chunk()))
            .all(conn)
            .await?;
        let found: HashMap<i32, Label> = label::Entity::find()
            .filter(label::Column::Id.is_in(rows.iter().map(|r| r.label_id)))
            .order_by_asc(label::Column::Name)
            .all(conn)
            .await?
            .into_iter()
            .map(|model| (model.id, to_label(model)))
            .collect();
        for row in rows {
            if let Some(label) = found.get(&row.label_id) {
                labels.entry(row.task_id).or_default().push(label.clone());
            }
        }
        let rows = task_assignee::Entity::find()
            .filter(task_assignee::Column::TaskId.is_in(chunk()))
            .all(conn)
            .await?;
        let emails = emails_of(conn, rows.iter().map(|r| r.user_id)).await?;
        for row in rows {
            if let Some(email) = emails.get(&row.user_id) {
                assignees.entry(row.task_id).or_default().push(Person {
                    user_id: row.user_id,
                    email: email.clone(),
                });
            }
        }
        let counted = |select: sea_orm::Select<subtask::Entity>| {
            select
                .select_only()
                .column(subtask::Column::TaskId)
                .column_as(subtask::Column::Id.count(), "n")
                .filter(subtask::Column::TaskId.is_in(chunk()))
                .group_by(subtask::Column::TaskId)
                .into_tuple::<(i32, i64)>()
        };
        totals.extend(counted(subtask::Entity::find()).all(conn).await?);
        done.extend(
            counted(subtask::Entity::find().filter(subtask::Column::Done.eq(true)))
                .all(conn)
                .await?,
        );
    }
    let count = |n: Option<&i64>| n.map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX));
    for task in &mut tasks {
        let mut own = labels.remove(&task.id).unwrap_or_default();
        own.sort_by(|a, b| a.name.cmp(&b.name));
        task.labels = own;
        let mut people = assignees.remove(&task.id).unwrap_or_default();
        people.sort_by(|a, b| a.email.cmp(&b.email));
        task.assignees = people;
        task.progress = Progress {
            done: count(done.get(&task.id)),
            total: count(totals.get(&task.id)),
        };
    }
    Ok(tasks)
}
