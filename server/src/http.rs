//! The HTTP stack in one place: routes, sessions and sign-in, and the middleware around them.

use crate::Config;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use axum_login::AuthManagerLayerBuilder;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::OnceLock;
use store::auth::Backend;
use store::sessions::DbSessionStore;
use store::Db;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Builds the whole application router.
pub fn router(config: &Config, db: Db, leptos_options: LeptosOptions) -> Router {
    let routes = route_list();

    let session_layer = SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name("taskdeck_session")
        .with_http_only(true)
        // Lax, not Strict: links from e-mail and OAuth callbacks must arrive signed in.
        .with_same_site(SameSite::Lax)
        .with_secure(config.is_https())
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(config.session_idle_timeout)
                .unwrap_or(time::Duration::days(14)),
        ));
    let auth_layer = AuthManagerLayerBuilder::new(Backend::new(db.clone()), session_layer).build();

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            {
                let db = db.clone();
                move || provide_context(db.clone())
            },
            {
                let leptos_options = leptos_options.clone();
                move || shell(leptos_options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(auth_layer)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(leptos_options)
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
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(%err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
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
