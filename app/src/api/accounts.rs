use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the interface shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: i32,
    pub email: String,
}

#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    use crate::server::{answer, auth_session};
    answer(
        async move {
            Ok(auth_session().await?.user.map(|user| SignedInUser {
                id: user.id,
                email: user.email,
            }))
        }
        .await,
    )
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<(), AppError> {
    use crate::server::{answer, auth_session, db, internal};
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
            let user = store::auth::sign_up(&db()?, &parsed_email, parsed_password)
                .await
                .map_err(|err| AppError::from(err).with_values(typed))?;
            auth_session()
                .await?
                .login(&user)
                .await
                .map_err(|e| internal(&e))?;
            tracing::info!(user_id = user.id, "account created");
            leptos_axum::redirect("/projects");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::error::FORM;
    use crate::server::{answer, auth_session, internal};
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
                metrics::counter!("taskdeck_sign_ins_total", "method" => "password", "result" => "failure")
                    .increment(1);
                return Err(AppError::from(FieldError::new(
                    FORM,
                    "Email or password is incorrect.",
                ))
                .with_values([(domain::Email::FIELD, email.as_str())]));
            };
            // login() also gives the session a new id, so an id planted before sign-in is worthless.
            auth.login(&user).await.map_err(|e| internal(&e))?;
            metrics::counter!("taskdeck_sign_ins_total", "method" => "password", "result" => "success")
                .increment(1);
            tracing::info!(user_id = user.id, "signed in");
            leptos_axum::redirect("/projects");
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
