//! Feature flags: how soon a running server sees a flag changed elsewhere (another instance,
//! `taskdeck flags`).

use super::vars::{ConfigError, Vars};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct FeatureSettings {
    /// `FEATURE_FLAGS_REFRESH_SECONDS` (default 10): how old the server's copy of the flags may
    /// get before it reads them again.
    pub refresh: Duration,
}

impl FeatureSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            refresh: vars.secs("FEATURE_FLAGS_REFRESH_SECONDS", 10)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    #[test]
    fn the_refresh_is_whole_seconds_above_zero() {
        let settings = read(&[], FeatureSettings::from_vars).expect("default");
        assert_eq!(settings.refresh, Duration::from_secs(10));
        let settings = read(
            &[("FEATURE_FLAGS_REFRESH_SECONDS", "2")],
            FeatureSettings::from_vars,
        )
        .expect("2 s");
        assert_eq!(settings.refresh, Duration::from_secs(2));
        for bad in ["0", "-1", "soon"] {
            let message = read(
                &[("FEATURE_FLAGS_REFRESH_SECONDS", bad)],
                FeatureSettings::from_vars,
            )
            .expect_err(bad)
            .to_string();
            assert!(
                message.contains("FEATURE_FLAGS_REFRESH_SECONDS"),
                "{message}"
            );
        }
    }
}
