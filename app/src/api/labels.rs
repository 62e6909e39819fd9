//! A project's labels and the labels on a task.

use crate::error::AppError;
use domain::Label;
use leptos::prelude::*;

#[server(endpoint = "list_labels")]
pub async fn list_labels(project_id: i32) -> Result<Vec<Label>, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::labels::list(&db()?, user.id, project_id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Parses a label form, keeping what was typed when it is wrong.
#[cfg(feature = "ssr")]
fn parse_label(
    name: &str,
    colour: &str,
) -> Result<(domain::LabelName, domain::LabelColour), AppError> {
    use domain::{Invalid, LabelColour, LabelName};
    let mut invalid = Invalid::default();
    match (
        invalid.check(LabelName::parse(name)),
        invalid.check(LabelColour::parse(colour)),
    ) {
        (Some(name), Some(colour)) => Ok((name, colour)),
        _ => Err(AppError::from(invalid)
            .with_values([(LabelName::FIELD, name), (LabelColour::FIELD, colour)])),
    }
}

#[server(endpoint = "create_label")]
pub async fn create_label(
    project_id: i32,
    name: String,
    colour: String,
) -> Result<Label, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let (parsed, colour_ok) = parse_label(&name, &colour)?;
            store::labels::create(&db()?, user.id, project_id, parsed, colour_ok)
                .await
                .map_err(|e| {
                    AppError::from(e).with_values([(domain::LabelName::FIELD, name.as_str())])
                })?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "update_label")]
pub async fn update_label(id: i32, name: String, colour: String) -> Result<Label, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let (parsed, colour_ok) = parse_label(&name, &colour)?;
            store::labels::update(&db()?, user.id, id, parsed, colour_ok)
                .await
                .map_err(|e| {
                    AppError::from(e).with_values([(domain::LabelName::FIELD, name.as_str())])
                })?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "delete_label")]
pub async fn delete_label(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::labels::delete(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}

/// Puts a label of the task's project on the task (`applied`), or takes it off.
#[server(endpoint = "set_task_label")]
pub async fn set_task_label(id: i32, label_id: i32, applied: bool) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::labels::apply(&db()?, user.id, id, label_id, applied)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}
