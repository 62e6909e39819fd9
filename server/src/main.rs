//! `taskdeck`: serve the app, manage the schema, or load demo data.

use clap::{Parser, Subcommand};
use leptos::config::get_configuration;
use server::health::{self, Health};
use server::{config::Config, error_reporting, http, metrics, seed, telemetry};
use std::process::ExitCode;
use store::Db;

#[derive(Parser)]
#[command(name = "taskdeck", version, about = "A self-hostable task manager")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Taskdeck (the default).
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Create a demo account with sample projects and tasks.
    Seed,
    /// Exit 0 when the server on this machine answers /healthz (the container's health check).
    Healthcheck,
    /// Print a fresh random value for SESSION_SECRET.
    GenSecret,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Needs no configuration: it is how a missing SESSION_SECRET gets made.
    if let Some(Command::GenSecret) = cli.command {
        return match server::config::generate_secret() {
            Ok(secret) => {
                println!("{secret}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("taskdeck: the operating system gave no random bytes: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("taskdeck: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    // Sentry starts before the runtime so that a panic anywhere is reported; the guard flushes
    // pending events when main returns.
    let _sentry = error_reporting::init(&config.error_reporting);
    telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("taskdeck: could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve { no_migrate: false });
    match runtime.block_on(run(command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "taskdeck stopped");
            eprintln!("taskdeck: {err}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn connect(config: &Config) -> Result<Db, BoxError> {
    store::db::prepare_sqlite_dir(&config.database.url)?;
    Ok(Db::connect(&config.database)
        .await
        .map_err(|e| format!("could not connect to the database: {e}"))?)
}

async fn run(command: Command, config: Config) -> Result<(), BoxError> {
    // Installed first, so that nothing recorded at start-up (migrations) is lost.
    let metrics_handle = metrics::recorder();
    match command {
        Command::Serve { no_migrate } => {
            let db = connect(&config).await?;
            if config.run_migrations && !no_migrate {
                db.migrate_up().await?;
            }
            let mut leptos_options = get_configuration(None)?.leptos_options;
            leptos_options.site_addr = config.site_addr;
            if config.session_secret_is_development {
                tracing::warn!("SESSION_SECRET is not set: using the development secret, fine over http on your own machine only");
            }
            let health = Health::new(db.clone());
            let router = http::router(&config, db.clone(), leptos_options, &health);
            let listener = http::bind(config.site_addr).await?;
            let metrics_listener = http::bind(config.metrics_addr).await?;
            let metrics_router = metrics::router(metrics_handle, db);
            tracing::info!(
                address = %config.site_addr,
                url = %config.app_url,
                metrics = %config.metrics_addr,
                sentry = config.error_reporting.dsn.is_some(),
                "serving Taskdeck"
            );
            tokio::select! {
                served = http::serve(listener, router, health) => served?,
                served = metrics::serve(metrics_listener, metrics_router) => served?,
            }
        }
        Command::Migrate { action } => {
            let db = connect(&config).await?;
            match action {
                MigrateAction::Up => db.migrate_up().await?,
                MigrateAction::Down { steps } => db.migrate_down(steps).await?,
                MigrateAction::Status => {
                    for (name, applied) in db.migration_status().await? {
                        println!("{} {name}", if applied { "applied" } else { "pending" });
                    }
                }
            }
        }
        Command::Seed => {
            let db = connect(&config).await?;
            db.migrate_up().await?;
            seed::run(&db).await?;
            println!(
                "Seeded. Sign in as {} with password {}",
                seed::DEMO_EMAIL,
                seed::DEMO_PASSWORD
            );
        }
        Command::Healthcheck => health::probe(config.site_addr).await?,
        Command::GenSecret => println!("{}", server::config::generate_secret()?),
    }
    Ok(())
}
