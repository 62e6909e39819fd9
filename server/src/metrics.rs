//! Prometheus metrics: the recorder, the names Taskdeck records, and the private `/metrics`
//! listener. Recording goes through the `metrics` facade everywhere (store, app, server); only this
//! module knows the exporter.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use store::Db;
use tokio::net::TcpListener;

pub const REQUEST_DURATION: &str = "http_server_request_duration_seconds";
pub const ACTIVE_REQUESTS: &str = "http_server_active_requests";
pub const PAGE_VIEWS: &str = "taskdeck_page_views_total";
pub const DATABASE_UP: &str = "taskdeck_database_up";
/// Connections turned away by the caps, by `reason` (`server_full`, `client_full`).
pub const CONNECTIONS_REFUSED: &str = "taskdeck_connections_refused_total";

const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Around the web-vitals thresholds (LCP 2.5 s / 4 s, INP 200 ms / 500 ms, TTFB 800 ms / 1.8 s).
const VITALS_SECONDS_BUCKETS: &[f64] =
    &[0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.8, 2.5, 4.0, 6.0, 10.0];
const CLS_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0];

/// Installs the process-wide recorder once and returns its handle (tests start many apps).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Every histogram gets explicit buckets; without them the exporter renders summaries,
            // which cannot be aggregated across instances. Full names only: overlapping matchers
            // have no defined precedence.
            let buckets: [(&str, &[f64]); 6] = [
                (REQUEST_DURATION, SECONDS_BUCKETS),
                ("db_client_operation_duration_seconds", SECONDS_BUCKETS),
                ("taskdeck_web_vitals_lcp_seconds", VITALS_SECONDS_BUCKETS),
                ("taskdeck_web_vitals_inp_seconds", VITALS_SECONDS_BUCKETS),
                ("taskdeck_web_vitals_ttfb_seconds", VITALS_SECONDS_BUCKETS),
                ("taskdeck_web_vitals_cls", CLS_BUCKETS),
            ];
            let builder =
                buckets
                    .iter()
                    .try_fold(PrometheusBuilder::new(), |builder, (name, b)| {
                        builder.set_buckets_for_metric(Matcher::Full((*name).to_owned()), b)
                    });
            let recorder = match builder {
                Ok(builder) => builder.build_recorder(),
                // Only an empty bucket list fails; the lists above are constants.
                Err(err) => unreachable!("invalid histogram buckets: {err}"),
            };
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
            }
            handle
        })
        .clone()
}

#[derive(Clone)]
struct MetricsState {
    handle: PrometheusHandle,
    db: Db,
}

/// The router of the private metrics listener.
pub fn router(handle: PrometheusHandle, db: Db) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(MetricsState { handle, db })
}

/// Serves `/metrics` on its own address until the process stops.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

async fn render(State(state): State<MetricsState>) -> String {
    // Sampled at scrape time: always current, and no background task. The database check keeps
    // `taskdeck_database_up` true to the minute even when nothing polls /readyz.
    let up = tokio::time::timeout(Duration::from_millis(500), state.db.ping()).await;
    metrics::gauge!(DATABASE_UP).set(if matches!(up, Ok(Ok(()))) { 1.0 } else { 0.0 });
    let pool = state.db.pool_stats();
    metrics::gauge!("db_client_connections_usage", "state" => "used").set(f64::from(pool.used));
    metrics::gauge!("db_client_connections_usage", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("db_client_connections_max").set(f64::from(pool.max));
    metrics::gauge!("db_client_connections_pending_requests").set(f64::from(pool.waiting));
    state.handle.render()
}
