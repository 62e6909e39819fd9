//! Saved list views.

use crate::error::AppError;
use domain::SavedView;
use leptos::prelude::*;

/// Saves the list view whose query string is `query` (as in the page's URL) under `name`.
#[server(endpoint = "save_view")]
pub async fn save_view(
    project_id: i32,
    name: String,
    query: String,
) -> Result<SavedView, AppError> {
    use crate::server::{answer, db, require_user};
    use domain::{FieldError, TaskFilter, ViewName};
    use store::views::{Saved, MAX_VIEWS};
    answer(
        async move {
            let user = require_user().await?;
            let keep =
                |e: FieldError| AppError::from(e).with_values([(ViewName::FIELD, name.as_str())]);
            let parsed = ViewName::parse(&name).map_err(keep)?;
            // Read through the filter, so only what the list understands is kept.
            let pairs: Vec<(String, String)> = query_pairs(&query);
            let filter = TaskFilter::from_query(|key| {
                pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
            });
            match store::views::save(&db()?, user.id, project_id, parsed, &filter).await? {
                None => Err(AppError::NotFound),
                Some(Saved::Saved(view)) => Ok(view),
                Some(Saved::Full) => Err(keep(FieldError::new(
                    ViewName::FIELD,
                    format!(
                        "You can keep at most {MAX_VIEWS} views in a project. Delete one first."
                    ),
                ))),
            }
        }
        .await,
    )
}

/// The pairs of a query string, decoded; malformed pairs are skipped.
#[cfg(feature = "ssr")]
fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[server(endpoint = "delete_view")]
pub async fn delete_view(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::views::delete(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
                .map(|_| ())
        }
        .await,
    )
}
