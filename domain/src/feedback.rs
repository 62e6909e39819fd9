use crate::{char_len, FieldError};
use serde::{Deserialize, Serialize};

/// What someone tells us about Taskdeck: trimmed, 1 to 5000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct FeedbackMessage(String);

impl FeedbackMessage {
    pub const FIELD: &'static str = "message";
    /// The hidden field with the id of the error event the feedback is about; see
    /// [`sentry_event_id`].
    pub const EVENT_FIELD: &'static str = "event";
    pub const MAX_CHARS: usize = 5000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = crate::multi_line(raw, Self::FIELD)?;
        if message.is_empty() {
            return Err(FieldError::new(Self::FIELD, "Tell us what happened."));
        }
        if char_len(&message) > Self::MAX_CHARS {
            return Err(FieldError::new(
                Self::FIELD,
                format!("Feedback can be at most {} characters.", Self::MAX_CHARS),
            ));
        }
        Ok(Self(message))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The id Sentry gave an error event: 32 hexadecimal digits. Anything else is dropped rather than
/// stored or forwarded.
pub fn sentry_event_id(raw: &str) -> Option<String> {
    let id = raw.trim().replace('-', "").to_ascii_lowercase();
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_trimmed_and_bounded() {
        assert_eq!(
            FeedbackMessage::parse("  slow board ")
                .expect("valid")
                .as_str(),
            "slow board"
        );
        assert_eq!(
            FeedbackMessage::parse("  ").expect_err("empty").message,
            "Tell us what happened."
        );
        assert!(FeedbackMessage::parse(&"é".repeat(5000)).is_ok());
        assert!(FeedbackMessage::parse(&"é".repeat(5001)).is_err());
    }

    #[test]
    fn only_well_formed_event_ids_are_kept() {
        assert_eq!(
            sentry_event_id("0123456789ABCDEF0123456789abcdef").as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            sentry_event_id("01234567-89ab-cdef-0123-456789abcdef").as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(sentry_event_id("<script>"), None);
        assert_eq!(sentry_event_id(""), None);
    }
}
