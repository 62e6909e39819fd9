//! The database: where it is, the pool's size and timeouts, and whether to migrate at start.

use super::vars::{invalid, ConfigError, Vars};
use std::time::Duration;
use store::DbSettings;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/taskdeck.db?mode=rwc";

#[derive(Clone, Debug)]
pub struct DatabaseSettings {
    pub pool: DbSettings,
    /// `RUN_MIGRATIONS`: apply pending migrations when the server starts.
    pub run_migrations: bool,
}

impl DatabaseSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let url = vars
            .raw("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url(&url)?;
        let max_connections: u32 = vars.parse(
            "DATABASE_MAX_CONNECTIONS",
            10,
            "a whole number from 1 to 1000",
        )?;
        if !(1..=1000).contains(&max_connections) {
            return Err(invalid(
                "DATABASE_MAX_CONNECTIONS",
                "a whole number from 1 to 1000",
            ));
        }
        let min_connections: u32 = vars.parse(
            "DATABASE_MIN_CONNECTIONS",
            0,
            "a whole number no larger than DATABASE_MAX_CONNECTIONS",
        )?;
        if min_connections > max_connections {
            return Err(invalid(
                "DATABASE_MIN_CONNECTIONS",
                "a whole number no larger than DATABASE_MAX_CONNECTIONS",
            ));
        }
        let slow_ms: u64 = vars.parse(
            "DATABASE_SLOW_STATEMENT_MS",
            500,
            "a whole number of milliseconds",
        )?;
        let pool = DbSettings {
            url,
            max_connections,
            min_connections,
            connect_timeout: vars.secs("DATABASE_CONNECT_TIMEOUT_SECS", 5)?,
            acquire_timeout: vars.secs("DATABASE_ACQUIRE_TIMEOUT_SECS", 5)?,
            idle_timeout: vars.secs("DATABASE_IDLE_TIMEOUT_SECS", 600)?,
            slow_statement_threshold: Duration::from_millis(slow_ms),
        };
        Ok(Self {
            pool,
            run_migrations: vars.parse("RUN_MIGRATIONS", true, "true or false")?,
        })
    }
}

/// Checks the scheme only; the value is never echoed because it may hold a password.
fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let known = ["postgres://", "postgresql://", "sqlite:"];
    if known.iter().any(|scheme| url.starts_with(scheme)) {
        Ok(())
    } else {
        Err(invalid(
            "DATABASE_URL",
            "a postgres://user:password@host/database URL or a sqlite://path/file.db?mode=rwc URL",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    fn error_of(vars: &[(&str, &str)]) -> String {
        read(vars, DatabaseSettings::from_vars)
            .expect_err("should be rejected")
            .to_string()
    }

    #[test]
    fn defaults_are_a_local_sqlite_file_migrated_at_start() {
        let settings = read(&[], DatabaseSettings::from_vars).expect("defaults");
        assert_eq!(settings.pool.url, DEFAULT_DATABASE_URL);
        assert_eq!(settings.pool.max_connections, 10);
        assert!(settings.run_migrations);
        let off = read(&[("RUN_MIGRATIONS", "false")], DatabaseSettings::from_vars).expect("ok");
        assert!(!off.run_migrations);
    }

    #[test]
    fn pool_sizes_and_timeouts_are_checked() {
        assert!(error_of(&[("DATABASE_MAX_CONNECTIONS", "0")]).contains("DATABASE_MAX_CONNECTIONS"));
        assert!(
            error_of(&[("DATABASE_MIN_CONNECTIONS", "20")]).contains("DATABASE_MIN_CONNECTIONS")
        );
        assert!(error_of(&[("DATABASE_ACQUIRE_TIMEOUT_SECS", "soon")]).contains("seconds"));
        assert!(error_of(&[("DATABASE_IDLE_TIMEOUT_SECS", "0")]).contains("seconds"));
    }

    #[test]
    fn database_url_errors_never_echo_the_url() {
        let message = error_of(&[("DATABASE_URL", "mysql://root:hunter2@db/tasks")]);
        assert!(
            message.starts_with("DATABASE_URL is not valid"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}
