//! Sentry: off unless `SENTRY_DSN` is set.

use super::vars::{invalid, ConfigError, Vars};

#[derive(Clone, Debug)]
pub struct ErrorReportingSettings {
    pub dsn: Option<sentry::types::Dsn>,
    pub environment: String,
    pub release: String,
}

impl ErrorReportingSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let dsn = match vars.raw("SENTRY_DSN") {
            None => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                invalid(
                    "SENTRY_DSN",
                    "a Sentry DSN such as https://PUBLIC_KEY@sentry.example.com/PROJECT_ID",
                )
            })?),
        };
        Ok(Self {
            dsn,
            environment: vars
                .raw("SENTRY_ENVIRONMENT")
                .unwrap_or_else(|| "production".to_owned()),
            release: vars
                .raw("SENTRY_RELEASE")
                .unwrap_or_else(|| format!("taskdeck@{}", env!("CARGO_PKG_VERSION"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    #[test]
    fn a_malformed_sentry_dsn_is_named() {
        let message = read(
            &[("SENTRY_DSN", "not a dsn")],
            ErrorReportingSettings::from_vars,
        )
        .expect_err("rejected")
        .to_string();
        assert!(message.contains("SENTRY_DSN"), "{message}");
        let settings = read(
            &[("SENTRY_DSN", "http://key@127.0.0.1:9000/42")],
            ErrorReportingSettings::from_vars,
        )
        .expect("valid DSN");
        assert_eq!(
            settings.dsn.map(|d| d.project_id().to_string()),
            Some("42".to_owned())
        );
    }

    #[test]
    fn off_by_default_with_a_release_named_after_the_version() {
        let settings = read(&[], ErrorReportingSettings::from_vars).expect("defaults");
        assert!(settings.dsn.is_none());
        assert_eq!(settings.environment, "production");
        assert!(settings.release.starts_with("taskdeck@"));
    }
}
