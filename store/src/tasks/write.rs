//! Creating, editing, moving and deleting tasks, each a [`ProjectWrite`] with a line of history
//! per change.

use crate::access::ProjectWrite;
use crate::convert::to_task;
use crate::db::Db;
use crate::entities::task;
use crate::error::StoreError;
use crate::parts::activity::record;
use crate::tasks::placement::position_for;
use crate::users::UserId;
use domain::{
    ActivityEvent, Description, DueDate, Placement, Priority, Role, Status, Task, TaskTitle,
};
use sea_orm::{ActiveModelTrait, IntoActiveModel, ModelTrait, Set};

/// A validated edit of every field the task form shows.
#[derive(Clone, Debug)]
pub struct TaskEdit {
    pub title: TaskTitle,
    pub description: Description,
    pub status: Status,
    pub priority: Priority,
    pub due_date: DueDate,
}

/// Adds a task at the bottom of "To do". `None` when the project is not the user's.
pub async fn create(
    db: &Db,
    user: UserId,
    project_id: i32,
    title: TaskTitle,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    // Checked before the lock is taken: a stranger's id must not stall the project's writers.
    let Some(write) = ProjectWrite::begin(&conn, user, project_id, Role::Editor).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let now = chrono::Utc::now();
    let status = Status::Todo;
    let model = task::ActiveModel {
        project_id: Set(project_id),
        title: Set(title.into_inner()),
        description: Set(String::new()),
        status: Set(status.as_str().to_owned()),
        priority: Set(Priority::default().as_str().to_owned()),
        due_date: Set(None),
        position: Set(position_for(txn, project_id, None, Placement::bottom_of(status)).await?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(txn, model.id, user, ActivityEvent::Created).await?;
    write.commit(db).await?;
    metrics::counter!("taskdeck_tasks_created_total").increment(1);
    Ok(Some(to_task(model)?))
}

/// Counts a task that has just entered Done (callers check that its status changed).
fn count_if_completed(status: Status) {
    if status == Status::Done {
        metrics::counter!("taskdeck_tasks_completed_total").increment(1);
    }
}

/// Saves every field of the form; a change of status moves the card to the bottom of its new column.
pub async fn update(
    db: &Db,
    user: UserId,
    task_id: i32,
    edit: TaskEdit,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, model)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let moved = model.status != edit.status.as_str();
    let project_id = model.project_id;
    for event in edits(&to_task(model.clone())?, &edit) {
        record(txn, task_id, user, event).await?;
    }
    let mut active = model.into_active_model();
    if moved {
        let bottom = Placement::bottom_of(edit.status);
        active.position = Set(position_for(txn, project_id, Some(task_id), bottom).await?);
    }
    active.title = Set(edit.title.into_inner());
    active.description = Set(edit.description.into_inner());
    active.status = Set(edit.status.as_str().to_owned());
    active.priority = Set(edit.priority.as_str().to_owned());
    active.due_date = Set(edit.due_date.date());
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(txn).await?)?;
    write.commit(db).await?;
    if moved {
        count_if_completed(saved.status);
    }
    Ok(Some(saved))
}

/// What an edit changed, as events of the task's history.
fn edits(before: &Task, after: &TaskEdit) -> Vec<ActivityEvent> {
    let mut events = Vec::new();
    if before.title != after.title.as_str() {
        events.push(ActivityEvent::Renamed {
            title: after.title.as_str().to_owned(),
        });
    }
    if before.description != after.description.as_str() {
        events.push(ActivityEvent::DescriptionEdited);
    }
    if before.status != after.status {
        events.push(ActivityEvent::Moved {
            from: before.status,
            to: after.status,
        });
    }
    if before.priority != after.priority {
        events.push(ActivityEvent::PriorityChanged {
            from: before.priority,
            to: after.priority,
        });
    }
    if before.due_date != after.due_date.date() {
        events.push(match after.due_date.date() {
            Some(date) => ActivityEvent::DueDateSet { date },
            None => ActivityEvent::DueDateRemoved,
        });
    }
    events
}

/// Moves a card where `placement` says: another column, or another place in its own.
pub async fn move_to(
    db: &Db,
    user: UserId,
    task_id: i32,
    placement: Placement,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, model)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let from = to_task(model.clone())?.status;
    let entered = from != placement.status;
    if entered {
        let event = ActivityEvent::Moved {
            from,
            to: placement.status,
        };
        record(txn, task_id, user, event).await?;
    }
    let position = position_for(txn, model.project_id, Some(task_id), placement).await?;
    let mut active = model.into_active_model();
    active.status = Set(placement.status.as_str().to_owned());
    active.position = Set(position);
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(txn).await?)?;
    write.commit(db).await?;
    if entered {
        count_if_completed(saved.status);
    }
    Ok(Some(saved))
}

/// Deletes a task; answers the project it belonged to, or `None` when it was not the user's.
pub async fn delete(db: &Db, user: UserId, task_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, model)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    model.delete(write.txn()).await?;
    write.commit(db).await?;
    Ok(Some(project_id))
}
