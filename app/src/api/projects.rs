use crate::error::AppError;
use domain::Project;
use leptos::prelude::*;

#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<Project>, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            Ok(store::projects::list(&db()?, user.id).await?)
        }
        .await,
    )
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: i32) -> Result<Project, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::projects::get(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

#[server(endpoint = "create_project")]
pub async fn create_project(name: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::ProjectName;
    answer(
        async move {
            let user = require_user().await?;
            let parsed = ProjectName::parse(&name).map_err(|e| {
                AppError::from(e).with_values([(ProjectName::FIELD, name.as_str())])
            })?;
            let project = store::projects::create(&db()?, user.id, parsed).await?;
            leptos_axum::redirect(&format!("/projects/{}", project.id));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "rename_project")]
pub async fn rename_project(id: i32, name: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::ProjectName;
    answer(
        async move {
            let user = require_user().await?;
            let parsed = ProjectName::parse(&name).map_err(|e| {
                AppError::from(e).with_values([(ProjectName::FIELD, name.as_str())])
            })?;
            store::projects::rename(&db()?, user.id, id, parsed)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{id}"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_project")]
pub async fn delete_project(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            if !store::projects::delete(&db()?, user.id, id).await? {
                return Err(AppError::NotFound);
            }
            leptos_axum::redirect("/projects");
            Ok(())
        }
        .await,
    )
}
