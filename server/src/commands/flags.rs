//! `taskdeck flags [list]`, `taskdeck flags on|off NAME [--for EMAIL]...`: feature flags, changed
//! without a redeploy. Running servers see a change within `FEATURE_FLAGS_REFRESH_SECONDS`.

use super::{require_current_schema, CommandError};
use crate::startup::connect;
use crate::Config;
use domain::{Email, Feature};
use store::flags::{self, AccountsChanged};

#[derive(Clone, Debug, Default, clap::Args)]
pub struct FlagsArgs {
    #[command(subcommand)]
    pub action: Option<FlagsAction>,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum FlagsAction {
    /// Every flag of this release and where it is on (the default).
    List,
    /// Turn a flag on for everyone, or with --for only for those accounts (added to the ones it
    /// is already on for).
    On(FlagChange),
    /// Turn a flag off for everyone (the kill switch: also forgets its accounts), or with --for
    /// only for those accounts.
    Off(FlagChange),
}

#[derive(Clone, Debug, clap::Args)]
pub struct FlagChange {
    /// The flag's name (`taskdeck flags` lists them).
    #[arg(value_parser = parse_feature)]
    pub name: Feature,
    /// An account's email; may be given more than once.
    #[arg(long = "for", value_name = "EMAIL", value_parser = parse_email)]
    pub accounts: Vec<Email>,
}

fn parse_feature(name: &str) -> Result<Feature, String> {
    Feature::parse(name).map_err(|err| err.to_string())
}

fn parse_email(email: &str) -> Result<Email, String> {
    Email::parse(email).map_err(|err| err.to_string())
}

pub async fn run(args: FlagsArgs, config: &Config) -> Result<(), CommandError> {
    let db = connect(&config.database.pool).await?;
    require_current_schema(&db).await?;
    let (change, on) = match args.action.unwrap_or(FlagsAction::List) {
        FlagsAction::List => {
            for state in flags::states(&db).await? {
                let mut line = format!("{:<16} {}", state.feature, state.summary());
                if !state.everyone && !state.accounts.is_empty() {
                    line.push_str(&format!(" ({})", state.accounts.join(", ")));
                }
                println!("{line}\n{:<16} {}", "", state.feature.description());
            }
            return Ok(());
        }
        FlagsAction::On(change) => (change, true),
        FlagsAction::Off(change) => (change, false),
    };
    let word = if on { "on" } else { "off" };
    if change.accounts.is_empty() {
        flags::set_everyone(&db, change.name, on).await?;
        println!("{} is {word} for everyone", change.name);
        return Ok(());
    }
    match flags::set_for_accounts(&db, change.name, &change.accounts, on).await? {
        AccountsChanged::Changed => {
            let emails: Vec<&str> = change.accounts.iter().map(Email::as_str).collect();
            println!("{} is {word} for {}", change.name, emails.join(", "));
            Ok(())
        }
        AccountsChanged::NoAccount(email) => Err(CommandError::Refused(format!(
            "no account has the email {email}; nothing was changed"
        ))),
        AccountsChanged::OnForEveryone => Err(CommandError::Refused(format!(
            "{} is on for everyone, so turning it off for some accounts would change nothing; \
             `taskdeck flags off {}` turns it off for everyone",
            change.name, change.name
        ))),
    }
}
