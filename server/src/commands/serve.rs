//! `taskdeck serve` (the default): start the server and serve until SIGINT or SIGTERM.

use super::CommandError;
use crate::startup::Application;
use crate::{http, Config};

#[derive(Clone, Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Do not apply pending migrations at start.
    #[arg(long)]
    pub no_migrate: bool,
}

pub async fn run(args: ServeArgs, config: &Config) -> Result<(), CommandError> {
    let migrate = config.database.run_migrations && !args.no_migrate;
    let app = Application::build(config, migrate).await?;
    tracing::info!(
        address = %app.address(),
        url = %config.http.app_url,
        metrics = %app.metrics_address(),
        sentry = config.error_reporting.dsn.is_some(),
        "serving Taskdeck"
    );
    app.run_until(http::shutdown_signal()).await?;
    Ok(())
}
