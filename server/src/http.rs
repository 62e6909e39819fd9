//! The HTTP stack in one place: routes, sessions and sign-in, and the middleware around them.

use crate::csrf::SameOriginGuard;
use crate::error_reporting::Tunnel;
use crate::health::Health;
use crate::live::Live;
use crate::oauth::OAuth;
use crate::rate_limit::RequestLimits;
use crate::security_headers::SecurityHeaders;
use crate::web_vitals::WebVitals;
use crate::Config;
use crate::{assets, form_errors, requests, server_fn_errors, session_lifetime};
use app::{shell, App, BrowserErrorReporting, OfferedProviders, SecureCookies};
use axum::{middleware, Router};
use axum_login::AuthManagerLayerBuilder;
use http::StatusCode;
use http::{header, HeaderValue, Method};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sentry::integrations::tower::{NewSentryLayer, SentryHttpLayer};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use store::auth::Backend;
use store::sessions::DbSessionStore;
use store::Db;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Builds the whole application router. `health` is shared with `serve`, which marks the
/// server as not ready once it starts shutting down.
pub fn router(config: &Config, db: Db, leptos_options: LeptosOptions, health: &Health) -> Router {
    let routes = route_list();
    let route_templates = routes.iter().map(|route| route.path().to_owned());
    let web_vitals = WebVitals::new(route_templates);

    let reporting = config
        .error_reporting
        .dsn
        .as_ref()
        .map(|dsn| BrowserErrorReporting {
            dsn: crate::error_reporting::public_dsn(dsn),
            release: config.error_reporting.release.clone(),
            environment: config.error_reporting.environment.clone(),
        });
    let mut app = Router::new()
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let db = db.clone();
                let offered = OfferedProviders {
                    providers: config.oauth.offered(),
                    sign_in_origins: config.oauth.authorization_origins(),
                };
                let secure_cookies = SecureCookies(config.is_https());
                move || {
                    provide_context(db.clone());
                    provide_context(offered.clone());
                    provide_context(secure_cookies);
                    if let Some(reporting) = reporting.clone() {
                        provide_context(reporting);
                    }
                }
            },
            {
                let leptos_options = leptos_options.clone();
                move || shell(leptos_options.clone())
            },
        )
        .route_service(assets::ROUTE, assets::app_files(&leptos_options))
        .merge(health.routes())
        .merge(web_vitals.routes())
        .merge(Live::new(db.clone(), health.shutdown_signal()).routes())
        .merge(OAuth::new(config.oauth.clone(), &config.app_url, db.clone()).routes());
    if let Some(dsn) = &config.error_reporting.dsn {
        app = app.merge(Tunnel::new(dsn.clone()).routes());
    }
    let app = app.fallback(leptos_axum::file_and_error_handler(shell));
    edge(app, config, db).with_state(leptos_options)
}

/// Everything between the network and the routes: sessions and sign-in, limits, CSRF, security
/// headers, timeouts, panics, error reporting and request logs. Public so tests can put a route
/// of their own (one that panics, say) behind the very same edge.
pub fn edge<S>(app: Router<S>, config: &Config, db: Db) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let session_layer = SessionManagerLayer::new(DbSessionStore::new(
        db.clone(),
        config.session_secret.expose().as_bytes(),
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
        time::Duration::try_from(config.session_idle_timeout).unwrap_or(time::Duration::days(14)),
    ));
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(db), session_layer).build();

    let security_headers = SecurityHeaders {
        https: config.is_https(),
    };
    let same_origin = SameOriginGuard::new(&config.app_url, &config.cors_allowed_origins);
    let limits = RequestLimits::new(config.limits.clone());

    // The last layer added is the outermost: `observe` sees every request, even timed-out ones.
    app.route_layer(middleware::from_fn(
        server_fn_errors::decode_errors_are_bad_requests,
    ))
    .route_layer(middleware::from_fn(requests::label))
    .layer(middleware::from_fn(form_errors::keep_out_of_urls))
    .layer(middleware::from_fn_with_state(
        config.session_absolute_lifetime,
        session_lifetime::end_sessions_past_their_lifetime,
    ))
    .layer(auth_layer)
    .layer(CompressionLayer::new())
    // A panicking handler answers 500 instead of dropping the connection; Sentry's panic
    // hook has already reported it.
    .layer(CatchPanicLayer::new())
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.request_timeout,
    ))
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
    .layer(cors(&config.cors_allowed_origins))
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

/// The app's routes, generated once per process. Generating them runs the app with resource
/// loading suppressed process-wide (leptos#4773), so a second generation while another router is
/// serving (several servers in one test binary) could leave a page's resources pending forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Binds the listening socket.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight. TCP_NODELAY matters:
/// without it, Nagle's algorithm and delayed ACKs add ~40 ms to every streamed response on a
/// keep-alive connection.
pub async fn serve(listener: TcpListener, router: Router, health: Health) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(%err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        health.begin_shutdown();
    })
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
