//! The taskdeck server: configuration, the HTTP stack and the commands of the binary.

mod assets;
pub mod config;
pub mod csrf;
pub mod error_reporting;
mod form_errors;
pub mod health;
pub mod http;
pub mod live;
pub mod metrics;
pub mod oauth;
pub mod rate_limit;
mod requests;
pub mod security_headers;
pub mod seed;
mod server_fn_errors;
mod session_lifetime;
pub mod telemetry;
pub mod web_vitals;

pub use config::Config;
