//! Tasks, reached only through a project the user is a member of: any member reads them, editors
//! and owners change them.

use crate::entities::task;
use crate::projects;
use crate::{Db, StoreError, UserId};
use domain::{Description, DueDate, Priority, Project, Role, Status, Task, TaskTitle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Space left between neighbours in a column, so a card can later be placed between two others
/// without renumbering the column.
const POSITION_GAP: i64 = 1024;

fn to_task(model: task::Model) -> Result<Task, StoreError> {
    // A value outside the enums can only come from outside Taskdeck; say so rather than guess.
    let corrupt = |what: &str, value: &str| {
        StoreError::Database(sea_orm::DbErr::Type(format!(
            "task {} has unknown {what} {value:?}",
            model.id
        )))
    };
    let status = Status::parse(&model.status).map_err(|_| corrupt("status", &model.status))?;
    let priority =
        Priority::parse(&model.priority).map_err(|_| corrupt("priority", &model.priority))?;
    Ok(Task {
        id: model.id,
        project_id: model.project_id,
        title: model.title,
        description: model.description,
        status,
        priority,
        due_date: model.due_date,
        position: model.position,
    })
}

/// A validated edit of every field the task form shows.
#[derive(Clone, Debug)]
pub struct TaskChanges {
    pub title: TaskTitle,
    pub description: Description,
    pub status: Status,
    pub priority: Priority,
    pub due_date: DueDate,
}

fn to_tasks(models: Vec<task::Model>) -> Result<Vec<Task>, StoreError> {
    models.into_iter().map(to_task).collect()
}

/// A project with all its tasks, ordered by column position.
pub async fn board(
    db: &Db,
    owner: UserId,
    project_id: i32,
) -> Result<Option<(Project, Vec<Task>)>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = projects::access(&*conn, owner, project_id).await? else {
        return Ok(None);
    };
    let tasks = project
        .find_related(task::Entity)
        .order_by_asc(task::Column::Position)
        .order_by_asc(task::Column::Id)
        .all(&*conn)
        .await?;
    Ok(Some((
        projects::to_project(project, role),
        to_tasks(tasks)?,
    )))
}

/// The position after the last card of a column.
async fn next_position(
    conn: &DatabaseConnection,
    project_id: i32,
    status: Status,
) -> Result<i64, StoreError> {
    let last: Option<i64> = task::Entity::find()
        .select_only()
        .column_as(task::Column::Position.max(), "max")
        .filter(task::Column::ProjectId.eq(project_id))
        .filter(task::Column::Status.eq(status.as_str()))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(last.map_or(0, |p| p + POSITION_GAP))
}

/// Adds a task at the bottom of "To do". `None` when the project is not the owner's.
pub async fn create(
    db: &Db,
    owner: UserId,
    project_id: i32,
    title: TaskTitle,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    if projects::access_as(&*conn, owner, project_id, Role::Editor)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    let status = Status::Todo;
    let model = task::ActiveModel {
        project_id: Set(project_id),
        title: Set(title.into_inner()),
        description: Set(String::new()),
        status: Set(status.as_str().to_owned()),
        priority: Set(Priority::default().as_str().to_owned()),
        due_date: Set(None),
        position: Set(next_position(&conn, project_id, status).await?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*conn)
    .await?;
    metrics::counter!("taskdeck_tasks_created_total").increment(1);
    Ok(Some(to_task(model)?))
}

/// The task, when the user is a member of its project with at least the `needed` role;
/// `Forbidden` when they are a member with a lesser one.
async fn find_as(
    conn: &DatabaseConnection,
    user: UserId,
    task_id: i32,
    needed: Role,
) -> Result<Option<task::Model>, StoreError> {
    let Some(task) = task::Entity::find_by_id(task_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(projects::access_as(conn, user, task.project_id, needed)
        .await?
        .map(|_| task))
}

pub async fn get(db: &Db, owner: UserId, task_id: i32) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    find_as(&conn, owner, task_id, Role::Viewer)
        .await?
        .map(to_task)
        .transpose()
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
    owner: UserId,
    task_id: i32,
    changes: TaskChanges,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_as(&conn, owner, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let moved = model.status != changes.status.as_str();
    let project_id = model.project_id;
    let mut active = model.into_active_model();
    if moved {
        active.position = Set(next_position(&conn, project_id, changes.status).await?);
    }
    active.title = Set(changes.title.into_inner());
    active.description = Set(changes.description.into_inner());
    active.status = Set(changes.status.as_str().to_owned());
    active.priority = Set(changes.priority.as_str().to_owned());
    active.due_date = Set(changes.due_date.0);
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(&*conn).await?)?;
    if moved {
        count_if_completed(saved.status);
    }
    Ok(Some(saved))
}

/// Moves a card to the bottom of another column.
pub async fn move_to(
    db: &Db,
    owner: UserId,
    task_id: i32,
    status: Status,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_as(&conn, owner, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    if model.status == status.as_str() {
        return Ok(Some(to_task(model)?));
    }
    let position = next_position(&conn, model.project_id, status).await?;
    let mut active = model.into_active_model();
    active.status = Set(status.as_str().to_owned());
    active.position = Set(position);
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(&*conn).await?)?;
    count_if_completed(saved.status);
    Ok(Some(saved))
}

/// Deletes a task; answers the project it belonged to, or `None` when it was not the owner's.
pub async fn delete(db: &Db, owner: UserId, task_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_as(&conn, owner, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    model.delete(&*conn).await?;
    Ok(Some(project_id))
}
