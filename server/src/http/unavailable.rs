//! When the session layer cannot reach the database, it answers a bare 500 of its own (with an
//! empty body) before any route runs. That is an outage, not a bug: it becomes 503 with
//! `Retry-After` and a page saying so, like every other answer the database could not serve.

use app::error::{AppError, RETRY_AFTER_SECS};
use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, StatusCode};

/// Wraps the session and sign-in layers. Everything inside them answers errors with a body, so
/// an empty 500 can only be theirs, and theirs only fail when the session store does.
pub async fn sessions_unavailable(request: Request, next: Next) -> Response {
    let wants_html = request
        .headers()
        .get(ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || response.headers().contains_key(CONTENT_TYPE)
        || response.body().size_hint().exact() != Some(0)
    {
        return response;
    }
    tracing::warn!("the session store is unavailable; answering 503");
    unavailable(wants_html)
}

/// 503 with `Retry-After`: a short page for a browser, the app's error for a server function.
fn unavailable(wants_html: bool) -> Response {
    let message = AppError::Unavailable.to_string();
    let mut response = if wants_html {
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Briefly unavailable · Taskdeck</title></head><body><main>\
             <h1>Taskdeck is briefly unavailable</h1><p>{message}</p></main></body></html>"
        ))
        .into_response()
    } else {
        let body = serde_json::to_string(&AppError::Unavailable).unwrap_or(message);
        let mut response = Response::new(Body::from(body));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    };
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}
