//! Security headers on every response. HTML pages carry a Content-Security-Policy built by the app
//! with the request's nonce (see `app::content_security_policy`); everything else gets a policy
//! that allows nothing, since a JSON answer or a file never needs to run or embed anything.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const NOTHING_ALLOWED: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const PERMISSIONS: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";
/// Two years, as the HSTS preload list asks.
const HSTS: &str = "max-age=63072000; includeSubDomains; preload";

#[derive(Clone, Copy)]
pub struct SecurityHeaders {
    /// HSTS only makes sense (and is only honoured) when people reach Taskdeck over https.
    pub https: bool,
}

impl SecurityHeaders {
    pub async fn apply(self, request: Request, next: Next) -> Response {
        let server_function = request.uri().path().starts_with("/api/");
        let mut response = next.run(request).await;
        let headers = response.headers_mut();
        let has_policy = headers.contains_key(CONTENT_SECURITY_POLICY);
        // Pages (the ones with the app's policy) and server-function answers are personal, and a
        // page's nonce is single-use: neither may be kept by a browser or a shared cache.
        if (has_policy || server_function) && !headers.contains_key(CACHE_CONTROL) {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        let mut set = |name: HeaderName, value: &'static str| {
            headers.insert(name, HeaderValue::from_static(value));
        };
        set(X_CONTENT_TYPE_OPTIONS, "nosniff");
        set(X_FRAME_OPTIONS, "DENY");
        set(REFERRER_POLICY, "strict-origin-when-cross-origin");
        set(HeaderName::from_static("permissions-policy"), PERMISSIONS);
        set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
        set(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        );
        if self.https {
            set(STRICT_TRANSPORT_SECURITY, HSTS);
        }
        if !has_policy {
            set(CONTENT_SECURITY_POLICY, NOTHING_ALLOWED);
        }
        response
    }
}
