//! `taskdeck gen-secret`: print a fresh value for SESSION_SECRET. Needs no configuration: it is
//! how a missing SESSION_SECRET gets made.

use super::CommandError;

pub fn run() -> Result<(), CommandError> {
    println!("{}", crate::config::generate_secret()?);
    Ok(())
}
