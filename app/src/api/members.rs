//! Sharing a project: members with roles, invitations accepted through their links, and leaving.

use crate::error::AppError;
use domain::{InvitationFor, InvitationLink, Members};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Invites by email. Every invitation waits, whether or not the email has an account, until
/// someone opens its link and accepts it: the link is answered here and shown to the owner once
/// (a short-lived cookie carries it to the settings page, so it also works with JavaScript off;
/// it never reaches a URL or the database).
#[server(endpoint = "invite_member")]
pub async fn invite_member(
    project_id: i32,
    email: String,
    role: String,
) -> Result<InvitationLink, AppError> {
    use crate::server::{answer, db, require_user, set_private_cookie};
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
            let token =
                store::members::invite(&db()?, user.id, project_id, &parsed_email, parsed_role)
                    .await
                    .map_err(|err| AppError::from(err).with_values(typed))?
                    .ok_or(AppError::NotFound)?;
            set_private_cookie(NEW_LINK, Some(&format!("{project_id}.{token}")), 300);
            leptos_axum::redirect(&format!("/projects/{project_id}/settings"));
            Ok(InvitationLink::new(
                parsed_email.as_str().to_owned(),
                &token,
                &crate::server::absolute(""),
            ))
        }
        .await,
    )
}

/// The cookie holding the link of the invitation just made: `{project_id}.{token}`.
#[cfg(feature = "ssr")]
const NEW_LINK: &str = "taskdeck_new_invitation";

/// The link of the invitation just made in this project, for the settings page to show once;
/// `None` when there is none (or it was shown already, used or withdrawn).
#[server(endpoint = "new_invitation_link")]
pub async fn new_invitation_link(project_id: i32) -> Result<Option<InvitationLink>, AppError> {
    use crate::server::{answer, db, request_cookie, require_user, set_private_cookie};
    answer(
        async move {
            let user = require_user().await?;
            let Some(cookie) = request_cookie(NEW_LINK) else {
                return Ok(None);
            };
            let Some((project, token)) = cookie.split_once('.') else {
                return Ok(None);
            };
            if project != project_id.to_string() {
                return Ok(None);
            }
            set_private_cookie(NEW_LINK, None, 0);
            let email = store::members::pending_email(&db()?, user.id, project_id, token).await?;
            let origin = crate::server::absolute("");
            Ok(email.map(|email| InvitationLink::new(email, token, &origin)))
        }
        .await,
    )
}

/// What an invitation's link page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationPage {
    /// Signed out: sign in (or sign up, then in) and come back; nothing about the invitation.
    SignedOut,
    Open(InvitationFor),
}

/// The invitation behind a link. Signed out, it tells nothing and remembers the link (in a
/// cookie) so signing in comes back to it; `NotFound` when the link is not (or no longer) valid.
#[server(endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<InvitationPage, AppError> {
    use crate::server::{answer, auth_session, db, set_private_cookie, RETURN_TO_INVITATION};
    answer(
        async move {
            if auth_session().await?.user.is_none() {
                if domain::is_invitation_token(&token) {
                    set_private_cookie(RETURN_TO_INVITATION, Some(&token), 3600);
                }
                return Ok(InvitationPage::SignedOut);
            }
            store::members::find_by_link(&db()?, &token)
                .await?
                .map(InvitationPage::Open)
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Accepts the invitation behind a link: the signed-in account becomes a member, with the role
/// it names, and goes to the project's board. The link is the proof: see `store::members::accept`.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let project = store::members::accept(&db()?, user.id, &token)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect(&format!("/projects/{project}"));
            Ok(())
        }
        .await,
    )
}

/// Declines the invitation behind a link; it is gone.
#[server(endpoint = "decline_invitation")]
pub async fn decline_invitation(token: String) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            require_user().await?;
            store::members::decline(&db()?, &token)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect("/projects");
            Ok(())
        }
        .await,
    )
}

/// The invitations sent to the signed-in account's email. Listed so the person learns of them
/// and can decline; accepting still takes the link the owner passed on (an email that was never
/// verified proves nothing).
#[server(endpoint = "my_invitations")]
pub async fn my_invitations() -> Result<Vec<InvitationFor>, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            Ok(store::members::invitations_for(&db()?, user.id).await?)
        }
        .await,
    )
}

/// Declines one of the invitations sent to the signed-in account's email.
#[server(endpoint = "decline_my_invitation")]
pub async fn decline_my_invitation(id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::members::decline_mine(&db()?, user.id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect("/projects");
            Ok(())
        }
        .await,
    )
}

/// Leaves a project (editors and viewers; an owner is told why not).
#[server(endpoint = "leave_project")]
pub async fn leave_project(project_id: i32) -> Result<(), AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            store::members::leave(&db()?, user.id, project_id)
                .await?
                .ok_or(AppError::NotFound)?;
            leptos_axum::redirect("/projects");
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
