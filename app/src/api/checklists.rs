//! A task's checklist.

use crate::error::AppError;
use domain::Subtask;
use leptos::prelude::*;

#[server(endpoint = "add_subtask")]
pub async fn add_subtask(task_id: i32, title: String) -> Result<Subtask, AppError> {
    use crate::server::{answer, db, require_user};
    use domain::{FieldError, SubtaskTitle};
    use store::checklists::{Added, MAX_SUBTASKS};
    answer(
        async move {
            let user = require_user().await?;
            let keep = |e: FieldError| {
                AppError::from(e).with_values([(SubtaskTitle::FIELD, title.as_str())])
            };
            let parsed = SubtaskTitle::parse(&title).map_err(keep)?;
            match store::checklists::add(&db()?, user.id, task_id, parsed).await? {
                None => Err(AppError::NotFound),
                Some(Added::Added(subtask)) => Ok(subtask),
                Some(Added::Full) => Err(keep(FieldError::new(
                    SubtaskTitle::FIELD,
                    format!("A checklist can have at most {MAX_SUBTASKS} subtasks."),
                ))),
            }
        }
        .await,
    )
}

#[server(endpoint = "check_subtask")]
pub async fn check_subtask(id: i32, done: bool) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::checklists::set_done(&db()?, user.id, id, done)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "delete_subtask")]
pub async fn delete_subtask(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::checklists::delete(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}
