//! `taskdeck migrate up|down|status`: the database schema, by hand.

use super::CommandError;
use crate::startup::{connect, migrate};
use crate::Config;

#[derive(Clone, Debug, clap::Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub action: MigrateAction,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum MigrateAction {
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

pub async fn run(args: MigrateArgs, config: &Config) -> Result<(), CommandError> {
    let db = connect(&config.database.pool).await?;
    match args.action {
        MigrateAction::Up => migrate(&db, &config.backups).await?,
        MigrateAction::Down { steps } => db.migrate_down(steps).await?,
        MigrateAction::Status => {
            for (name, applied) in db.migration_status().await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
        }
    }
    Ok(())
}
