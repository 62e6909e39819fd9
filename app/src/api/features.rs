//! Which feature flags are on for the person asking, so the interface shows what they may use.

use crate::error::AppError;
use domain::Feature;
use leptos::prelude::*;

/// The features on for the signed-in person (or, signed out, on for everyone).
#[server(endpoint = "features_for_me")]
pub async fn features_for_me() -> Result<Vec<Feature>, AppError> {
    use crate::server::{answer, auth_session, flags};
    answer(
        async move {
            let user = auth_session().await?.user.map(|user| user.id);
            Ok(flags()?.on_for(user).await)
        }
        .await,
    )
}
