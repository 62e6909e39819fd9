//! One module per subcommand of `taskdeck`; `main.rs` only parses the command line and calls
//! the one asked for. A new command is a new file here and a line in main.

pub mod admin;
pub mod backup;
pub mod flags;
pub mod gen_secret;
pub mod healthcheck;
pub mod migrate;
pub mod seed;
pub mod serve;

use crate::startup::StartupError;
use std::error::Error as _;
use store::Db;

/// Why a command failed; each keeps its cause.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error("{0}")]
    Healthcheck(String),
    #[error(transparent)]
    Backup(#[from] store::backup::BackupError),
    #[error(transparent)]
    Backups(#[from] crate::backups::BackupsError),
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Verify(String),
    #[error("the operating system gave no random bytes: {0}")]
    Random(#[from] getrandom::Error),
    #[error("{err}{}", err.source().map(|cause| format!(": {cause}")).unwrap_or_default())]
    Store {
        #[from]
        err: store::StoreError,
    },
    /// The command cannot do what was asked; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
}

/// Commands that read and write the app's own tables need them as this release made them.
async fn require_current_schema(db: &Db) -> Result<(), CommandError> {
    let pending = db
        .migration_status()
        .await?
        .into_iter()
        .filter(|(_, applied)| !applied)
        .count();
    if pending > 0 {
        return Err(CommandError::Refused(format!(
            "the database has {pending} pending migration(s): run `taskdeck migrate up` first"
        )));
    }
    Ok(())
}
