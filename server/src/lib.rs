//! The taskdeck server: configuration, the HTTP stack and the commands of the binary.
//!
//! Read from the bottom up: `config` and `tls` (settings and the TLS provider, import nothing
//! here) → `telemetry`, `metrics`, `error_reporting` → `http`'s middleware → the routes (`health`,
//! `live`, `export`, `oauth`, `web_vitals`) → `router` → `backups` → `jobs` → `startup` (one start
//! for the binary and the tests) → `commands` (one module per subcommand, called from `main.rs`).

pub mod backups;
pub mod commands;
pub mod config;
pub mod error_reporting;
pub mod export;
pub mod health;
pub mod http;
pub mod jobs;
pub mod live;
pub mod metrics;
pub mod oauth;
pub mod router;
pub mod startup;
pub mod telemetry;
pub mod tls;
pub mod web_vitals;

pub use config::Config;
