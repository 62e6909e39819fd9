//! Everything between the network and the routes, in the order a request meets it.

use super::csrf::SameOriginGuard;
use super::rate_limit::RequestLimits;
use super::security_headers::SecurityHeaders;
use super::{
    form_errors, requests, server_fn_bodies, server_fn_errors, session_lifetime, unavailable,
};
use crate::Config;
use axum::{middleware, Router};
use axum_login::AuthManagerLayerBuilder;
use http::StatusCode;
use http::{header, HeaderValue, Method};
use sentry::integrations::tower::{NewSentryLayer, SentryHttpLayer};
use std::time::Duration;
use store::auth::Backend;
use store::sessions::DbSessionStore;
use store::Db;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Everything between the network and the routes: sessions and sign-in, limits, CSRF, security
/// headers, timeouts, panics, error reporting and request logs. Public so tests can put a route
/// of their own (one that panics, say) behind the very same edge.
pub fn edge<S>(app: Router<S>, config: &Config, db: Db) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let session_layer = SessionManagerLayer::new(DbSessionStore::new(
        db.clone(),
        config.sessions.secret.expose().as_bytes(),
    ))
    // Over https the `__Host-` prefix makes the browser refuse the cookie unless it is Secure,
    // host-only and for the whole site, so a sibling subdomain cannot plant or shadow it.
    .with_name(if config.is_https() {
        "__Host-taskdeck_session"
    } else {
        "taskdeck_session"
    })
    .with_path("/")
    .with_http_only(true)
    // Lax, not Strict: links from e-mail and OAuth callbacks must arrive signed in.
    .with_same_site(SameSite::Lax)
    .with_secure(config.is_https())
    .with_expiry(Expiry::OnInactivity(
        time::Duration::try_from(config.sessions.idle_timeout).unwrap_or(time::Duration::days(14)),
    ));
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(db), session_layer).build();

    let security_headers = SecurityHeaders {
        https: config.is_https(),
    };
    let same_origin = SameOriginGuard::new(&config.http.app_url, &config.http.cors_allowed_origins);
    let limits = RequestLimits::new(
        config.limits.clone(),
        config.http.max_connections_per_client,
    );

    // The last layer added is the outermost: `observe` sees every request, even timed-out ones.
    app.route_layer(middleware::from_fn(server_fn_bodies::checked))
        .route_layer(middleware::from_fn(
            server_fn_errors::decode_errors_are_bad_requests,
        ))
        .route_layer(middleware::from_fn(requests::label))
        .layer(middleware::from_fn(form_errors::keep_out_of_urls))
        .layer(middleware::from_fn_with_state(
            session_lifetime::Lifetimes {
                absolute: config.sessions.absolute_lifetime,
                idle: config.sessions.idle_timeout,
            },
            session_lifetime::keep_sessions_within_their_lifetimes,
        ))
        .layer(auth_layer)
        .layer(middleware::from_fn(unavailable::sessions_unavailable))
        .layer(CompressionLayer::new())
        // A panicking handler answers 500 instead of dropping the connection; Sentry's panic
        // hook has already reported it.
        .layer(CatchPanicLayer::new())
        .layer(SentryHttpLayer::new().enable_transaction())
        .layer(NewSentryLayer::<axum::extract::Request>::new_from_top())
        .layer(middleware::from_fn(move |request, next| {
            same_origin.clone().check(request, next)
        }))
        .layer(middleware::from_fn(move |request, next| {
            limits.clone().apply(request, next)
        }))
        // Same-origin only unless the operator listed other origins: then those, and only those, may
        // read answers and send the session cookie along.
        .layer(cors(&config.http.cors_allowed_origins))
        // Outside every layer that reads a body (the limits read sign-in forms), so that no request
        // outlives the timeout, however slowly its body arrives.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.http.request_timeout,
        ))
        // Outside the timeout and panic layers, so even their answers carry the headers.
        .layer(middleware::from_fn(move |request, next| {
            security_headers.apply(request, next)
        }))
        .layer(middleware::from_fn(requests::observe))
}

fn cors(allowed: &[String]) -> tower::util::Either<CorsLayer, tower::layer::util::Identity> {
    let origins: Vec<HeaderValue> = allowed
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return tower::util::Either::Right(tower::layer::util::Identity::new());
    }
    tower::util::Either::Left(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
            .allow_credentials(true)
            .max_age(Duration::from_secs(600)),
    )
}
