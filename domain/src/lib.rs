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
mod feedback;
mod filter;
mod label;
mod listing;
mod project;
mod provider;
mod role;
mod sharing;
mod task;

pub use account::{Email, Password};
pub use activity::{Activity, ActivityEvent};
pub use board::{Board, Column, ColumnLimits, Landing, Nudge, Placement};
pub use checklist::{Progress, Subtask, SubtaskTitle};
pub use discussion::{Comment, CommentBody};
pub use errors::{FieldError, Invalid};
pub use feedback::{sentry_event_id, FeedbackMessage};
pub use filter::{AssigneeFilter, DueWindow, SavedView, SortOrder, TaskFilter, ViewName};
pub use label::{Label, LabelColour, LabelName};
pub use listing::TaskList;
pub use project::{Project, ProjectName};
pub use provider::{OAuthFailure, Provider};
pub use role::Role;
pub use sharing::{Invitation, Member, Members};
pub use task::{
    Description, DueDate, MyTasks, Person, Priority, ProjectTask, Status, Task, TaskDetails,
    TaskTitle,
};

/// The rule every short name and title follows: trimmed, then 1 to `max` characters; otherwise
/// `message` for `field`.
fn trimmed_within(raw: &str, field: &str, max: usize, message: &str) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || char_len(trimmed) > max {
        return Err(FieldError::new(field, message));
    }
    Ok(trimmed.to_owned())
}

/// Counts characters the way a person does (Unicode scalar values), not bytes.
fn char_len(s: &str) -> usize {
    s.chars().count()
}
