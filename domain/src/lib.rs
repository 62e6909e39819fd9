//! Taskdeck's domain rules, in plain Rust that the browser and the server share.
//!
//! Every value a person types is parsed into one of these types before it goes near the database,
//! so an invalid title or email cannot be stored, and the browser can show the same message the
//! server would.

mod account;
mod board;
mod errors;
mod feedback;
mod filter;
mod project;
mod provider;
mod role;
mod task;

pub use account::{Email, Password};
pub use board::{Board, Column, ColumnLimits, Landing, Nudge, Placement};
pub use errors::{FieldError, Invalid};
pub use feedback::{sentry_event_id, FeedbackMessage};
pub use filter::{DueWindow, SortOrder, TaskFilter};
pub use project::{Project, ProjectName};
pub use provider::{OAuthFailure, Provider};
pub use role::Role;
pub use task::{Description, DueDate, Priority, Status, Task, TaskTitle};

/// Counts characters the way a person does (Unicode scalar values), not bytes.
fn char_len(s: &str) -> usize {
    s.chars().count()
}
