//! The app's own files under `/pkg`: its script, its WebAssembly and its stylesheet.
//!
//! They keep their names from one release to the next, so a browser must ask every time whether
//! its copy is still current: `no-cache` makes it ask, and the answer is a 304 without a body
//! when it is. Without the header a browser keeps such files for as long as it guesses is safe,
//! and after an upgrade runs the old app against the new server. Leptos's own file handler passes
//! no `If-Modified-Since` on, so these files are served here, where a 304 is possible.

use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use leptos::config::LeptosOptions;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// The route the app's files are served under.
pub const ROUTE: &str = "/pkg/{*file}";

/// Serves the site root's `pkg` directory; the route restricts it to `/pkg/…`.
pub fn app_files(options: &LeptosOptions) -> SetResponseHeader<ServeDir, HeaderValue> {
    SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-cache"))
        .layer(ServeDir::new(&*options.site_root))
}
