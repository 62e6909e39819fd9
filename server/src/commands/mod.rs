//! One module per subcommand of `taskdeck`; `main.rs` only parses the command line and calls
//! the one asked for. A new command (backup, restore…) is a new file here and a line in main.

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
    #[error("the operating system gave no random bytes: {0}")]
    Random(#[from] getrandom::Error),
}
