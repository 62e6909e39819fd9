use crate::{char_len, FieldError};
use serde::{Deserialize, Serialize};

/// An email address, trimmed and lower-cased so one person cannot hold two accounts by case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Email(String);

impl Email {
    pub const FIELD: &'static str = "email";
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // NFC before lower-casing, so one address typed two ways is one account; hidden
        // characters are refused, so a look-alike of an address is not another account.
        let email = crate::text::nfc(raw.trim()).to_lowercase();
        let invalid = || FieldError::new(Self::FIELD, "Enter a valid email address.");
        if email.is_empty()
            || char_len(&email) > Self::MAX_CHARS
            || email
                .chars()
                .any(|c| c.is_whitespace() || crate::text::is_hidden_in_email(c))
        {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the length rules. Deliberately not `Debug`-printable or serialisable,
/// so it cannot end up in a log line or a response.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const FIELD: &'static str = "password";
    /// The password being replaced, on the change-password form.
    pub const CURRENT_FIELD: &'static str = "current_password";
    /// The password replacing it, on the change-password form.
    pub const NEW_FIELD: &'static str = "new_password";
    pub const MIN_CHARS: usize = 8;
    /// Argon2 takes any length, but hashing megabytes on request is a denial-of-service lever.
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let len = char_len(raw);
        if len < Self::MIN_CHARS {
            return Err(FieldError::new(
                Self::FIELD,
                format!("Password must be at least {} characters.", Self::MIN_CHARS),
            ));
        }
        if len > Self::MAX_CHARS {
            return Err(FieldError::new(
                Self::FIELD,
                format!("Password must be at most {} characters.", Self::MAX_CHARS),
            ));
        }
        if raw.trim().is_empty() {
            return Err(FieldError::new(
                Self::FIELD,
                "Password cannot be only spaces.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised() {
        let email = Email::parse("  Ada@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected_with_a_readable_message() {
        for raw in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@.com",
            "ada@example..com",
            "ada\0@example.com",
            "ada\u{200B}@example.com",
            "\u{202E}ada@example.com",
            "ada@exam\u{FEFF}ple.com",
        ] {
            let err = Email::parse(raw).expect_err(raw);
            assert_eq!(err.field, "email");
            assert_eq!(err.message, "Enter a valid email address.");
        }
    }

    #[test]
    fn one_address_typed_two_ways_is_one_email() {
        let composed = Email::parse("Jos\u{e9}@example.com").expect("valid");
        let decomposed = Email::parse("JOSE\u{301}@example.com").expect("valid");
        assert_eq!(composed, decomposed);
    }

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("short").is_err());
        assert!(
            Password::parse("ééééééé").is_err(),
            "7 characters, 14 bytes"
        );
        assert!(Password::parse("éééééééé").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("        ").is_err());
    }

    #[test]
    fn password_never_prints() {
        let password = Password::parse("correct horse").expect("valid");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
