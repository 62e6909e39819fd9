//! `taskdeck`: serve the app, manage the schema, or load demo data. This file is the table of
//! contents: it parses the command line, reads the configuration, starts error reporting and
//! logs, and calls the command's module in `server::commands`.

use clap::{Parser, Subcommand};
use server::commands::admin::AdminArgs;
use server::commands::backup::{BackupArgs, RestoreArgs};
use server::commands::flags::FlagsArgs;
use server::commands::{self, migrate::MigrateArgs, serve::ServeArgs, CommandError};
use server::{error_reporting, telemetry, tls, Config};
use std::process::ExitCode;

// Rendering a page allocates many small strings and nodes on every core at once; glibc's
// allocator spent a third of the server's time there under load (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "taskdeck", version, about = "A self-hostable task manager")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Taskdeck (the default).
    Serve(ServeArgs),
    /// Apply, revert or list database migrations.
    Migrate(MigrateArgs),
    /// Write a portable backup of the database, or verify one (`backup verify FILE`).
    Backup(BackupArgs),
    /// Restore a backup into the database (refused if it holds data, unless --force).
    Restore(RestoreArgs),
    /// Create a demo account with sample projects and tasks.
    Seed,
    /// List feature flags, or turn one on or off (for everyone or chosen accounts).
    Flags(FlagsArgs),
    /// Make an account an instance admin, or no longer one.
    Admin(AdminArgs),
    /// Exit 0 when the server on this machine answers /healthz (the container's health check).
    Healthcheck,
    /// Print a fresh random value for SESSION_SECRET.
    GenSecret,
}

fn main() -> ExitCode {
    tls::install_crypto_provider();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::GenSecret = command {
        return exit(commands::gen_secret::run());
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
    exit(runtime.block_on(async {
        match command {
            Command::Serve(args) => commands::serve::run(args, &config).await,
            Command::Migrate(args) => commands::migrate::run(args, &config).await,
            Command::Backup(args) => commands::backup::run(args, &config).await,
            Command::Restore(args) => commands::backup::restore(args, &config).await,
            Command::Seed => commands::seed::run(&config).await,
            Command::Flags(args) => commands::flags::run(args, &config).await,
            Command::Admin(args) => commands::admin::run(args, &config).await,
            Command::Healthcheck => commands::healthcheck::run(&config).await,
            Command::GenSecret => commands::gen_secret::run(),
        }
    }))
}

fn exit(result: Result<(), CommandError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "taskdeck stopped");
            eprintln!("taskdeck: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
