//! Logs: how much, and in which format.

use super::vars::{invalid, ConfigError, Vars};

#[derive(Clone, Debug)]
pub struct LogSettings {
    /// A `tracing` filter, e.g. `info` or `info,sqlx=warn`.
    pub filter: String,
    pub json: bool,
}

impl LogSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
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
        Ok(Self { filter, json })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    #[test]
    fn the_format_is_pretty_or_json() {
        let message = read(&[("LOG_FORMAT", "xml")], LogSettings::from_vars)
            .expect_err("xml")
            .to_string();
        assert_eq!(
            message,
            "LOG_FORMAT is not valid: expected either pretty or json"
        );
        let json = read(&[("LOG_FORMAT", "json")], LogSettings::from_vars).expect("json");
        assert!(json.json);
        let pretty = read(&[], LogSettings::from_vars).expect("default");
        assert!(!pretty.json);
        assert_eq!(pretty.filter, "info");
    }

    #[test]
    fn the_level_is_a_tracing_filter() {
        let ok = read(&[("LOG_LEVEL", "info,sqlx=warn")], LogSettings::from_vars).expect("ok");
        assert_eq!(ok.filter, "info,sqlx=warn");
    }
}
