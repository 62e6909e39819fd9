use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the interface shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: i32,
    pub email: String,
    /// May open the admin page.
    pub is_admin: bool,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    use crate::server::{answer, auth_session};
    answer(
        async move {
            Ok(auth_session().await?.user.map(|user| SignedInUser {
                id: user.id,
                email: user.email,
                is_admin: user.is_admin,
            }))
        }
        .await,
    )
}

/// Where sign-up sends the browser, whether the address was new or already had an account: the
/// sign-in page, with a notice (a fixed flag, nothing personal in the URL).
pub const SIGNED_UP_PATH: &str = "/login?signed_up=1";

/// Creates an account for a new address; for one that already has an account it changes nothing.
/// The answer is the same either way (and costs the same hash), so sign-up does not tell which
/// addresses have accounts; the person then signs in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<(), AppError> {
    use crate::server::{answer, db};
    use domain::{Email, Invalid, Password};
    answer(
        async move {
            let typed = [(Email::FIELD, email.as_str())];
            let mut invalid = Invalid::default();
            let parsed_email = invalid.check(Email::parse(&email));
            let parsed_password = invalid.check(Password::parse(&password));
            let (Some(parsed_email), Some(parsed_password)) = (parsed_email, parsed_password)
            else {
                return Err(AppError::from(invalid).with_values(typed));
            };
            match store::auth::sign_up(&db()?, &parsed_email, parsed_password).await {
                Ok(user) => tracing::info!(user_id = user.id, "account created"),
                // No address in the log line: it would say who has an account here.
                Err(store::StoreError::EmailTaken) => {
                    tracing::info!("sign-up for an existing address");
                }
                Err(err) => return Err(AppError::from(err).with_values(typed)),
            }
            leptos_axum::redirect(SIGNED_UP_PATH);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::error::FORM;
    use crate::server::{answer, auth_session, internal, password_was_wrong};
    use domain::FieldError;
    use store::auth::Credentials;
    answer(
        async move {
            let mut auth = auth_session().await?;
            let credentials = Credentials {
                email: email.clone(),
                password,
            };
            let Some(user) = auth
                .authenticate(credentials)
                .await
                .map_err(|e| internal(&e))?
            else {
                tracing::info!("sign-in refused");
                password_was_wrong();
                metrics::counter!("taskdeck_sign_ins_total", "method" => "password", "result" => "failure")
                    .increment(1);
                return Err(AppError::from(FieldError::new(
                    FORM,
                    "Email or password is incorrect.",
                ))
                .with_values([(domain::Email::FIELD, email.as_str())]));
            };
            // login() also gives the session a new id, so an id planted before sign-in is worthless.
            store::auth::start_session(&mut auth, &user).await?;
            metrics::counter!("taskdeck_sign_ins_total", "method" => "password", "result" => "success")
                .increment(1);
            tracing::info!(user_id = user.id, "signed in");
            leptos_axum::redirect(&crate::server::after_sign_in());
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{answer, auth_session, internal};
    answer(
        async move {
            // logout() removes the session from the store, not just the cookie from the browser.
            auth_session()
                .await?
                .logout()
                .await
                .map_err(|e| internal(&e))?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// The providers offered on the sign-in page.
#[server(endpoint = "sign_in_providers")]
pub async fn sign_in_providers() -> Result<Vec<domain::Provider>, AppError> {
    Ok(use_context::<crate::OfferedProviders>()
        .map(|offered| offered.providers)
        .unwrap_or_default())
}

/// A provider account linked to the signed-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedProvider {
    pub provider: domain::Provider,
    pub email: String,
}

/// What the account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub email: String,
    pub has_password: bool,
    pub linked: Vec<LinkedProvider>,
    /// Offered by this server and not linked yet.
    pub linkable: Vec<domain::Provider>,
}

#[server(endpoint = "account_details")]
pub async fn account_details() -> Result<Account, AppError> {
    use crate::server::{answer, db, require_user};
    answer(
        async move {
            let user = require_user().await?;
            let linked: Vec<LinkedProvider> = store::identities::list(&db()?, user.id)
                .await?
                .into_iter()
                .map(|identity| LinkedProvider {
                    provider: identity.provider,
                    email: identity.email,
                })
                .collect();
            let offered = use_context::<crate::OfferedProviders>()
                .map(|offered| offered.providers)
                .unwrap_or_default();
            let linkable = offered
                .into_iter()
                .filter(|p| !linked.iter().any(|l| l.provider == *p))
                .collect();
            Ok(Account {
                email: user.email.clone(),
                has_password: user.has_password(),
                linked,
                linkable,
            })
        }
        .await,
    )
}

#[server(endpoint = "unlink_provider")]
pub async fn unlink_provider(provider: String) -> Result<(), AppError> {
    use crate::error::FORM;
    use crate::server::{answer, db, require_user};
    use domain::{FieldError, Provider};
    use store::identities::Unlinked;
    answer(
        async move {
            let user = require_user().await?;
            let provider = Provider::parse(&provider).ok_or(AppError::NotFound)?;
            match store::identities::unlink(&db()?, user.id, provider).await? {
                Unlinked::Done => {
                    tracing::info!(user_id = user.id, provider = provider.as_str(), "provider unlinked");
                    leptos_axum::redirect("/account");
                    Ok(())
                }
                Unlinked::NotLinked => Err(AppError::NotFound),
                Unlinked::LastWayIn => Err(FieldError::new(
                    FORM,
                    format!(
                        "{provider} is the only way into this account. Set a password or link another provider before unlinking it."
                    ),
                )
                .into()),
            }
        }
        .await,
    )
}

/// Changes the password, or sets a first one on an account made through GitHub or Google.
/// Every other session of the account ends; this one continues under a new id.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::server::{answer, auth_session, db, require_user};
    use domain::{FieldError, Password};
    use store::auth::PasswordChange;
    answer(
        async move {
            let user = require_user().await?;
            let new = Password::parse(&new_password).map_err(|mut e| {
                e.field = Password::NEW_FIELD.to_owned();
                AppError::from(e)
            })?;
            match store::auth::change_password(&db()?, &user, &current_password, new).await? {
                PasswordChange::WrongCurrentPassword => Err(FieldError::new(
                    Password::CURRENT_FIELD,
                    "Your current password is not correct.",
                )
                .into()),
                PasswordChange::Changed(updated) => {
                    store::auth::start_session(&mut auth_session().await?, &updated).await?;
                    tracing::info!(user_id = user.id, "password changed");
                    leptos_axum::redirect("/account?password=changed");
                    Ok(())
                }
            }
        }
        .await,
    )
}
