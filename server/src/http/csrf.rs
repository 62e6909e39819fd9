//! Cross-site request forgery defence for every state-changing request (server functions, forms,
//! the monitoring endpoints): the browser says where a request comes from, and only Taskdeck's
//! own pages may change anything. Leptos server functions have no CSRF protection of their own,
//! and no route changes state on GET.
//!
//! `Sec-Fetch-Site` is trusted when present (every current browser sends it); otherwise `Origin`
//! must be Taskdeck's. A request with neither comes from a program, not a browser, and cannot
//! carry a victim's cookies against their will, so it passes.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

#[derive(Clone)]
pub struct SameOriginGuard {
    /// `scheme://host[:port]` of APP_URL.
    app_origin: Arc<str>,
    /// Other origins the operator allowed (`CORS_ALLOWED_ORIGINS`).
    allowed: Arc<[String]>,
}

impl SameOriginGuard {
    pub fn new(app_url: &str, allowed: &[String]) -> Self {
        Self {
            app_origin: app_url.trim_end_matches('/').into(),
            allowed: allowed.into(),
        }
    }

    pub async fn check(self, request: Request, next: Next) -> Response {
        if is_safe(request.method()) || self.allows(request.headers()) {
            return next.run(request).await;
        }
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "This request came from another site, so Taskdeck refused it. Reload Taskdeck and try again.",
        )
            .into_response()
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if text(ORIGIN.as_str()).is_some_and(|origin| self.allowed.iter().any(|a| a == origin)) {
            return true;
        }
        if let Some(site) = text("sec-fetch-site") {
            // "none": typed into the address bar or a bookmark, so the person's own doing.
            return site == "same-origin" || site == "none";
        }
        match text(ORIGIN.as_str()) {
            None => true,
            Some(origin) => {
                origin == &*self.app_origin
                    || text(HOST.as_str()).is_some_and(|host| {
                        origin
                            .split_once("://")
                            .is_some_and(|(_, authority)| authority == host)
                    })
            }
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_taskdeck_pages_may_change_anything() {
        let guard = SameOriginGuard::new("https://tasks.example.com", &[]);
        assert!(guard.allows(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!guard.allows(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!guard.allows(&headers(&[("sec-fetch-site", "same-site")])));
        // Sec-Fetch-Site wins over a forged-looking Origin either way.
        assert!(!guard.allows(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://tasks.example.com")
        ])));
        assert!(guard.allows(&headers(&[("origin", "https://tasks.example.com")])));
        assert!(!guard.allows(&headers(&[("origin", "https://evil.example")])));
        assert!(!guard.allows(&headers(&[("origin", "null")])));
        assert!(guard.allows(&headers(&[
            ("origin", "http://127.0.0.1:4000"),
            ("host", "127.0.0.1:4000")
        ])));
        assert!(guard.allows(&headers(&[])), "programs send neither header");
    }

    #[test]
    fn origins_the_operator_allowed_may_call_from_their_pages() {
        let guard = SameOriginGuard::new(
            "https://tasks.example.com",
            &["https://partner.example".to_owned()],
        );
        assert!(guard.allows(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://partner.example")
        ])));
        assert!(!guard.allows(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://partner.example.evil")
        ])));
    }
}
