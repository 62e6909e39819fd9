//! Sharing a project: members with roles, and invitations by email.

use crate::error::AppError;
use domain::Members;
use leptos::prelude::*;

#[server(endpoint = "list_members")]
pub async fn list_members(project_id: i32) -> Result<Members, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::members::list(&db()?, user.id, project_id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Invites by email: an existing account becomes a member at once, any other email gets a
/// pending invitation that turns into membership when that person signs up.
#[server(endpoint = "invite_member")]
pub async fn invite_member(project_id: i32, email: String, role: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::{Email, Invalid, Role};
    answer(
        async move {
            let user = require_user().await?;
            let typed = [(Email::FIELD, email.as_str()), (Role::FIELD, role.as_str())];
            let mut invalid = Invalid::default();
            let parsed_email = invalid.check(Email::parse(&email));
            let parsed_role = invalid.check(Role::parse(&role));
            let (Some(parsed_email), Some(parsed_role)) = (parsed_email, parsed_role) else {
                return Err(AppError::from(invalid).with_values(typed));
            };
            store::members::invite(&db()?, user.id, project_id, &parsed_email, parsed_role)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project_id}/settings"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "change_member_role")]
pub async fn change_member_role(
    project_id: i32,
    user_id: i32,
    role: String,
) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    use domain::Role;
    answer(
        async move {
            let user = require_user().await?;
            let parsed = Role::parse(&role).map_err(AppError::from)?;
            store::members::change_role(&db()?, user.id, project_id, user_id, parsed)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project_id}/settings"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "remove_member")]
pub async fn remove_member(project_id: i32, user_id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::members::remove(&db()?, user.id, project_id, user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project_id}/settings"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "cancel_invitation")]
pub async fn cancel_invitation(project_id: i32, email: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            // Invitations hold only valid addresses; anything else (a NUL, say) is none of them.
            let email = domain::Email::parse(&email).map_err(|_| AppError::NotFound)?;
            store::members::cancel_invitation(&db()?, user.id, project_id, email.as_str())
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project_id}/settings"));
            Ok(())
        }
        .await,
    )
}
