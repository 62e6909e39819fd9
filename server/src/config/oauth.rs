//! Signing in with GitHub and Google: each provider is offered only when both its client id and
//! secret are set. The sign-in itself lives in `crate::oauth`, which reads these settings.

use super::vars::{invalid, ConfigError, Secret, Vars};
use domain::Provider;

/// GitHub's endpoints; each can be pointed elsewhere (tests use a local stand-in).
#[derive(Clone, Debug)]
pub struct GitHubSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_url: String,
    pub token_url: String,
    pub api_url: String,
}

/// Google, found through OpenID Connect discovery at the issuer.
#[derive(Clone, Debug)]
pub struct GoogleSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub issuer_url: String,
}

/// The providers this server offers; one whose variables are unset is simply absent.
#[derive(Clone, Debug, Default)]
pub struct OAuthSettings {
    pub github: Option<GitHubSettings>,
    pub google: Option<GoogleSettings>,
}

impl OAuthSettings {
    pub fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
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
        Ok(Self { github, google })
    }

    /// Where browsers are sent to sign in: GitHub's authorization URL, Google's issuer (whose
    /// authorization endpoint is on the same origin). For the pages' CSP `form-action`.
    pub fn authorization_origins(&self) -> Vec<String> {
        let urls = [
            self.github.as_ref().map(|g| g.auth_url.as_str()),
            self.google.as_ref().map(|g| g.issuer_url.as_str()),
        ];
        urls.into_iter()
            .flatten()
            .filter_map(|url| reqwest::Url::parse(url).ok())
            .map(|url| url.origin().ascii_serialization())
            .filter(|origin| origin != "null")
            .collect()
    }

    pub fn offered(&self) -> Vec<Provider> {
        let mut offered = Vec::new();
        if self.github.is_some() {
            offered.push(Provider::GitHub);
        }
        if self.google.is_some() {
            offered.push(Provider::Google);
        }
        offered
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    fn error_of(vars: &[(&str, &str)]) -> String {
        read(vars, OAuthSettings::from_vars)
            .expect_err("should be rejected")
            .to_string()
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
        let none = read(&[], OAuthSettings::from_vars).expect("no providers is fine");
        assert!(none.offered().is_empty());
        let both = read(
            &[
                ("GITHUB_CLIENT_ID", "abc"),
                ("GITHUB_CLIENT_SECRET", "very secret value"),
                ("GOOGLE_CLIENT_ID", "def"),
                ("GOOGLE_CLIENT_SECRET", "also secret"),
            ],
            OAuthSettings::from_vars,
        )
        .expect("config");
        assert_eq!(both.offered().len(), 2);
        assert!(
            !format!("{both:?}").contains("very secret value"),
            "secrets stay out of Debug output"
        );
    }

    #[test]
    fn endpoints_are_urls_and_give_the_sign_in_origins() {
        let base = [
            ("GITHUB_CLIENT_ID", "abc"),
            ("GITHUB_CLIENT_SECRET", "very secret value"),
        ];
        let message = error_of(&[base[0], base[1], ("GITHUB_API_URL", "api.github.com")]);
        assert!(
            message.starts_with("GITHUB_API_URL is not valid"),
            "{message}"
        );
        let settings = read(&base, OAuthSettings::from_vars).expect("defaults");
        assert_eq!(settings.authorization_origins(), ["https://github.com"]);
    }
}
