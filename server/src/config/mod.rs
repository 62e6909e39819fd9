//! Configuration from environment variables (and an optional `.env`), validated once at start.
//! A bad value stops the process with a message that names the variable and what it wants.
//!
//! Each subsystem reads and checks its own variables in its own file; [`Config::from_lookup`]
//! only puts them together. Nothing here imports the rest of the server: the subsystems import
//! their settings from here.

pub mod backups;
pub mod database;
pub mod error_reporting;
pub mod features;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod oauth;
pub mod rate_limits;
pub mod sessions;
mod vars;

pub use backups::BackupSettings;
pub use database::{DatabaseSettings, DEFAULT_DATABASE_URL};
pub use error_reporting::ErrorReportingSettings;
pub use features::FeatureSettings;
pub use http::HttpSettings;
pub use logging::LogSettings;
pub use metrics::MetricsSettings;
pub use oauth::{GitHubSettings, GoogleSettings, OAuthSettings};
pub use rate_limits::LimitSettings;
pub use sessions::{generate_secret, SessionSettings};
pub use vars::{ConfigError, Secret, Vars};

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseSettings,
    pub backups: BackupSettings,
    pub http: HttpSettings,
    pub log: LogSettings,
    pub sessions: SessionSettings,
    pub metrics: MetricsSettings,
    pub error_reporting: ErrorReportingSettings,
    pub limits: LimitSettings,
    pub oauth: OAuthSettings,
    pub features: FeatureSettings,
}

impl Config {
    /// Reads `.env` (if present) and then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(err) if err.not_found() => {}
            Err(err) => return Err(ConfigError::DotEnv(err.to_string())),
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables; tests pass a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(&get);
        let http = HttpSettings::from_vars(&vars)?;
        let database = DatabaseSettings::from_vars(&vars)?;
        let backups = BackupSettings::from_vars(&vars, &database.pool.url)?;
        let log = LogSettings::from_vars(&vars)?;
        let metrics = MetricsSettings::from_vars(&vars, http.site_addr)?;
        let error_reporting = ErrorReportingSettings::from_vars(&vars)?;
        let limits = LimitSettings::from_vars(&vars)?;
        let sessions = SessionSettings::from_vars(&vars, http.is_https())?;
        let oauth = OAuthSettings::from_vars(&vars)?;
        let features = FeatureSettings::from_vars(&vars)?;
        Ok(Config {
            database,
            backups,
            http,
            log,
            sessions,
            metrics,
            error_reporting,
            limits,
            oauth,
            features,
        })
    }

    /// Cookies get the Secure flag when people reach Taskdeck over https.
    pub fn is_https(&self) -> bool {
        self.http.is_https()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn error_of(vars: &[(&str, &str)]) -> String {
        config(vars).expect_err("should be rejected").to_string()
    }

    #[test]
    fn defaults_need_nothing_set() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.database.pool.url, DEFAULT_DATABASE_URL);
        assert_eq!(config.http.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.http.app_url, "http://127.0.0.1:3000");
        assert!(!config.is_https());
        assert!(config.database.run_migrations);
        assert!(config.sessions.secret_is_development);
    }

    #[test]
    fn the_subsystems_see_each_other_where_they_must() {
        // Metrics must stay off the public listener, wherever that is.
        let message = error_of(&[("LEPTOS_SITE_ADDR", "127.0.0.1:9464")]);
        assert!(message.contains("METRICS_ADDR"), "{message}");
        // An https APP_URL makes sessions need a real secret.
        assert_eq!(
            error_of(&[("APP_URL", "https://tasks.example.com")]),
            "SESSION_SECRET is required when APP_URL is https; `taskdeck gen-secret` prints a fresh one"
        );
        let secret = generate_secret().expect("random bytes");
        let config = config(&[
            ("APP_URL", "https://tasks.example.com/"),
            ("SESSION_SECRET", &secret),
        ])
        .expect("valid");
        assert!(config.is_https());
        assert!(!config.sessions.secret_is_development);
        assert!(
            !format!("{config:?}").contains(&secret),
            "never in Debug output"
        );
    }

    #[test]
    fn each_subsystem_names_its_own_variable() {
        assert!(error_of(&[("DATABASE_MAX_CONNECTIONS", "0")]).contains("DATABASE_MAX_CONNECTIONS"));
        assert_eq!(
            error_of(&[("LOG_FORMAT", "xml")]),
            "LOG_FORMAT is not valid: expected either pretty or json"
        );
        assert!(error_of(&[("SENTRY_DSN", "not a dsn")]).contains("SENTRY_DSN"));
        assert!(error_of(&[("RATE_LIMIT_SIGN_INS_PER_MINUTE", "0")])
            .contains("RATE_LIMIT_SIGN_INS_PER_MINUTE"));
        assert_eq!(
            error_of(&[("GITHUB_CLIENT_ID", "abc")]),
            "GITHUB_CLIENT_SECRET is required because GITHUB_CLIENT_ID is set"
        );
        assert!(error_of(&[("SESSION_CLEANUP_INTERVAL_SECS", "0")])
            .starts_with("SESSION_CLEANUP_INTERVAL_SECS is not valid"));
    }
}
