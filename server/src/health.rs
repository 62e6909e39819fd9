//! Liveness and readiness, for load balancers and orchestrators.
//!
//! `/healthz` answers while the process runs, without touching the database: restarting a server
//! because its database is down would not help. `/readyz` answers 200 only while the database
//! responds within a short timeout and the server is not shutting down, so traffic moves away
//! from an instance that cannot serve it and comes back without a restart.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use store::Db;
use tokio::sync::watch;

const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Health {
    db: Db,
    shutting_down: Arc<AtomicBool>,
    shutdown: Arc<watch::Sender<bool>>,
}

impl Health {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            shutting_down: Arc::new(AtomicBool::new(false)),
            shutdown: Arc::new(watch::channel(false).0),
        }
    }

    /// From now on `/readyz` answers 503, while requests in flight finish and open streams end.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.shutdown.send_replace(true);
    }

    /// Turns true when shutdown begins: streams that would otherwise never end (live updates)
    /// close then, so the server can finish.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn routes<S>(&self) -> Router<S> {
        Router::new()
            .route("/healthz", get(live))
            .route("/readyz", get(ready))
            .with_state(self.clone())
    }
}

async fn live() -> &'static str {
    "ok"
}

async fn ready(State(health): State<Health>) -> Response {
    if health.shutting_down.load(Ordering::SeqCst) {
        return not_ready("shutting down");
    }
    let database = tokio::time::timeout(READINESS_TIMEOUT, health.db.ping()).await;
    let up = matches!(database, Ok(Ok(())));
    metrics::gauge!(crate::metrics::DATABASE_UP).set(if up { 1.0 } else { 0.0 });
    match database {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database did not answer");
            not_ready("the database did not answer")
        }
        Err(_) => {
            tracing::warn!(timeout = ?READINESS_TIMEOUT, "readiness: the database timed out");
            not_ready("the database timed out")
        }
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}

/// Asks the server listening on `site_addr` of this machine whether it is alive; the container's
/// HEALTHCHECK runs this, since the image has no curl.
pub async fn probe(site_addr: std::net::SocketAddr) -> Result<(), String> {
    let host = if site_addr.ip().is_unspecified() {
        match site_addr {
            std::net::SocketAddr::V4(_) => std::net::IpAddr::from([127, 0, 0, 1]),
            std::net::SocketAddr::V6(_) => std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        site_addr.ip()
    };
    let url = format!(
        "http://{}/healthz",
        std::net::SocketAddr::new(host, site_addr.port())
    );
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| format!("could not build an HTTP client: {e}"))?
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("{url} did not answer: {e}"))?;
    if response.status() == StatusCode::OK {
        Ok(())
    } else {
        Err(format!("{url} answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use store::DbSettings;
    use tower::ServiceExt;

    async fn status(health: &Health, path: &str) -> StatusCode {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let router: Router = health.routes();
        router.oneshot(request).await.expect("response").status()
    }

    #[tokio::test]
    async fn readiness_turns_off_when_shutdown_begins_and_liveness_stays() {
        let db = Db::connect(&DbSettings::for_url("sqlite::memory:"))
            .await
            .expect("in-memory database");
        let health = Health::new(db);
        assert_eq!(status(&health, "/readyz").await, StatusCode::OK);
        health.begin_shutdown();
        assert_eq!(
            status(&health, "/readyz").await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(status(&health, "/healthz").await, StatusCode::OK);
    }
}
