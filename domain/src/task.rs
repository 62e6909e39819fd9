use crate::{char_len, Activity, Comment, FieldError, Label, Progress, Role, Subtask};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A task's title: trimmed, 1 to 200 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct TaskTitle(String);

impl TaskTitle {
    pub const FIELD: &'static str = "title";
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = format!(
            "Title must be between 1 and {} characters.",
            Self::MAX_CHARS
        );
        crate::trimmed_within(raw, Self::FIELD, Self::MAX_CHARS, &message).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A task's free-text description: up to 10,000 characters, kept as typed apart from
/// surrounding whitespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Description(String);

impl Description {
    pub const FIELD: &'static str = "description";
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = crate::multi_line(raw, Self::FIELD)?;
        if char_len(&text) > Self::MAX_CHARS {
            return Err(FieldError::new(
                Self::FIELD,
                format!(
                    "Description must be at most {} characters.",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An optional due date as sent by `<input type="date">`: empty, or `YYYY-MM-DD`.
///
/// Written as `null` or `"YYYY-MM-DD"`; read back through [`DueDate::parse`], so the year rule
/// holds for deserialised values too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Option<String>")]
pub struct DueDate(Option<NaiveDate>);

impl DueDate {
    pub const FIELD: &'static str = "due_date";

    /// The date, or `None` when the task has no due date.
    pub fn date(self) -> Option<NaiveDate> {
        self.0
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(None));
        }
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                Self::FIELD,
                "Enter the due date as YYYY-MM-DD, or leave it empty.",
            )
        })?;
        // Years outside this range are typing slips, and some databases store them oddly.
        if !(1900..=9999).contains(&chrono::Datelike::year(&date)) {
            return Err(FieldError::new(
                Self::FIELD,
                "Enter a due date between the years 1900 and 9999.",
            ));
        }
        Ok(Self(Some(date)))
    }
}

impl TryFrom<Option<String>> for DueDate {
    type Error = FieldError;

    fn try_from(raw: Option<String>) -> Result<Self, FieldError> {
        Self::parse(raw.as_deref().unwrap_or_default())
    }
}

/// Where a task stands. Stored as its `as_str` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    Todo,
    InProgress,
    Done,
}

impl Status {
    pub const FIELD: &'static str = "status";
    pub const ALL: [Status; 3] = [Status::Todo, Status::InProgress, Status::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in_progress",
            Status::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Todo => "To do",
            Status::InProgress => "In progress",
            Status::Done => "Done",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(Self::FIELD, "Choose a status: To do, In progress or Done.")
            })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How urgent a task is. Ordered from least to most urgent.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const FIELD: &'static str = "priority";
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    Self::FIELD,
                    "Choose a priority: Low, Medium, High or Urgent.",
                )
            })
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A task as people see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i32,
    pub project_id: i32,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub due_date: Option<NaiveDate>,
    /// Order within the status column, lowest first.
    pub position: i64,
    pub labels: Vec<Label>,
    /// Members the task is assigned to.
    pub assignees: Vec<Person>,
    /// How much of its checklist is done.
    pub progress: Progress,
}

/// Everything a task's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDetails {
    pub task: Task,
    /// The reader's role in the task's project.
    pub role: Role,
    /// The project's revision when this was read, for following it live.
    pub revision: i64,
    /// The reader's own id, to tell their comments from others'.
    pub reader: i32,
    pub subtasks: Vec<Subtask>,
    pub comments: Vec<Comment>,
    /// Newest first.
    pub activity: Vec<Activity>,
    /// Every label of the project, to choose from.
    pub labels: Vec<Label>,
    /// Every member of the project, to assign.
    pub members: Vec<Person>,
}

/// A task with the name of its project, for views across projects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectTask {
    pub project: String,
    pub task: Task,
}

/// The "My tasks" view: open tasks across every project the reader is a member of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTasks {
    /// Past their due date, assigned to the reader or to nobody.
    pub overdue: Vec<ProjectTask>,
    /// Due from today to six days ahead, assigned to the reader or to nobody.
    pub due_soon: Vec<ProjectTask>,
    /// Everything assigned to the reader, soonest due first.
    pub assigned: Vec<ProjectTask>,
}

/// Someone a task can be assigned to: a member of its project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: i32,
    pub email: String,
}

impl Person {
    /// The part of the email before the `@`, short enough for a card.
    pub fn short_name(&self) -> &str {
        self.email.split('@').next().unwrap_or(&self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded_in_characters() {
        assert!(TaskTitle::parse("").is_err());
        assert!(TaskTitle::parse(" \t ").is_err());
        assert_eq!(
            TaskTitle::parse(" Write docs ")
                .expect("valid")
                .into_inner(),
            "Write docs"
        );
        assert!(TaskTitle::parse(&"é".repeat(200)).is_ok());
        let err = TaskTitle::parse(&"é".repeat(201)).expect_err("too long");
        assert_eq!(err.field, "title");
        assert_eq!(err.message, "Title must be between 1 and 200 characters.");
    }

    #[test]
    fn descriptions_may_be_empty_but_not_huge() {
        assert_eq!(Description::parse("").expect("valid").into_inner(), "");
        assert!(Description::parse(&"x".repeat(10_000)).is_ok());
        assert!(Description::parse(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn due_dates_come_from_date_inputs() {
        assert_eq!(DueDate::parse("").expect("empty is fine"), DueDate(None));
        let date = DueDate::parse("2026-12-01")
            .expect("valid")
            .date()
            .expect("some");
        assert_eq!(date.to_string(), "2026-12-01");
        assert!(DueDate::parse("01/12/2026").is_err());
        assert!(DueDate::parse("2026-02-30").is_err());
        assert!(DueDate::parse("0099-01-01").is_err());
    }

    #[test]
    fn statuses_and_priorities_round_trip_through_their_stored_names() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Ok(status));
        }
        for priority in Priority::ALL {
            assert_eq!(Priority::parse(priority.as_str()), Ok(priority));
        }
        assert!(Status::parse("archived").is_err());
        assert!(Priority::parse("").is_err());
        assert!(Priority::Urgent > Priority::Low);
    }
}
