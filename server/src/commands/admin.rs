//! `taskdeck admin grant|revoke EMAIL`: who is an instance admin (sees the admin page).

use super::{require_current_schema, CommandError};
use crate::startup::connect;
use crate::Config;
use domain::Email;

#[derive(Clone, Debug, clap::Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub action: AdminAction,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum AdminAction {
    /// Make the account with this email an instance admin.
    Grant {
        #[arg(value_parser = parse_email)]
        email: Email,
    },
    /// Make the account with this email an ordinary account again.
    Revoke {
        #[arg(value_parser = parse_email)]
        email: Email,
    },
}

fn parse_email(email: &str) -> Result<Email, String> {
    Email::parse(email).map_err(|err| err.to_string())
}

pub async fn run(args: AdminArgs, config: &Config) -> Result<(), CommandError> {
    let db = connect(&config.database.pool).await?;
    require_current_schema(&db).await?;
    let (email, admin) = match args.action {
        AdminAction::Grant { email } => (email, true),
        AdminAction::Revoke { email } => (email, false),
    };
    match store::users::set_admin(&db, &email, admin).await? {
        Some(_) if admin => println!("{} is an instance admin", email.as_str()),
        Some(_) => println!("{} is no longer an instance admin", email.as_str()),
        None => {
            return Err(CommandError::Refused(format!(
                "no account has the email {}",
                email.as_str()
            )))
        }
    }
    Ok(())
}
