//! Request limits per client address and per account, and whom to trust for the address.

use super::vars::{invalid, ConfigError, Vars};
use http::HeaderName;

#[derive(Clone, Debug)]
pub struct LimitSettings {
    pub requests_per_minute: u32,
    pub sign_ins_per_minute: u32,
    pub sign_ins_per_account: u32,
    pub trusted_proxy_header: Option<HeaderName>,
}

impl LimitSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let limit = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            let value: u32 = vars.parse(name, default, "a whole number, 1 or more")?;
            if value == 0 {
                return Err(invalid(name, "a whole number, 1 or more"));
            }
            Ok(value)
        };
        let trusted_proxy_header = match vars.raw("TRUSTED_PROXY_HEADER") {
            None => None,
            Some(name) => Some(HeaderName::try_from(name.as_str()).map_err(|_| {
                invalid(
                    "TRUSTED_PROXY_HEADER",
                    "the name of the header your proxy sets to the client address, such as X-Forwarded-For",
                )
            })?),
        };
        Ok(Self {
            requests_per_minute: limit("RATE_LIMIT_REQUESTS_PER_MINUTE", 600)?,
            sign_ins_per_minute: limit("RATE_LIMIT_SIGN_INS_PER_MINUTE", 10)?,
            sign_ins_per_account: limit("RATE_LIMIT_SIGN_INS_PER_ACCOUNT", 10)?,
            trusted_proxy_header,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    #[test]
    fn limits_and_the_proxy_header_are_checked() {
        let error_of = |vars: &[(&str, &str)]| {
            read(vars, LimitSettings::from_vars)
                .expect_err("should be rejected")
                .to_string()
        };
        let message = error_of(&[("RATE_LIMIT_SIGN_INS_PER_MINUTE", "0")]);
        assert!(
            message.contains("RATE_LIMIT_SIGN_INS_PER_MINUTE"),
            "{message}"
        );
        let message = error_of(&[("TRUSTED_PROXY_HEADER", "not a header")]);
        assert!(message.contains("TRUSTED_PROXY_HEADER"), "{message}");
        let settings = read(
            &[("TRUSTED_PROXY_HEADER", "X-Forwarded-For")],
            LimitSettings::from_vars,
        )
        .expect("valid");
        assert_eq!(
            settings.trusted_proxy_header.map(|h| h.to_string()),
            Some("x-forwarded-for".to_owned())
        );
        let defaults = read(&[], LimitSettings::from_vars).expect("defaults");
        assert_eq!(defaults.requests_per_minute, 600);
        assert_eq!(defaults.sign_ins_per_minute, 10);
    }
}
