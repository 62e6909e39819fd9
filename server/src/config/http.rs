//! The public listener: where the server listens, the URL people use, which other origins may
//! call it, and how long a request may take.

use super::vars::{invalid, ConfigError, Vars};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Where the server listens (Leptos's own `LEPTOS_SITE_ADDR`).
    pub site_addr: SocketAddr,
    /// The public URL people use, e.g. `https://tasks.example.com`.
    pub app_url: String,
    /// Other sites' origins allowed to call Taskdeck from the browser (CORS); none by default.
    pub cors_allowed_origins: Vec<String>,
    pub request_timeout: Duration,
    /// A connection that has not sent a request's headers within this is closed; also how long a
    /// keep-alive connection may sit idle between requests.
    pub header_read_timeout: Duration,
    /// Connections held at once, in all and per client address (the latter not behind a trusted
    /// proxy, whose connections all come from one address).
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    /// On shutdown, how long to keep answering (with `Connection: close`) before closing the
    /// listener and idle connections; `0` closes at once.
    pub shutdown_drain: Duration,
}

impl HttpSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let site_addr: SocketAddr = vars.parse(
            "LEPTOS_SITE_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
            "an address and port to listen on, such as 127.0.0.1:3000 or 0.0.0.0:8080",
        )?;
        let app_url = match vars.raw("APP_URL") {
            Some(url) => parse_app_url(&url)?,
            None => format!("http://{site_addr}"),
        };
        Ok(Self {
            site_addr,
            app_url,
            cors_allowed_origins: cors_origins(vars)?,
            request_timeout: vars.secs("REQUEST_TIMEOUT_SECS", 30)?,
            header_read_timeout: vars.secs("HEADER_READ_TIMEOUT_SECS", 5)?,
            max_connections: count(vars, "MAX_CONNECTIONS", 10_000)?,
            max_connections_per_client: count(vars, "MAX_CONNECTIONS_PER_CLIENT", 256)?,
            shutdown_drain: Duration::from_secs(vars.parse(
                "SHUTDOWN_DRAIN_SECS",
                5,
                "a whole number of seconds (0 for none)",
            )?),
        })
    }

    /// Cookies get the Secure flag when people reach Taskdeck over https.
    pub fn is_https(&self) -> bool {
        self.app_url.starts_with("https://")
    }
}

/// A count of 1 or more.
fn count(vars: &Vars<'_>, name: &'static str, default: usize) -> Result<usize, ConfigError> {
    let wanted = "a whole number, 1 or more";
    match vars.parse(name, default, wanted)? {
        0 => Err(invalid(name, wanted)),
        n => Ok(n),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    fn settings(vars: &[(&str, &str)]) -> Result<HttpSettings, ConfigError> {
        read(vars, HttpSettings::from_vars)
    }

    fn error_of(vars: &[(&str, &str)]) -> String {
        settings(vars).expect_err("should be rejected").to_string()
    }

    #[test]
    fn messages_name_the_variable_and_what_it_wants() {
        let message = error_of(&[("LEPTOS_SITE_ADDR", "localhost")]);
        assert!(
            message.starts_with("LEPTOS_SITE_ADDR is not valid: expected an address"),
            "{message}"
        );
        assert!(error_of(&[("APP_URL", "tasks.example.com")]).contains("APP_URL"));
        assert!(error_of(&[("APP_URL", "https://example.com/app")]).contains("APP_URL"));
        assert!(error_of(&[("REQUEST_TIMEOUT_SECS", "0")]).contains("REQUEST_TIMEOUT_SECS"));
    }

    #[test]
    fn https_app_url_makes_cookies_secure() {
        let settings = settings(&[("APP_URL", "https://tasks.example.com/")]).expect("valid");
        assert_eq!(settings.app_url, "https://tasks.example.com");
        assert!(settings.is_https());
        let local = self::settings(&[("LEPTOS_SITE_ADDR", "0.0.0.0:8080")]).expect("valid");
        assert_eq!(local.app_url, "http://0.0.0.0:8080");
        assert!(!local.is_https());
    }

    #[test]
    fn cors_origins_are_exact_and_never_wildcards() {
        let settings = settings(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example.com, http://localhost:5173",
        )])
        .expect("config");
        assert_eq!(
            settings.cors_allowed_origins,
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
}
