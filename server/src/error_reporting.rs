//! Sentry: server errors and panics, and a same-origin tunnel for the browser's reports.
//!
//! Off unless `SENTRY_DSN` is set. Every event passes `scrub` before it leaves: no cookie, no
//! Authorization header, no email address, whatever the integration that produced it.

use crate::config::ErrorReportingSettings;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use sentry::protocol::Event;
use sentry::types::Dsn;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Where the browser posts its envelopes; same origin, so the CSP keeps `connect-src 'self'`.
pub const TUNNEL_PATH: &str = "/monitoring/sentry";
/// Larger envelopes (attachments, replays) are refused: the browser sends small error events.
const TUNNEL_MAX_BYTES: usize = 64 * 1024;

/// Starts the Sentry client when a DSN is configured; keep the guard alive for the process.
pub fn init(settings: &ErrorReportingSettings) -> Option<sentry::ClientInitGuard> {
    let dsn = settings.dsn.clone()?;
    // Sentry's transport builds a TLS client, which needs the process's provider.
    crate::tls::install_crypto_provider();
    let mut options = sentry::ClientOptions::new()
        .release(settings.release.clone())
        .environment(settings.environment.clone())
        .send_default_pii(false)
        .attach_stacktrace(true)
        .shutdown_timeout(Duration::from_secs(2))
        .before_send(|event| Some(scrub(event)));
    // Assigned, not parsed again through `.dsn(&str)`, which panics on a bad value.
    options.dsn = Some(dsn);
    Some(sentry::init(options))
}

/// The DSN as the browser may see it: public key, host and project; never a (legacy) secret key.
pub fn public_dsn(dsn: &Dsn) -> String {
    format!(
        "{}://{}@{}:{}/{}",
        dsn.scheme(),
        dsn.public_key(),
        dsn.host(),
        dsn.port(),
        dsn.project_id()
    )
}

static EMAIL: LazyLock<regex_lite::Regex> = LazyLock::new(|| {
    regex_lite::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
        .unwrap_or_else(|err| unreachable!("constant pattern: {err}"))
});

const REDACTED_EMAIL: &str = "[email]";

/// Removes what must never reach an error tracker: cookies, credentials, email addresses.
pub fn scrub(mut event: Event<'static>) -> Event<'static> {
    if let Some(request) = event.request.as_mut() {
        request.cookies = None;
        request.data = None;
        request.headers.retain(|name, _| {
            !matches!(
                name.to_ascii_lowercase().as_str(),
                "cookie" | "authorization" | "proxy-authorization" | "set-cookie" | "x-csrf-token"
            )
        });
        // A query string can carry what a form was refused with, email included.
        request.query_string = None;
        if let Some(url) = request.url.as_mut() {
            url.set_query(None);
        }
    }
    if let Some(user) = event.user.as_mut() {
        user.email = None;
        user.ip_address = None;
    }
    let clean = |text: &mut String| {
        if let Cow::Owned(replaced) = EMAIL.replace_all(text, REDACTED_EMAIL) {
            *text = replaced;
        }
    };
    if let Some(message) = event.message.as_mut() {
        clean(message);
    }
    if let Some(logentry) = event.logentry.as_mut() {
        clean(&mut logentry.message);
    }
    for exception in event.exception.values.iter_mut() {
        if let Some(value) = exception.value.as_mut() {
            clean(value);
        }
    }
    for breadcrumb in event.breadcrumbs.values.iter_mut() {
        if let Some(message) = breadcrumb.message.as_mut() {
            clean(message);
        }
    }
    for value in event.extra.values_mut() {
        if let serde_json::Value::String(text) = value {
            clean(text);
        }
    }
    event
}

/// Forwards envelopes from the browser to the configured Sentry project, and nowhere else.
#[derive(Clone)]
pub struct Tunnel {
    dsn: Arc<Dsn>,
    http: reqwest::Client,
    limiter: Arc<crate::http::rate_limit::RateLimiter>,
}

impl Tunnel {
    pub fn new(dsn: Dsn) -> Self {
        Self {
            dsn: Arc::new(dsn),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            // A browser in trouble may report a burst; a flood from one address is cut off.
            limiter: Arc::new(crate::http::rate_limit::RateLimiter::new(
                30,
                Duration::from_secs(60),
            )),
        }
    }

    pub fn routes<S>(&self) -> Router<S> {
        Router::new()
            .route(TUNNEL_PATH, post(forward))
            .layer(DefaultBodyLimit::max(TUNNEL_MAX_BYTES))
            .with_state(self.clone())
    }
}

async fn forward(
    State(tunnel): State<Tunnel>,
    client: crate::http::rate_limit::ClientAddr,
    body: Bytes,
) -> StatusCode {
    if !tunnel.limiter.allow(client.0) {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    if !is_for(&body, &tunnel.dsn) {
        return StatusCode::BAD_REQUEST;
    }
    let body = scrub_envelope(&body);
    let sent = tunnel
        .http
        .post(tunnel.dsn.envelope_api_url().as_str())
        .header("content-type", "application/x-sentry-envelope")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => StatusCode::OK,
        Ok(response) => {
            tracing::warn!(status = %response.status(), "Sentry refused a browser envelope");
            StatusCode::BAD_GATEWAY
        }
        Err(err) => {
            tracing::warn!(error = %err, "could not forward a browser envelope to Sentry");
            StatusCode::BAD_GATEWAY
        }
    }
}

/// The envelope header (its first line) must name exactly the configured DSN's key, host and
/// project: the tunnel is not an open relay to other projects or hosts.
fn is_for(envelope: &[u8], dsn: &Dsn) -> bool {
    let header = envelope.split(|b| *b == b'\n').next().unwrap_or_default();
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(header) else {
        return false;
    };
    let Some(Ok(claimed)) = header
        .get("dsn")
        .and_then(|d| d.as_str())
        .map(str::parse::<Dsn>)
    else {
        return false;
    };
    claimed.public_key() == dsn.public_key()
        && claimed.host() == dsn.host()
        && claimed.port() == dsn.port()
        && claimed.project_id() == dsn.project_id()
}

/// Browser envelopes get the same treatment as server events: email addresses are replaced.
fn scrub_envelope(envelope: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(envelope) {
        Ok(text) => EMAIL
            .replace_all(text, REDACTED_EMAIL)
            .into_owned()
            .into_bytes(),
        Err(_) => envelope.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dsn() -> Dsn {
        "http://publickey@127.0.0.1:9000/42".parse().expect("dsn")
    }

    #[test]
    fn the_page_gets_the_public_part_of_the_dsn_only() {
        let legacy: Dsn = "https://public:secret@sentry.example.com/7"
            .parse()
            .expect("dsn");
        let shown = public_dsn(&legacy);
        assert_eq!(shown, "https://public@sentry.example.com:443/7");
        assert!(is_for(
            format!("{{\"dsn\":\"{shown}\"}}\n").as_bytes(),
            &legacy
        ));
    }

    #[test]
    fn the_tunnel_forwards_only_envelopes_for_its_own_project() {
        let ours = b"{\"dsn\":\"http://publickey@127.0.0.1:9000/42\"}\n{\"type\":\"event\"}\n{}\n";
        let other_project = b"{\"dsn\":\"http://publickey@127.0.0.1:9000/43\"}\n{}\n";
        let other_host = b"{\"dsn\":\"http://publickey@evil.example:9000/42\"}\n{}\n";
        assert!(is_for(ours, &dsn()));
        assert!(!is_for(other_project, &dsn()));
        assert!(!is_for(other_host, &dsn()));
        assert!(!is_for(b"not json\n", &dsn()));
        assert!(!is_for(b"{}\n", &dsn()));
    }

    #[test]
    fn events_lose_cookies_credentials_and_email_addresses() {
        let mut request = sentry::protocol::Request {
            cookies: Some("taskdeck_session=secret".to_owned()),
            query_string: Some("email=ada%40example.com".to_owned()),
            ..Default::default()
        };
        request
            .headers
            .insert("Cookie".to_owned(), "taskdeck_session=secret".to_owned());
        request
            .headers
            .insert("Authorization".to_owned(), "Bearer token".to_owned());
        request
            .headers
            .insert("Accept".to_owned(), "text/html".to_owned());
        let event = Event {
            request: Some(request),
            message: Some("sign-in failed for ada@example.com".to_owned()),
            ..Default::default()
        };
        let text = serde_json::to_string(&scrub(event)).expect("serialize");
        assert!(!text.contains("secret"), "{text}");
        assert!(!text.contains("Bearer"), "{text}");
        assert!(!text.contains("ada@example.com"), "{text}");
        assert!(!text.contains("ada%40example.com"), "{text}");
        assert!(text.contains("text/html"), "other headers stay: {text}");
    }
}
