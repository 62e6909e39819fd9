//! Where configuration comes from, and what every subsystem's reader shares: the lookup of a
//! variable, parsing with a default, the error that names the variable, and secrets that stay out
//! of logs. Imports nothing else of the configuration.

use std::str::FromStr;
use std::time::Duration;

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

/// Where the variables come from, with the parsing every subsystem shares.
pub struct Vars<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    pub fn new(get: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { get }
    }

    /// The variable's value; unset and empty are the same.
    pub fn raw(&self, name: &str) -> Option<String> {
        (self.get)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn parse<T: FromStr>(
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

    /// A whole number of seconds, 1 or more.
    pub fn secs(&self, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
        let wanted = "a whole number of seconds, 1 or more";
        let value: u64 = self.parse(name, default, wanted)?;
        if value == 0 {
            return Err(invalid(name, wanted));
        }
        Ok(Duration::from_secs(value))
    }
}

pub(crate) fn invalid(variable: &'static str, wanted: &str) -> ConfigError {
    ConfigError::Invalid {
        variable,
        wanted: format!("expected {wanted}"),
    }
}

/// Runs one subsystem's reader over a list of pairs, for that subsystem's tests.
#[cfg(test)]
pub(crate) fn read<T>(
    vars: &[(&str, &str)],
    reader: impl Fn(&Vars<'_>) -> Result<T, ConfigError>,
) -> Result<T, ConfigError> {
    let map: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |name: &str| map.get(name).cloned();
    reader(&Vars::new(&get))
}
