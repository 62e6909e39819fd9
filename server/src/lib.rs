//! The taskdeck server: configuration, the HTTP stack and the commands of the binary.

pub mod config;
pub mod http;
pub mod seed;
pub mod telemetry;

pub use config::Config;
