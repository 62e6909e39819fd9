//! Logging: human-readable by default, JSON for log collectors; errors also go to Sentry when it
//! is configured (the layer does nothing without a client).

use crate::config::LogSettings;
use sentry::integrations::tracing::{BreadcrumbLayer, ErrorLayer};
use tracing::Level;
use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Installs the global subscriber, writing to standard output. `RUST_LOG`, when set, overrides
/// `LOG_LEVEL`.
pub fn init(settings: &LogSettings) {
    init_with_writer(settings, std::io::stdout);
}

/// The same subscriber writing somewhere else; tests read what would have been logged.
pub fn init_with_writer<W>(settings: &LogSettings, writer: W)
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    let output = if settings.json {
        fmt::layer()
            .with_writer(writer)
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed()
    } else {
        fmt::layer().with_writer(writer).with_target(true).boxed()
    };
    // A second init (tests start several apps in one process) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        // Internal errors of server functions capture their own event (to quote its id).
        .with(ErrorLayer::new().with_filter(filter_fn(|meta| {
            *meta.level() == Level::ERROR && meta.target() != app::INTERNAL_ERROR_TARGET
        })))
        .with(BreadcrumbLayer::new().with_filter(LevelFilter::INFO))
        .try_init();
}
