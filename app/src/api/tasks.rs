use crate::error::AppError;
use domain::{Board, ColumnLimits, Task};
use leptos::prelude::*;

/// The board with as many cards per column as `limits` asks for.
#[server(endpoint = "get_board")]
pub async fn get_board(
    project_id: i32,
    #[server(default)] limits: ColumnLimits,
) -> Result<Board, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::tasks::board(&db()?, user.id, project_id, limits)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "create_task")]
pub async fn create_task(project_id: i32, title: String) -> Result<Task, AppError> {
    use crate::server::{answer, db, require_user};
    use domain::TaskTitle;
    answer(
        async move {
            let user = require_user().await?;
            let parsed = TaskTitle::parse(&title)
                .map_err(|e| AppError::from(e).with_values([(TaskTitle::FIELD, title.as_str())]))?;
            store::tasks::create(&db()?, user.id, project_id, parsed)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "get_task")]
pub async fn get_task(id: i32) -> Result<Task, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::tasks::get(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Moves a card; `to` is a [`domain::Placement`] (`done`, or `in_progress:42` for "just above
/// card 42").
#[server(endpoint = "move_task")]
pub async fn move_task(id: i32, to: String) -> Result<Task, AppError> {
    use crate::server::{answer, db, require_user};
    use domain::Placement;
    answer(
        async move {
            let user = require_user().await?;
            let placement = Placement::parse(&to)?;
            store::tasks::move_to(&db()?, user.id, id, placement)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "update_task")]
pub async fn update_task(
    id: i32,
    title: String,
    description: String,
    status: String,
    priority: String,
    due_date: String,
) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::{Description, DueDate, Invalid, Priority, Status, TaskTitle};
    use store::TaskEdit;
    answer(
        async move {
            let user = require_user().await?;
            let mut invalid = Invalid::default();
            let changes = (
                invalid.check(TaskTitle::parse(&title)),
                invalid.check(Description::parse(&description)),
                invalid.check(Status::parse(&status)),
                invalid.check(Priority::parse(&priority)),
                invalid.check(DueDate::parse(&due_date)),
            );
            let (
                Some(title_ok),
                Some(description_ok),
                Some(status),
                Some(priority),
                Some(due_date_ok),
            ) = changes
            else {
                return Err(AppError::from(invalid).with_values([
                    (TaskTitle::FIELD, title.as_str()),
                    (Description::FIELD, description.as_str()),
                    (Status::FIELD, status.as_str()),
                    (Priority::FIELD, priority.as_str()),
                    (DueDate::FIELD, due_date.as_str()),
                ]));
            };
            let edit = TaskEdit {
                title: title_ok,
                description: description_ok,
                status,
                priority,
                due_date: due_date_ok,
            };
            let task = store::tasks::update(&db()?, user.id, id, edit)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{}", task.project_id));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_task")]
pub async fn delete_task(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let project_id = store::tasks::delete(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project_id}"));
            Ok(())
        }
        .await,
    )
}

/// One page of the list view: the tasks that pass the filter, in its order, and the labels
/// and members its controls offer.
#[server(endpoint = "list_tasks")]
pub async fn list_tasks(
    project_id: i32,
    #[server(default)] filter: domain::TaskFilter,
) -> Result<domain::TaskList, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let today = chrono::Utc::now().date_naive();
            store::tasks::list(&db()?, user.id, project_id, &filter, today)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Everything the task's page shows, comments rendered from Markdown to safe HTML.
#[server(endpoint = "task_details")]
pub async fn task_details(id: i32) -> Result<domain::TaskDetails, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let mut details = store::details::get(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            for comment in &mut details.comments {
                comment.html = crate::markdown::render(&comment.body);
            }
            Ok(details)
        }
        .await,
    )
}

/// Assigns the task to a member of its project (`assigned`), or takes them off it.
#[server(endpoint = "set_assignee")]
pub async fn set_assignee(id: i32, user_id: i32, assigned: bool) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::assignees::set(&db()?, user.id, id, user_id, assigned)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}

/// Open tasks across the reader's projects: overdue, due soon, assigned to them.
#[server(endpoint = "my_tasks")]
pub async fn my_tasks() -> Result<domain::MyTasks, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let today = chrono::Utc::now().date_naive();
            Ok(store::tasks::mine(&db()?, user.id, today).await?)
        }
        .await,
    )
}
