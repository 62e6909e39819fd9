//! Taskdeck's domain rules, in plain Rust that the browser and the server share.
//!
//! Every value a person types is parsed into one of these types before it goes near the database,
//! so an invalid title or email cannot be stored, and the browser can show the same message the
//! server would.

mod account;
mod activity;
mod board;
mod checklist;
mod discussion;
mod errors;
mod feature;
mod feedback;
mod filter;
mod label;
mod listing;
mod project;
mod provider;
mod role;
mod sharing;
mod task;
mod text;

pub use account::{Email, Password};
pub use activity::{Activity, ActivityEvent};
pub use board::{Board, Column, ColumnLimits, Landing, Nudge, Placement};
pub use checklist::{Progress, Subtask, SubtaskTitle};
pub use discussion::{Comment, CommentBody};
pub use errors::{FieldError, Invalid};
pub use feature::{Feature, FlagState, UnknownFeature};
pub use feedback::{sentry_event_id, FeedbackMessage};
pub use filter::{AssigneeFilter, DueWindow, SavedView, SortOrder, TaskFilter, ViewName};
pub use label::{Label, LabelColour, LabelName};
pub use listing::TaskList;
pub use project::{Project, ProjectName};
pub use provider::{OAuthFailure, Provider};
pub use role::Role;
pub use sharing::{
    is_invitation_token, Invitation, InvitationFor, InvitationLink, Member, Members,
};
pub use task::{
    Description, DueDate, MyTasks, Person, Priority, ProjectTask, Status, Task, TaskDetails,
    TaskTitle,
};

/// Values read from the wire (a server function's arguments, a stored JSON document) go through
/// the same `parse` as typed ones: `#[serde(try_from = "String")]` on each type calls this.
macro_rules! parsed_when_deserialised {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl TryFrom<String> for $ty {
                type Error = FieldError;

                fn try_from(raw: String) -> Result<Self, FieldError> {
                    Self::parse(&raw)
                }
            }
        )+
    };
}

parsed_when_deserialised!(
    CommentBody,
    Description,
    Email,
    FeedbackMessage,
    LabelName,
    ProjectName,
    SubtaskTitle,
    TaskTitle,
    ViewName,
);

/// The rule every short name and title follows: one line of clean text (see [`text`]), trimmed,
/// then 1 to `max` characters; otherwise `message` for `field`.
fn trimmed_within(raw: &str, field: &str, max: usize, message: &str) -> Result<String, FieldError> {
    let trimmed = text::cleaned(raw, field, text::Lines::One)?;
    if trimmed.is_empty() || char_len(&trimmed) > max {
        return Err(FieldError::new(field, message));
    }
    Ok(trimmed)
}

/// The rule every longer text follows: clean text that may span lines (see [`text`]), trimmed.
/// Its length and whether it may be empty are the caller's rules.
fn multi_line(raw: &str, field: &str) -> Result<String, FieldError> {
    text::cleaned(raw, field, text::Lines::Many)
}

/// Counts characters the way a person does (Unicode scalar values), not bytes.
fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

    /// `raw` as a JSON string.
    fn json(raw: &str) -> String {
        serde_json::to_string(raw).expect("a string serialises")
    }

    /// Deserialising `raw` fails with the message `parse` gives.
    fn refused<T: DeserializeOwned + std::fmt::Debug>(raw: &str, message: &str) {
        let err = serde_json::from_str::<T>(&json(raw)).expect_err(raw);
        assert!(
            err.to_string().contains(message),
            "{raw:?}: {err} should say {message:?}"
        );
    }

    #[test]
    fn a_deserialised_email_is_parsed() {
        refused::<Email>("not-an-email", "Enter a valid email address.");
        refused::<Email>("", "Enter a valid email address.");
        let email: Email = serde_json::from_str(&json(" Ada@Example.COM ")).expect("valid");
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn deserialised_titles_and_names_are_parsed() {
        let long = "x".repeat(201);
        refused::<TaskTitle>(" ", "Title must be between 1 and 200 characters.");
        refused::<TaskTitle>(&long, "Title must be between 1 and 200 characters.");
        refused::<SubtaskTitle>("", "A subtask needs a title");
        refused::<SubtaskTitle>(&long, "A subtask needs a title");
        refused::<ProjectName>(" ", "Project name must be between");
        refused::<ProjectName>(&long, "Project name must be between");
        refused::<LabelName>("", "Label name must be between");
        refused::<LabelName>(&long, "Label name must be between");
        refused::<ViewName>(" ", "Give the view a name");
        refused::<ViewName>(&long, "Give the view a name");
        let title: TaskTitle = serde_json::from_str(&json("  Write docs ")).expect("valid");
        assert_eq!(title.as_str(), "Write docs");
    }

    #[test]
    fn deserialised_texts_are_parsed() {
        refused::<CommentBody>("  ", "Write something to comment.");
        refused::<CommentBody>(&"x".repeat(5_001), "A comment can be at most");
        refused::<FeedbackMessage>("", "Tell us what happened.");
        refused::<FeedbackMessage>(&"x".repeat(5_001), "Feedback can be at most");
        refused::<Description>(&"x".repeat(10_001), "Description must be at most");
        let empty: Description = serde_json::from_str(&json("  ")).expect("may be empty");
        assert_eq!(empty.as_str(), "");
    }

    /// Every typed text refuses NUL (PostgreSQL cannot store it) with a message, whether it may
    /// span lines or not; only the multi-line ones keep line breaks and tabs.
    #[test]
    fn every_text_refuses_control_characters() {
        let control = "Remove the control characters (such as NUL) from this text.";
        let one_line = "Keep this to one line, without line breaks or tabs.";
        refused::<TaskTitle>("a\0b", control);
        refused::<SubtaskTitle>("a\0b", control);
        refused::<ProjectName>("a\0b", control);
        refused::<LabelName>("a\0b", control);
        refused::<ViewName>("a\0b", control);
        refused::<CommentBody>("a\0b", control);
        refused::<Description>("a\0b", control);
        refused::<FeedbackMessage>("a\0b", control);
        refused::<Email>("a\0b@example.com", "Enter a valid email address.");
        refused::<TaskTitle>("a\nb", one_line);
        refused::<LabelName>("a\tb", one_line);
        let multi = "line one\r\n\tline two";
        assert!(CommentBody::parse(multi).is_ok());
        assert!(Description::parse(multi).is_ok());
        assert!(FeedbackMessage::parse(multi).is_ok());
    }

    #[test]
    fn invisible_only_text_is_empty_and_overrides_are_refused() {
        refused::<TaskTitle>(
            "\u{200B}\u{200B}",
            "Title must be between 1 and 200 characters.",
        );
        refused::<TaskTitle>("\u{FEFF}", "Title must be between 1 and 200 characters.");
        refused::<CommentBody>("\u{200B}", "Write something to comment.");
        refused::<TaskTitle>("invoice\u{202E}fdp.exe", "text-direction control");
        refused::<CommentBody>("a\u{202E}b", "text-direction control");
        refused::<Email>("ada\u{200B}@example.com", "Enter a valid email address.");
        refused::<Email>("ada\u{202E}@example.com", "Enter a valid email address.");
        let title = TaskTitle::parse("Re\u{301}sume\u{301}").expect("valid");
        assert_eq!(title.as_str(), "R\u{e9}sum\u{e9}");
    }

    #[test]
    fn a_deserialised_due_date_is_parsed() {
        refused::<DueDate>("0099-01-01", "between the years 1900 and 9999");
        refused::<DueDate>("01/12/2026", "Enter the due date as YYYY-MM-DD");
        let none: DueDate = serde_json::from_str("null").expect("no date");
        assert_eq!(none.date(), None);
        let due = DueDate::parse("2026-12-01").expect("valid");
        let written = serde_json::to_string(&due).expect("serialises");
        assert_eq!(written, "\"2026-12-01\"");
        assert_eq!(serde_json::from_str::<DueDate>(&written).ok(), Some(due));
        let none = DueDate::parse("").expect("empty");
        let written = serde_json::to_string(&none).expect("serialises");
        assert_eq!(written, "null");
        assert_eq!(serde_json::from_str::<DueDate>(&written).ok(), Some(none));
    }

    #[test]
    fn validated_values_serialise_as_plain_strings() {
        let title = TaskTitle::parse("Ship it").expect("valid");
        assert_eq!(
            serde_json::to_string(&title).expect("serialises"),
            "\"Ship it\""
        );
        let email = Email::parse("ada@example.com").expect("valid");
        let written = serde_json::to_string(&email).expect("serialises");
        assert_eq!(serde_json::from_str::<Email>(&written).ok(), Some(email));
    }

    #[test]
    fn a_deserialised_filter_keeps_the_search_bound() {
        let sent = format!(r#"{{"search":"  {}  "}}"#, "x".repeat(500));
        let filter: TaskFilter = serde_json::from_str(&sent).expect("a filter");
        assert_eq!(filter.search.chars().count(), TaskFilter::MAX_SEARCH_CHARS);
        assert!(!filter.search.starts_with(' '));
    }
}
