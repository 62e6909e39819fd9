//! How long a session lasts: it ends a fixed time after sign-in however active it is (the
//! absolute lifetime), and after a stretch without requests (the idle timeout), which each
//! request pushes out.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use store::auth::{AuthSession, SIGNED_IN_AT};

/// When the session's expiry was last pushed out (Unix seconds).
const REFRESHED_AT: &str = "taskdeck.refreshed_at";

/// The longest a busy session goes without its expiry being pushed out: each push is a write,
/// so not every request makes one.
const MAX_REFRESH_INTERVAL: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub absolute: Duration,
    pub idle: Duration,
}

impl Lifetimes {
    /// A tenth of the idle timeout, at most ten minutes: a session then ends between 90 % and
    /// 100 % of the idle timeout after its last request.
    fn refresh_interval(self) -> i64 {
        let interval = (self.idle / 10).min(MAX_REFRESH_INTERVAL);
        i64::try_from(interval.as_secs()).unwrap_or(i64::MAX)
    }
}

/// Signs out a session once its absolute lifetime since sign-in has passed, however active it has
/// been, so a stolen session cannot be kept alive forever; the request then goes on anonymous.
/// Otherwise a signed-in request renews the idle timeout (in the store and in the cookie), which
/// the session layer does only when the session changes: without this, a person working all day
/// was signed out one idle timeout after signing in.
pub async fn keep_sessions_within_their_lifetimes(
    State(lifetimes): State<Lifetimes>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(mut auth) = request.extensions().get::<AuthSession>().cloned() else {
        return next.run(request).await;
    };
    if auth.user.is_none() {
        return next.run(request).await;
    }
    let now = chrono::Utc::now().timestamp();
    let signed_in_at: Option<i64> = auth.session.get(SIGNED_IN_AT).await.ok().flatten();
    let age = signed_in_at.map(|at| now - at);
    let expired = age.is_none_or(|age| {
        age < 0 || u64::try_from(age).is_ok_and(|age| age > lifetimes.absolute.as_secs())
    });
    if expired {
        return match auth.logout().await {
            Ok(_) => {
                tracing::info!("session reached its absolute lifetime");
                request.extensions_mut().insert(auth);
                next.run(request).await
            }
            Err(err) => {
                tracing::error!(%err, "could not end an expired session");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        };
    }
    // Signing in saved the session, so its expiry counts from then until the first renewal.
    let refreshed_at: Option<i64> = auth.session.get(REFRESHED_AT).await.ok().flatten();
    let due = refreshed_at
        .or(signed_in_at)
        .is_none_or(|at| at > now || now - at >= lifetimes.refresh_interval());
    let response = next.run(request).await;
    if due && !response.status().is_server_error() {
        renew(&auth, now).await;
    }
    response
}

/// Pushes the session's expiry out. Saved here first, so that a store that cannot write (a full
/// disk) costs the renewal and not the page: the change that follows makes the session layer save
/// again and send the cookie with its new lifetime, and is made only once a save has worked.
async fn renew(auth: &AuthSession, now: i64) {
    let session = &auth.session;
    // Signed out or in again by the request: nothing of the old session to renew.
    let still_signed_in = session
        .get::<i64>(SIGNED_IN_AT)
        .await
        .ok()
        .flatten()
        .is_some();
    if !still_signed_in {
        return;
    }
    if !session.is_modified() {
        if let Err(err) = session.save().await {
            tracing::warn!(%err, "could not renew a session's idle timeout");
            return;
        }
    }
    if let Err(err) = session.insert(REFRESHED_AT, now).await {
        tracing::warn!(%err, "could not renew a session's idle timeout");
    }
}
