//! Sessions: how long they last, the secret their ids are hashed with, and how often expired
//! ones are deleted.

use super::vars::{invalid, ConfigError, Secret, Vars};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct SessionSettings {
    pub idle_timeout: Duration,
    /// How long a session lasts after sign-in, however active it is.
    pub absolute_lifetime: Duration,
    /// Keys the hash under which sessions are stored.
    pub secret: Secret,
    /// True when no SESSION_SECRET was given and a development one is used (http only).
    pub secret_is_development: bool,
    /// How often the background job deletes expired sessions.
    pub cleanup_interval: Duration,
}

/// Used only over plain http (a developer's machine) when SESSION_SECRET is unset, so sessions
/// survive restarts there without any set-up.
const DEVELOPMENT_SESSION_SECRET: &str = "taskdeck development only: never use over https";

/// Fewer characters, or too few different ones, and the secret can be guessed.
const MIN_SECRET_CHARS: usize = 32;
const MIN_DISTINCT_SECRET_CHARS: usize = 12;

impl SessionSettings {
    /// `https`: whether people reach Taskdeck over https, where a real secret is required.
    pub fn from_vars(vars: &Vars<'_>, https: bool) -> Result<Self, ConfigError> {
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
        Ok(Self {
            idle_timeout: Duration::from_secs(idle_minutes * 60),
            absolute_lifetime: vars.secs("SESSION_ABSOLUTE_LIFETIME_SECS", 30 * 24 * 60 * 60)?,
            secret: session_secret(vars, https)?,
            secret_is_development: vars.raw("SESSION_SECRET").is_none(),
            cleanup_interval: vars.secs("SESSION_CLEANUP_INTERVAL_SECS", 5 * 60)?,
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    fn over(https: bool, vars: &[(&str, &str)]) -> Result<SessionSettings, ConfigError> {
        read(vars, |vars| SessionSettings::from_vars(vars, https))
    }

    fn error_of(https: bool, vars: &[(&str, &str)]) -> String {
        over(https, vars)
            .expect_err("should be rejected")
            .to_string()
    }

    #[test]
    fn https_needs_a_strong_session_secret() {
        assert_eq!(
            error_of(true, &[]),
            "SESSION_SECRET is required when APP_URL is https; `taskdeck gen-secret` prints a fresh one"
        );
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abababababababababababababababababab",
        ] {
            assert!(
                error_of(true, &[("SESSION_SECRET", weak)])
                    .starts_with("SESSION_SECRET is not valid"),
                "{weak}"
            );
        }
        let fresh = generate_secret().expect("random bytes");
        assert_ne!(fresh, generate_secret().expect("random bytes"));
        let settings =
            over(true, &[("SESSION_SECRET", &fresh)]).expect("a generated secret is accepted");
        assert!(!settings.secret_is_development);
        assert!(
            !format!("{settings:?}").contains(&fresh),
            "never in Debug output"
        );
        let local = over(false, &[]).expect("http needs no secret");
        assert!(local.secret_is_development);
    }

    #[test]
    fn lifetimes_and_the_cleanup_interval_are_checked() {
        let settings = over(false, &[]).expect("defaults");
        assert_eq!(
            settings.idle_timeout,
            Duration::from_secs(14 * 24 * 60 * 60)
        );
        assert_eq!(
            settings.absolute_lifetime,
            Duration::from_secs(30 * 24 * 60 * 60)
        );
        assert_eq!(settings.cleanup_interval, Duration::from_secs(300));
        let settings = over(false, &[("SESSION_CLEANUP_INTERVAL_SECS", "2")]).expect("valid");
        assert_eq!(settings.cleanup_interval, Duration::from_secs(2));
        for (variable, value) in [
            ("SESSION_CLEANUP_INTERVAL_SECS", "0"),
            ("SESSION_CLEANUP_INTERVAL_SECS", "often"),
            ("SESSION_IDLE_TIMEOUT_MINUTES", "0"),
            ("SESSION_ABSOLUTE_LIFETIME_SECS", "-1"),
        ] {
            let message = error_of(false, &[(variable, value)]);
            assert!(
                message.starts_with(&format!("{variable} is not valid")),
                "{message}"
            );
        }
    }
}
