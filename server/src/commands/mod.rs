//! One module per subcommand of `taskdeck`; `main.rs` only parses the command line and calls
//! the one asked for. A new command is a new file here and a line in main.

pub mod backup;
pub mod gen_secret;
pub mod healthcheck;
pub mod migrate;
pub mod seed;
pub mod serve;

use crate::startup::StartupError;

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
}
