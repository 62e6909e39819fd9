//! The whole application: the Leptos pages and server functions, and every other route (health,
//! live updates, the CSV export, web vitals, sign-in with providers, the error-reporting tunnel), behind the edge.

use crate::error_reporting::Tunnel;
use crate::export::Export;
use crate::health::Health;
use crate::http::{app_files, edge};
use crate::live::Live;
use crate::oauth::OAuth;
use crate::web_vitals::WebVitals;
use crate::Config;
use app::{shell, App, AppUrl, BrowserErrorReporting, OfferedProviders, SecureCookies};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use store::flags::Flags;
use store::Db;

/// Builds the whole application router. `health` is shared with `serve`, which marks the
/// server as not ready once it starts shutting down.
pub fn router(config: &Config, db: Db, leptos_options: LeptosOptions, health: &Health) -> Router {
    let routes = route_list();
    let route_templates = routes.iter().map(|route| route.path().to_owned());
    let web_vitals = WebVitals::new(route_templates);
    let flags = Flags::new(db.clone(), config.features.refresh);

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
                let flags = flags.clone();
                let offered = OfferedProviders {
                    providers: config.oauth.offered(),
                    sign_in_origins: config.oauth.authorization_origins(),
                };
                let secure_cookies = SecureCookies(config.is_https());
                let app_url = AppUrl(config.http.app_url.clone());
                move || {
                    provide_context(app_url.clone());
                    provide_context(db.clone());
                    provide_context(flags.clone());
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
        .merge(app_files(&leptos_options))
        .merge(health.routes())
        .merge(web_vitals.routes())
        .merge(Live::new(db.clone(), health.shutdown_signal()).routes())
        .merge(Export::new(db.clone(), flags).routes())
        .merge(OAuth::new(config.oauth.clone(), &config.http.app_url, db.clone()).routes());
    if let Some(dsn) = &config.error_reporting.dsn {
        app = app.merge(Tunnel::new(dsn.clone()).routes());
    }
    let app = app.fallback(leptos_axum::file_and_error_handler(shell));
    edge(app, config, db).with_state(leptos_options)
}

/// The app's routes, generated once per process. Generating them runs the app with resource
/// loading suppressed process-wide (leptos#4773), so a second generation while another router is
/// serving (several servers in one test binary) could leave a page's resources pending forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
