//! Configuration from environment variables (and an optional `.env`), validated once at start.
//! A bad value stops the process with a message that names the variable and what it wants.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;
use store::DbSettings;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/taskdeck.db?mode=rwc";

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DbSettings,
    /// Where the server listens (Leptos's own `LEPTOS_SITE_ADDR`).
    pub site_addr: SocketAddr,
    /// The public URL people use, e.g. `https://tasks.example.com`.
    pub app_url: String,
    pub log: LogSettings,
    pub run_migrations: bool,
    pub session_idle_timeout: Duration,
    /// How long a session lasts after sign-in, however active it is.
    pub session_absolute_lifetime: Duration,
    pub request_timeout: Duration,
    /// Where `/metrics` is served, apart from the public listener.
    pub metrics_addr: SocketAddr,
    pub error_reporting: ErrorReportingSettings,
    pub limits: crate::rate_limit::LimitSettings,
    pub oauth: crate::oauth::OAuthSettings,
    /// Keys the hash under which sessions are stored.
    pub session_secret: Secret,
    /// True when no SESSION_SECRET was given and a development one is used (http only).
    pub session_secret_is_development: bool,
    /// Other sites' origins allowed to call Taskdeck from the browser (CORS); none by default.
    pub cors_allowed_origins: Vec<String>,
}

/// A secret from the environment. `Debug` prints a placeholder, so a logged configuration
/// cannot leak it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Sentry: off unless `SENTRY_DSN` is set.
#[derive(Clone, Debug)]
pub struct ErrorReportingSettings {
    pub dsn: Option<sentry::types::Dsn>,
    pub environment: String,
    pub release: String,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    /// A `tracing` filter, e.g. `info` or `info,sqlx=warn`.
    pub filter: String,
    pub json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{variable} is not valid: {wanted}")]
    Invalid {
        variable: &'static str,
        wanted: String,
    },
    #[error("{variable} is required because {because} is set")]
    Missing {
        variable: &'static str,
        because: &'static str,
    },
    #[error(
        "{variable} is required when APP_URL is https; `taskdeck gen-secret` prints a fresh one"
    )]
    RequiredOverHttps { variable: &'static str },
    #[error("could not read .env: {0}")]
    DotEnv(String),
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
        let vars = Vars { get: &get };
        let site_addr: SocketAddr = vars.parse(
            "LEPTOS_SITE_ADDR",
            "127.0.0.1:3000".parse().expect("a valid default address"),
            "an address and port to listen on, such as 127.0.0.1:3000 or 0.0.0.0:8080",
        )?;
        let app_url = match vars.raw("APP_URL") {
            Some(url) => parse_app_url(&url)?,
            None => format!("http://{site_addr}"),
        };
        let database_url = vars
            .raw("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url(&database_url)?;
        let secs = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            let value: u64 = vars.parse(name, default, "a whole number of seconds, 1 or more")?;
            if value == 0 {
                return Err(invalid(name, "a whole number of seconds, 1 or more"));
            }
            Ok(Duration::from_secs(value))
        };
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
        let database = DbSettings {
            url: database_url,
            max_connections,
            min_connections,
            connect_timeout: secs("DATABASE_CONNECT_TIMEOUT_SECS", 5)?,
            acquire_timeout: secs("DATABASE_ACQUIRE_TIMEOUT_SECS", 5)?,
            idle_timeout: secs("DATABASE_IDLE_TIMEOUT_SECS", 600)?,
            slow_statement_threshold: Duration::from_millis(slow_ms),
        };

        let filter = vars.raw("LOG_LEVEL").unwrap_or_else(|| "info".to_owned());
        if tracing_subscriber::EnvFilter::try_new(&filter).is_err() {
            return Err(invalid(
                "LOG_LEVEL",
                "a log level (error, warn, info, debug, trace) or a filter such as info,sqlx=warn",
            ));
        }
        let json = match vars.raw("LOG_FORMAT").as_deref() {
            None | Some("pretty") => false,
            Some("json") => true,
            Some(_) => return Err(invalid("LOG_FORMAT", "either pretty or json")),
        };
        let run_migrations = vars.parse("RUN_MIGRATIONS", true, "true or false")?;
        let idle_minutes: u64 = vars.parse(
            "SESSION_IDLE_TIMEOUT_MINUTES",
            14 * 24 * 60,
            "a whole number of minutes, 1 or more",
        )?;
        if idle_minutes == 0 {
            return Err(invalid(
                "SESSION_IDLE_TIMEOUT_MINUTES",
                "a whole number of minutes, 1 or more",
            ));
        }

        let metrics_addr: SocketAddr = vars.parse(
            "METRICS_ADDR",
            "127.0.0.1:9464".parse().expect("a valid default address"),
            "an address and port for /metrics, such as 127.0.0.1:9464",
        )?;
        if metrics_addr == site_addr && site_addr.port() != 0 {
            return Err(invalid(
                "METRICS_ADDR",
                "an address other than LEPTOS_SITE_ADDR, so metrics stay off the public listener",
            ));
        }
        let dsn = match vars.raw("SENTRY_DSN") {
            None => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                invalid(
                    "SENTRY_DSN",
                    "a Sentry DSN such as https://PUBLIC_KEY@sentry.example.com/PROJECT_ID",
                )
            })?),
        };
        let error_reporting = ErrorReportingSettings {
            dsn,
            environment: vars
                .raw("SENTRY_ENVIRONMENT")
                .unwrap_or_else(|| "production".to_owned()),
            release: vars
                .raw("SENTRY_RELEASE")
                .unwrap_or_else(|| format!("taskdeck@{}", env!("CARGO_PKG_VERSION"))),
        };

        let limit = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            let value: u32 = vars.parse(name, default, "a whole number, 1 or more")?;
            if value == 0 {
                return Err(invalid(name, "a whole number, 1 or more"));
            }
            Ok(value)
        };
        let trusted_proxy_header = match vars.raw("TRUSTED_PROXY_HEADER") {
            None => None,
            Some(name) => Some(http::HeaderName::try_from(name.as_str()).map_err(|_| {
                invalid(
                    "TRUSTED_PROXY_HEADER",
                    "the name of the header your proxy sets to the client address, such as X-Forwarded-For",
                )
            })?),
        };
        let limits = crate::rate_limit::LimitSettings {
            requests_per_minute: limit("RATE_LIMIT_REQUESTS_PER_MINUTE", 600)?,
            sign_ins_per_minute: limit("RATE_LIMIT_SIGN_INS_PER_MINUTE", 10)?,
            sign_ins_per_account: limit("RATE_LIMIT_SIGN_INS_PER_ACCOUNT", 10)?,
            trusted_proxy_header,
        };

        let session_secret = session_secret(&vars, app_url.starts_with("https://"))?;
        Ok(Config {
            database,
            site_addr,
            app_url,
            log: LogSettings { filter, json },
            run_migrations,
            session_idle_timeout: Duration::from_secs(idle_minutes * 60),
            session_absolute_lifetime: secs("SESSION_ABSOLUTE_LIFETIME_SECS", 30 * 24 * 60 * 60)?,
            request_timeout: secs("REQUEST_TIMEOUT_SECS", 30)?,
            metrics_addr,
            error_reporting,
            limits,
            oauth: oauth_settings(&vars)?,
            session_secret_is_development: vars.raw("SESSION_SECRET").is_none(),
            session_secret,
            cors_allowed_origins: cors_origins(&vars)?,
        })
    }

    /// Cookies get the Secure flag when people reach Taskdeck over https.
    pub fn is_https(&self) -> bool {
        self.app_url.starts_with("https://")
    }
}

struct Vars<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    /// The variable's value; unset and empty are the same.
    fn raw(&self, name: &str) -> Option<String> {
        (self.get)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn parse<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        wanted: &str,
    ) -> Result<T, ConfigError> {
        match self.raw(name) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| invalid(name, wanted)),
        }
    }
}

/// Used only over plain http (a developer's machine) when SESSION_SECRET is unset, so sessions
/// survive restarts there without any set-up.
const DEVELOPMENT_SESSION_SECRET: &str = "taskdeck development only: never use over https";

/// Fewer characters, or too few different ones, and the secret can be guessed.
const MIN_SECRET_CHARS: usize = 32;
const MIN_DISTINCT_SECRET_CHARS: usize = 12;

fn session_secret(vars: &Vars<'_>, https: bool) -> Result<Secret, ConfigError> {
    match vars.raw("SESSION_SECRET") {
        None if https => Err(ConfigError::RequiredOverHttps {
            variable: "SESSION_SECRET",
        }),
        None => Ok(Secret::new(DEVELOPMENT_SESSION_SECRET)),
        Some(secret) => {
            let distinct: std::collections::HashSet<char> = secret.chars().collect();
            if secret.chars().count() < MIN_SECRET_CHARS
                || distinct.len() < MIN_DISTINCT_SECRET_CHARS
            {
                return Err(invalid(
                    "SESSION_SECRET",
                    "at least 32 random characters; `taskdeck gen-secret` prints a fresh one",
                ));
            }
            Ok(Secret::new(secret))
        }
    }
}

/// A fresh secret for SESSION_SECRET: 32 random bytes from the operating system, base64url.
pub fn generate_secret() -> Result<String, getrandom::Error> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// `CORS_ALLOWED_ORIGINS`: a comma-separated list of exact origins; never a wildcard, since the
/// origins listed may call Taskdeck with the person's session.
fn cors_origins(vars: &Vars<'_>) -> Result<Vec<String>, ConfigError> {
    let wanted = "a comma-separated list of origins such as https://app.example.com, without paths or wildcards";
    let Some(raw) = vars.raw("CORS_ALLOWED_ORIGINS") else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            if origin.contains('*') || origin.ends_with('/') {
                return Err(invalid("CORS_ALLOWED_ORIGINS", wanted));
            }
            parse_app_url(origin).map_err(|_| invalid("CORS_ALLOWED_ORIGINS", wanted))
        })
        .collect()
}

/// A provider's client id and secret: both or neither.
fn client_credentials(
    vars: &Vars<'_>,
    id_name: &'static str,
    secret_name: &'static str,
) -> Result<Option<(String, Secret)>, ConfigError> {
    match (vars.raw(id_name), vars.raw(secret_name)) {
        (None, None) => Ok(None),
        (Some(id), Some(secret)) => Ok(Some((id, Secret::new(secret)))),
        (Some(_), None) => Err(ConfigError::Missing {
            variable: secret_name,
            because: id_name,
        }),
        (None, Some(_)) => Err(ConfigError::Missing {
            variable: id_name,
            because: secret_name,
        }),
    }
}

/// An endpoint URL with a default; http is allowed only for tests against local stand-ins.
fn endpoint(vars: &Vars<'_>, name: &'static str, default: &str) -> Result<String, ConfigError> {
    let url = vars.raw(name).unwrap_or_else(|| default.to_owned());
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(invalid(name, "an http or https URL"))
    }
}

fn oauth_settings(vars: &Vars<'_>) -> Result<crate::oauth::OAuthSettings, ConfigError> {
    use crate::oauth::{GitHubSettings, GoogleSettings, OAuthSettings};
    let github = match client_credentials(vars, "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET")? {
        None => None,
        Some((client_id, client_secret)) => Some(GitHubSettings {
            client_id,
            client_secret,
            auth_url: endpoint(
                vars,
                "GITHUB_AUTH_URL",
                "https://github.com/login/oauth/authorize",
            )?,
            token_url: endpoint(
                vars,
                "GITHUB_TOKEN_URL",
                "https://github.com/login/oauth/access_token",
            )?,
            api_url: endpoint(vars, "GITHUB_API_URL", "https://api.github.com")?,
        }),
    };
    let google = match client_credentials(vars, "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")? {
        None => None,
        Some((client_id, client_secret)) => Some(GoogleSettings {
            client_id,
            client_secret,
            issuer_url: endpoint(vars, "GOOGLE_ISSUER_URL", "https://accounts.google.com")?,
        }),
    };
    Ok(OAuthSettings { github, google })
}

fn invalid(variable: &'static str, wanted: &str) -> ConfigError {
    ConfigError::Invalid {
        variable,
        wanted: format!("expected {wanted}"),
    }
}

fn parse_app_url(raw: &str) -> Result<String, ConfigError> {
    let wanted = "the public URL of Taskdeck with scheme and host and no path, such as https://tasks.example.com";
    let url = raw.trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| invalid("APP_URL", wanted))?;
    if rest.is_empty()
        || rest.contains('/')
        || rest.contains('?')
        || rest.contains('#')
        || rest.contains(' ')
    {
        return Err(invalid("APP_URL", wanted));
    }
    Ok(url.to_owned())
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
    use std::collections::HashMap;

    const TEST_SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

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
    fn a_malformed_sentry_dsn_is_named() {
        let message = error_of(&[("SENTRY_DSN", "not a dsn")]);
        assert!(message.contains("SENTRY_DSN"), "{message}");
        let config = config(&[("SENTRY_DSN", "http://key@127.0.0.1:9000/42")]).expect("valid DSN");
        assert_eq!(
            config
                .error_reporting
                .dsn
                .map(|d| d.project_id().to_string()),
            Some("42".to_owned())
        );
    }

    #[test]
    fn limits_and_the_proxy_header_are_checked() {
        let message = error_of(&[("RATE_LIMIT_SIGN_INS_PER_MINUTE", "0")]);
        assert!(
            message.contains("RATE_LIMIT_SIGN_INS_PER_MINUTE"),
            "{message}"
        );
        let message = error_of(&[("TRUSTED_PROXY_HEADER", "not a header")]);
        assert!(message.contains("TRUSTED_PROXY_HEADER"), "{message}");
        let config = config(&[("TRUSTED_PROXY_HEADER", "X-Forwarded-For")]).expect("valid");
        assert_eq!(
            config.limits.trusted_proxy_header.map(|h| h.to_string()),
            Some("x-forwarded-for".to_owned())
        );
    }

    #[test]
    fn metrics_stay_off_the_public_listener() {
        let message = error_of(&[("LEPTOS_SITE_ADDR", "127.0.0.1:9464")]);
        assert!(message.contains("METRICS_ADDR"), "{message}");
    }

    #[test]
    fn defaults_need_nothing_set() {
        let config = config(&[]).expect("defaults are valid");
        assert_eq!(config.database.url, DEFAULT_DATABASE_URL);
        assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.app_url, "http://127.0.0.1:3000");
        assert!(!config.is_https());
        assert!(config.run_migrations);
    }

    #[test]
    fn messages_name_the_variable_and_what_it_wants() {
        let message = error_of(&[("LEPTOS_SITE_ADDR", "localhost")]);
        assert!(
            message.starts_with("LEPTOS_SITE_ADDR is not valid: expected an address"),
            "{message}"
        );
        let message = error_of(&[("DATABASE_MAX_CONNECTIONS", "0")]);
        assert!(message.contains("DATABASE_MAX_CONNECTIONS"), "{message}");
        let message = error_of(&[("LOG_FORMAT", "xml")]);
        assert_eq!(
            message,
            "LOG_FORMAT is not valid: expected either pretty or json"
        );
        assert!(error_of(&[("APP_URL", "tasks.example.com")]).contains("APP_URL"));
        assert!(error_of(&[("APP_URL", "https://example.com/app")]).contains("APP_URL"));
        assert!(error_of(&[("DATABASE_ACQUIRE_TIMEOUT_SECS", "soon")]).contains("seconds"));
        assert!(
            error_of(&[("DATABASE_MIN_CONNECTIONS", "20")]).contains("DATABASE_MIN_CONNECTIONS")
        );
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

    #[test]
    fn https_needs_a_strong_session_secret() {
        assert_eq!(
            error_of(&[("APP_URL", "https://tasks.example.com")]),
            "SESSION_SECRET is required when APP_URL is https; `taskdeck gen-secret` prints a fresh one"
        );
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abababababababababababababababababab",
        ] {
            assert!(
                error_of(&[
                    ("APP_URL", "https://tasks.example.com"),
                    ("SESSION_SECRET", weak)
                ])
                .starts_with("SESSION_SECRET is not valid"),
                "{weak}"
            );
        }
        let fresh = generate_secret().expect("random bytes");
        assert_ne!(fresh, generate_secret().expect("random bytes"));
        let config = config(&[
            ("APP_URL", "https://tasks.example.com"),
            ("SESSION_SECRET", &fresh),
        ])
        .expect("a generated secret is accepted");
        assert!(!config.session_secret_is_development);
        assert!(
            !format!("{config:?}").contains(&fresh),
            "never in Debug output"
        );
        let local = self::config(&[]).expect("http needs no secret");
        assert!(local.session_secret_is_development);
    }

    #[test]
    fn cors_origins_are_exact_and_never_wildcards() {
        let config = config(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example.com, http://localhost:5173",
        )])
        .expect("config");
        assert_eq!(
            config.cors_allowed_origins,
            ["https://a.example.com", "http://localhost:5173"]
        );
        for bad in [
            "*",
            "https://*.example.com",
            "https://a.example.com/path",
            "a.example.com",
        ] {
            assert!(
                error_of(&[("CORS_ALLOWED_ORIGINS", bad)])
                    .starts_with("CORS_ALLOWED_ORIGINS is not valid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_half_configured_provider_names_what_is_missing() {
        assert_eq!(
            error_of(&[("GITHUB_CLIENT_ID", "abc")]),
            "GITHUB_CLIENT_SECRET is required because GITHUB_CLIENT_ID is set"
        );
        assert_eq!(
            error_of(&[("GOOGLE_CLIENT_SECRET", "shh")]),
            "GOOGLE_CLIENT_ID is required because GOOGLE_CLIENT_SECRET is set"
        );
        let none = config(&[]).expect("no providers is fine");
        assert!(none.oauth.offered().is_empty());
        let both = config(&[
            ("GITHUB_CLIENT_ID", "abc"),
            ("GITHUB_CLIENT_SECRET", "very secret value"),
            ("GOOGLE_CLIENT_ID", "def"),
            ("GOOGLE_CLIENT_SECRET", "also secret"),
        ])
        .expect("config");
        assert_eq!(both.oauth.offered().len(), 2);
        assert!(
            !format!("{both:?}").contains("very secret value"),
            "secrets stay out of Debug output"
        );
    }

    #[test]
    fn https_app_url_makes_cookies_secure() {
        let config = config(&[
            ("APP_URL", "https://tasks.example.com/"),
            ("SESSION_SECRET", TEST_SECRET),
        ])
        .expect("valid");
        assert_eq!(config.app_url, "https://tasks.example.com");
        assert!(config.is_https());
    }
}
