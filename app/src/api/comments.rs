//! Comments on a task.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "add_comment")]
pub async fn add_comment(task_id: i32, body: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::CommentBody;
    answer(
        async move {
            let user = require_user().await?;
            let parsed = CommentBody::parse(&body).map_err(|e| {
                AppError::from(e).with_values([(CommentBody::FIELD, body.as_str())])
            })?;
            store::comments::add(&db()?, user.id, task_id, parsed)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}

/// Deletes a comment: one's own, or anyone's as an owner of the project.
#[server(endpoint = "delete_comment")]
pub async fn delete_comment(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::comments::delete(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}
