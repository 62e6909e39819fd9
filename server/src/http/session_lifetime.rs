//! The absolute session lifetime: however active a session is, it ends a fixed time after sign-in.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use store::auth::{AuthSession, SIGNED_IN_AT};

/// Signs out a session once its absolute lifetime since sign-in has passed, however active it has
/// been, so a stolen session cannot be kept alive forever. The request then goes on anonymous.
pub async fn end_sessions_past_their_lifetime(
    State(lifetime): State<Duration>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(mut auth) = request.extensions().get::<AuthSession>().cloned() {
        if auth.user.is_some() {
            let signed_in_at: Option<i64> = auth.session.get(SIGNED_IN_AT).await.ok().flatten();
            let age = signed_in_at.map(|at| chrono::Utc::now().timestamp() - at);
            let expired = age.is_none_or(|age| age < 0 || age as u64 > lifetime.as_secs());
            if expired {
                match auth.logout().await {
                    Ok(_) => {
                        tracing::info!("session reached its absolute lifetime");
                        request.extensions_mut().insert(auth);
                    }
                    Err(err) => {
                        tracing::error!(%err, "could not end an expired session");
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                }
            }
        }
    }
    next.run(request).await
}
