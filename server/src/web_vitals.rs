//! Core Web Vitals from real browsers: the hydrated app posts LCP, INP, CLS and TTFB here with
//! `sendBeacon`, and they become histograms per route. Self-hosted; no analytics service.

use crate::http::rate_limit::{ClientAddr, RateLimiter};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

pub const VITALS_PATH: &str = "/monitoring/vitals";

#[derive(Deserialize)]
struct Report {
    /// The page's path, e.g. `/projects/12`; turned into its route so labels stay bounded.
    path: String,
    metrics: Vec<Measurement>,
}

#[derive(Deserialize)]
struct Measurement {
    name: String,
    /// Milliseconds for LCP, INP and TTFB; a unitless score for CLS.
    value: f64,
}

#[derive(Clone)]
pub struct WebVitals {
    routes: Arc<HashSet<String>>,
    limiter: Arc<RateLimiter>,
}

impl WebVitals {
    /// `routes` are the app's route templates, such as `/projects/{id}`.
    pub fn new(routes: impl IntoIterator<Item = String>) -> Self {
        Self {
            routes: Arc::new(routes.into_iter().collect()),
            limiter: Arc::new(RateLimiter::new(120, Duration::from_secs(60))),
        }
    }

    pub fn routes<S>(&self) -> Router<S> {
        Router::new()
            .route(VITALS_PATH, post(record))
            .layer(DefaultBodyLimit::max(4 * 1024))
            .with_state(self.clone())
    }

    /// The route template for a path, or `other` for anything the app does not serve.
    fn route_of(&self, path: &str) -> String {
        let template: Vec<&str> = path
            .split('/')
            .map(|segment| {
                if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                    "{id}"
                } else {
                    segment
                }
            })
            .collect();
        let template = template.join("/");
        if self.routes.contains(&template) {
            template
        } else {
            "other".to_owned()
        }
    }
}

// sendBeacon posts text/plain, so the body is read as bytes and parsed here.
async fn record(State(vitals): State<WebVitals>, client: ClientAddr, body: Bytes) -> StatusCode {
    if !vitals.limiter.allow(client.0) {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    let Ok(report) = serde_json::from_slice::<Report>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let route = vitals.route_of(&report.path);
    for Measurement { name, value } in report.metrics.into_iter().take(8) {
        if !value.is_finite() || value < 0.0 {
            continue;
        }
        let (metric, value) = match name.as_str() {
            "LCP" => ("taskdeck_web_vitals_lcp_seconds", value / 1000.0),
            "INP" => ("taskdeck_web_vitals_inp_seconds", value / 1000.0),
            "TTFB" => ("taskdeck_web_vitals_ttfb_seconds", value / 1000.0),
            "CLS" => ("taskdeck_web_vitals_cls", value),
            _ => continue,
        };
        metrics::histogram!(metric, "route" => route.clone()).record(value);
    }
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_route_templates_and_unknown_paths_one_label() {
        let vitals = WebVitals::new(["/".to_owned(), "/projects/{id}".to_owned()]);
        assert_eq!(vitals.route_of("/projects/42"), "/projects/{id}");
        assert_eq!(vitals.route_of("/"), "/");
        assert_eq!(vitals.route_of("/wp-admin/setup.php"), "other");
        assert_eq!(vitals.route_of("/projects/42/../../etc"), "other");
    }
}
