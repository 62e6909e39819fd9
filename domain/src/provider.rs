//! The outside identity providers a person can sign in with.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provider {
    GitHub,
    Google,
}

impl Provider {
    pub const FIELD: &'static str = "provider";
    pub const ALL: [Provider; 2] = [Provider::GitHub, Provider::Google];

    /// The name in URLs (`/auth/github/callback`) and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::Google => "google",
        }
    }

    /// The name people see.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::GitHub => "GitHub",
            Provider::Google => "Google",
        }
    }

    pub fn parse(value: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Why signing in through a provider did not work, carried in the URL back to the page the person
/// started from (a code, never free text, so nothing can be injected into the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthFailure {
    /// The person said no on the provider's consent screen.
    Denied,
    /// The sign-in took too long, was already completed, or was started in another browser.
    Expired,
    /// The provider did not accept the sign-in (a bad or reused code, a wrong PKCE verifier).
    Refused,
    /// The provider could not be reached or answered nonsense.
    Unavailable,
    /// The provider has no verified email for the person.
    NoVerifiedEmail,
    /// A Taskdeck account already has this email: it must sign in first and link the provider.
    EmailInUse,
    /// This provider account is linked to another Taskdeck account.
    LinkedElsewhere,
    /// Signing in with this provider is not set up on this server.
    NotConfigured,
}

impl OAuthFailure {
    const ALL: [OAuthFailure; 8] = [
        OAuthFailure::Denied,
        OAuthFailure::Expired,
        OAuthFailure::Refused,
        OAuthFailure::Unavailable,
        OAuthFailure::NoVerifiedEmail,
        OAuthFailure::EmailInUse,
        OAuthFailure::LinkedElsewhere,
        OAuthFailure::NotConfigured,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OAuthFailure::Denied => "denied",
            OAuthFailure::Expired => "expired",
            OAuthFailure::Refused => "refused",
            OAuthFailure::Unavailable => "unavailable",
            OAuthFailure::NoVerifiedEmail => "no_verified_email",
            OAuthFailure::EmailInUse => "email_in_use",
            OAuthFailure::LinkedElsewhere => "linked_elsewhere",
            OAuthFailure::NotConfigured => "not_configured",
        }
    }

    pub fn parse(code: &str) -> Option<OAuthFailure> {
        OAuthFailure::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the person reads, naming the provider.
    pub fn message(self, provider: Provider) -> String {
        match self {
            OAuthFailure::Denied => format!("Signing in with {provider} was cancelled."),
            OAuthFailure::Expired => format!(
                "That {provider} sign-in has expired or was already used. Please try again."
            ),
            OAuthFailure::Refused => {
                format!("{provider} did not accept the sign-in. Please try again.")
            }
            OAuthFailure::Unavailable => format!(
                "{provider} could not be reached. Please try again in a few minutes."
            ),
            OAuthFailure::NoVerifiedEmail => format!(
                "Your {provider} account has no verified email address. Verify one at {provider}, then try again."
            ),
            OAuthFailure::EmailInUse => format!(
                "An account with your {provider} email already exists. Sign in with your password, then link {provider} on your account page."
            ),
            OAuthFailure::LinkedElsewhere => {
                format!("That {provider} account is already linked to another Taskdeck account.")
            }
            OAuthFailure::NotConfigured => {
                format!("Signing in with {provider} is not available on this server.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for provider in Provider::ALL {
            assert_eq!(Provider::parse(provider.as_str()), Some(provider));
        }
        assert_eq!(Provider::parse("GitHub"), None);
        assert_eq!(Provider::parse("gitlab"), None);
    }

    #[test]
    fn failure_codes_round_trip_and_messages_name_the_provider() {
        for failure in OAuthFailure::ALL {
            assert_eq!(OAuthFailure::parse(failure.code()), Some(failure));
            assert!(failure.message(Provider::Google).contains("Google"));
        }
        assert_eq!(OAuthFailure::parse("<script>"), None);
    }
}
