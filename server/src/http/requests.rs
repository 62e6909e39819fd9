//! What every request leaves behind: one log line (request id, method, route, status, latency,
//! user id), the request-duration histogram, the in-flight gauge and page views.
//!
//! Two middlewares cooperate. `label` runs inside the router, where the matched route template and
//! the signed-in user are known, and leaves them on the response; `observe` wraps everything and
//! records the outcome, so even a timed-out or unmatched request is counted once.

use crate::metrics::{ACTIVE_REQUESTS, PAGE_VIEWS, REQUEST_DURATION};
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use store::auth::AuthSession;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route template a request matched, e.g. `/projects/{id}`; bounded, so usable as a label.
#[derive(Clone)]
struct RouteLabel(String);

/// The signed-in user, for the log line.
#[derive(Clone, Copy)]
struct UserLabel(i32);

/// Inside the router: remembers the matched route and the user on the response.
pub async fn label(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| RouteLabel(path.as_str().to_owned()));
    let user = request
        .extensions()
        .get::<AuthSession>()
        .and_then(|auth| auth.user.as_ref().map(|user| UserLabel(user.id)));
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    if let Some(user) = user {
        response.extensions_mut().insert(user);
    }
    response
}

/// Around everything: a span carrying the request id for every log line inside, then the record.
/// A well-formed `x-request-id` from a proxy is kept (so logs join up across hops); anything else
/// is replaced by a fresh id. Either way the response carries it back.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_acceptable_id(id))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let header_value = HeaderValue::from_str(&request_id).ok();
    if let Some(value) = header_value.clone() {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    let span = tracing::info_span!("request", request_id = %request_id, method = %method);

    let active = metrics::gauge!(ACTIVE_REQUESTS, "http_request_method" => method.to_string());
    active.increment(1.0);
    let mut response = next.run(request).instrument(span.clone()).await;
    active.decrement(1.0);
    if let Some(value) = header_value {
        response.headers_mut().insert(REQUEST_ID, value);
    }

    let elapsed = started.elapsed();
    let status = response.status();
    let route = match response.extensions().get::<RouteLabel>() {
        Some(RouteLabel(route)) => route.clone(),
        None => "unmatched".to_owned(),
    };
    let user_id = response
        .extensions()
        .get::<UserLabel>()
        .map(|UserLabel(id)| *id);

    metrics::histogram!(
        REQUEST_DURATION,
        "http_route" => route.clone(),
        "http_request_method" => method.to_string(),
        "http_response_status_code" => status.as_u16().to_string(),
    )
    .record(elapsed.as_secs_f64());
    if method == Method::GET && status.is_success() && is_html(&response) {
        metrics::counter!(PAGE_VIEWS, "route" => route.clone()).increment(1);
    }

    span.in_scope(|| {
        tracing::info!(
            target: "taskdeck::request",
            route = %route,
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            user_id,
            "{method} {route} {}",
            status.as_u16()
        );
    });
    response
}

/// Short and plain, so a client cannot smuggle anything into the logs through it.
fn is_acceptable_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}
