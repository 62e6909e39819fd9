//! The instance admin's page: where each feature flag is on, and turning them on and off. Only
//! admins (`taskdeck admin grant EMAIL`) may ask; to anyone else these answer "not found", as if
//! the page did not exist.

use crate::error::AppError;
use domain::FlagState;
use leptos::prelude::*;

/// The form field that names a flag.
pub const FLAG_FIELD: &str = "name";

#[server(endpoint = "admin_flags")]
pub async fn admin_flags() -> Result<Vec<FlagState>, AppError> {
    use crate::server::{answer, db, require_admin};
    answer(
        async move {
            require_admin().await?;
            Ok(store::flags::states(&db()?).await?)
        }
        .await,
    )
}

/// `everyone`: "on" turns the flag on for every account; "off" turns it off for everyone, and
/// for the accounts it was on for too (the kill switch).
#[server(endpoint = "set_flag")]
pub async fn set_flag(name: String, everyone: String) -> Result<(), AppError> {
    use crate::server::{answer, db, flags, require_admin};
    answer(
        async move {
            let admin = require_admin().await?;
            let feature = parse_feature(&name)?;
            let on = parse_switch(&everyone)?;
            store::flags::set_everyone(&db()?, feature, on).await?;
            flags()?.forget().await;
            tracing::info!(admin = admin.id, flag = %feature, on, "feature flag changed for everyone");
            Ok(())
        }
        .await,
    )
}

/// `on`: "on" turns the flag on for the account with this email, "off" back off for it.
#[server(endpoint = "set_flag_account")]
pub async fn set_flag_account(name: String, email: String, on: String) -> Result<(), AppError> {
    use crate::server::{answer, db, flags, require_admin};
    use domain::{Email, FieldError};
    use store::flags::AccountsChanged;
    answer(
        async move {
            let admin = require_admin().await?;
            let feature = parse_feature(&name)?;
            let on = parse_switch(&on)?;
            let typed = [(Email::FIELD, email.as_str())];
            let parsed = Email::parse(&email).map_err(|e| AppError::from(e).with_values(typed))?;
            match store::flags::set_for_accounts(&db()?, feature, &[parsed], on).await? {
                AccountsChanged::Changed => {}
                AccountsChanged::NoAccount(_) => {
                    return Err(AppError::from(FieldError::new(
                        Email::FIELD,
                        "No account has this email. Check it, or ask the person to sign up first.",
                    ))
                    .with_values(typed));
                }
                AccountsChanged::OnForEveryone => {
                    return Err(AppError::from(FieldError::new(
                        Email::FIELD,
                        "This flag is on for everyone, so turning it off for one account changes nothing. Turn it off for everyone instead.",
                    ))
                    .with_values(typed));
                }
            }
            flags()?.forget().await;
            tracing::info!(admin = admin.id, flag = %feature, on, "feature flag changed for an account");
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn parse_feature(name: &str) -> Result<domain::Feature, AppError> {
    domain::Feature::parse(name).map_err(|e| AppError::Request(e.to_string()))
}

#[cfg(feature = "ssr")]
fn parse_switch(value: &str) -> Result<bool, AppError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(AppError::Request(format!(
            "\"{other}\" is neither on nor off"
        ))),
    }
}
