//! The HTTP stack: the middleware (each in its own file), the edge that stacks them in order, the
//! app's static files, and listening and serving. Nothing here knows the routes: the middleware
//! modules import only settings and metrics, `edge` puts them together, and `crate::router` puts
//! the routes behind it.

mod assets;
mod connections;
pub mod csrf;
mod edge;
mod form_errors;
pub mod rate_limit;
mod requests;
pub mod security_headers;
mod serve;
mod server_fn_bodies;
mod server_fn_errors;
mod session_lifetime;
mod unavailable;

pub use assets::{app_files, resolve_hashing, AssetsError};
pub use edge::edge;
pub use serve::{bind, serve, shutdown_signal, ServeSettings};
