//! What the list view shows: filters, a search and an order, read from and written to the URL so
//! a view can be bookmarked and shared.

use crate::{FieldError, Priority, Status};
use serde::{Deserialize, Serialize};

/// Due dates, as the list view filters them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DueWindow {
    /// Past its due date and not done.
    Overdue,
    Today,
    /// From today to six days ahead.
    ThisWeek,
    NoDate,
}

impl DueWindow {
    pub const FIELD: &'static str = "due";
    pub const ALL: [DueWindow; 4] = [
        DueWindow::Overdue,
        DueWindow::Today,
        DueWindow::ThisWeek,
        DueWindow::NoDate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DueWindow::Overdue => "overdue",
            DueWindow::Today => "today",
            DueWindow::ThisWeek => "week",
            DueWindow::NoDate => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DueWindow::Overdue => "Overdue",
            DueWindow::Today => "Due today",
            DueWindow::ThisWeek => "Due this week",
            DueWindow::NoDate => "No due date",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == raw)
    }
}

/// The list's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    /// The board's order: column by column, each as arranged.
    #[default]
    Manual,
    /// Soonest due first; no date last.
    Due,
    /// Most urgent first.
    Priority,
    /// Newest first.
    Created,
}

impl SortOrder {
    pub const FIELD: &'static str = "sort";
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Manual,
        SortOrder::Due,
        SortOrder::Priority,
        SortOrder::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Manual => "manual",
            SortOrder::Due => "due",
            SortOrder::Priority => "priority",
            SortOrder::Created => "created",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortOrder::Manual => "Board order",
            SortOrder::Due => "Due date",
            SortOrder::Priority => "Priority",
            SortOrder::Created => "Newest first",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Whose tasks the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeFilter {
    /// Assigned to whoever is looking (so a shared link shows each person their own).
    Me,
    /// Assigned to nobody.
    Nobody,
    /// Assigned to this member.
    User(i32),
}

impl AssigneeFilter {
    pub const FIELD: &'static str = "assignee";

    pub fn as_param(self) -> String {
        match self {
            AssigneeFilter::Me => "me".to_owned(),
            AssigneeFilter::Nobody => "none".to_owned(),
            AssigneeFilter::User(id) => id.to_string(),
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "me" => Some(AssigneeFilter::Me),
            "none" => Some(AssigneeFilter::Nobody),
            other => other.parse().ok().map(AssigneeFilter::User),
        }
    }
}

/// A list view. Unknown or malformed values in a URL are ignored rather than refused: a link
/// that someone edited by hand still opens, showing a little more than it asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskFilter {
    /// Words to look for in titles and descriptions; trimmed, at most 200 characters.
    #[serde(deserialize_with = "deserialise_search")]
    pub search: String,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub due: Option<DueWindow>,
    /// A label of the project, by id.
    pub label: Option<i32>,
    pub assignee: Option<AssigneeFilter>,
    pub sort: SortOrder,
}

impl TaskFilter {
    /// The URL key of [`TaskFilter::search`].
    pub const SEARCH_FIELD: &'static str = "q";
    /// The URL key of [`TaskFilter::label`].
    pub const LABEL_FIELD: &'static str = "label";
    pub const MAX_SEARCH_CHARS: usize = 200;
    /// Rows in one answer.
    pub const LIMIT: u64 = 500;

    /// Reads `?q=…&status=…&priority=…&due=…&label=…&assignee=…&sort=…`.
    pub fn from_query(value: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            search: bounded_search(&value(Self::SEARCH_FIELD).unwrap_or_default()),
            status: value(Status::FIELD).and_then(|raw| Status::parse(&raw).ok()),
            priority: value(Priority::FIELD).and_then(|raw| Priority::parse(&raw).ok()),
            due: value(DueWindow::FIELD).and_then(|raw| DueWindow::parse(raw.trim())),
            label: value(Self::LABEL_FIELD).and_then(|raw| raw.trim().parse().ok()),
            assignee: value(AssigneeFilter::FIELD).and_then(|raw| AssigneeFilter::parse(&raw)),
            sort: value(SortOrder::FIELD)
                .and_then(|raw| SortOrder::parse(raw.trim()))
                .unwrap_or_default(),
        }
    }

    /// The query string [`TaskFilter::from_query`] reads, leaving out what is not set.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.search.is_empty() {
            pairs.push((Self::SEARCH_FIELD, self.search.clone()));
        }
        if let Some(status) = self.status {
            pairs.push((Status::FIELD, status.as_str().to_owned()));
        }
        if let Some(priority) = self.priority {
            pairs.push((Priority::FIELD, priority.as_str().to_owned()));
        }
        if let Some(due) = self.due {
            pairs.push((DueWindow::FIELD, due.as_str().to_owned()));
        }
        if let Some(label) = self.label {
            pairs.push((Self::LABEL_FIELD, label.to_string()));
        }
        if let Some(assignee) = self.assignee {
            pairs.push((AssigneeFilter::FIELD, assignee.as_param()));
        }
        if self.sort != SortOrder::Manual {
            pairs.push((SortOrder::FIELD, self.sort.as_str().to_owned()));
        }
        pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Whether anything narrows the list.
    pub fn narrows(&self) -> bool {
        !self.search.is_empty()
            || self.status.is_some()
            || self.priority.is_some()
            || self.due.is_some()
            || self.label.is_some()
            || self.assignee.is_some()
    }
}

/// A search as the list runs it: in NFC like the titles it is matched against, without control
/// characters (no title has them, and PostgreSQL refuses NUL in a query), trimmed, and cut at
/// [`TaskFilter::MAX_SEARCH_CHARS`].
fn bounded_search(raw: &str) -> String {
    let text: String = crate::text::nfc(raw)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    text.trim()
        .chars()
        .take(TaskFilter::MAX_SEARCH_CHARS)
        .collect()
}

/// A filter sent by the browser keeps the same bound as one read from a URL.
fn deserialise_search<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    String::deserialize(deserializer).map(|raw| bounded_search(&raw))
}

/// The name a list view is saved under: trimmed, 1 to 60 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct ViewName(String);

impl ViewName {
    pub const FIELD: &'static str = "name";
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = format!(
            "Give the view a name of 1 to {} characters.",
            Self::MAX_CHARS
        );
        crate::trimmed_within(raw, Self::FIELD, Self::MAX_CHARS, &message).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A list view someone saved: its name and its query string (without the `?`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i32,
    pub name: String,
    pub query: String,
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_filter_survives_the_trip_through_a_url() {
        let filter = TaskFilter::from_query(query(&[
            ("q", "  release notes & co  "),
            ("status", "in_progress"),
            ("priority", "urgent"),
            ("due", "week"),
            ("label", "7"),
            ("assignee", "me"),
            ("sort", "due"),
        ]));
        assert_eq!(filter.search, "release notes & co");
        assert_eq!(filter.status, Some(Status::InProgress));
        assert_eq!(filter.priority, Some(Priority::Urgent));
        assert_eq!(filter.due, Some(DueWindow::ThisWeek));
        assert_eq!(filter.label, Some(7));
        assert_eq!(filter.assignee, Some(AssigneeFilter::Me));
        assert_eq!(filter.sort, SortOrder::Due);
        assert_eq!(
            filter.to_query(),
            "q=release%20notes%20%26%20co&status=in_progress&priority=urgent&due=week&label=7&assignee=me&sort=due"
        );
        for assignee in [AssigneeFilter::Nobody, AssigneeFilter::User(12)] {
            let filter = TaskFilter {
                assignee: Some(assignee),
                ..TaskFilter::default()
            };
            let read = TaskFilter::from_query(|key| {
                filter
                    .to_query()
                    .split('&')
                    .find_map(|pair| pair.strip_prefix(&format!("{key}=")).map(str::to_owned))
            });
            assert_eq!(read, filter);
        }
        assert!(filter.narrows());
    }

    #[test]
    fn unknown_values_are_ignored_and_searches_are_bounded() {
        let filter = TaskFilter::from_query(query(&[
            ("status", "archived"),
            ("due", "someday"),
            ("sort", "random"),
            ("label", "bug"),
            ("assignee", "someone"),
            ("q", &"x".repeat(500)),
        ]));
        assert_eq!(filter.status, None);
        assert_eq!(filter.due, None);
        assert_eq!(filter.label, None);
        assert_eq!(filter.assignee, None);
        assert_eq!(filter.sort, SortOrder::Manual);
        assert_eq!(filter.search.chars().count(), TaskFilter::MAX_SEARCH_CHARS);
        assert_eq!(TaskFilter::default().to_query(), "");
        assert!(!TaskFilter::default().narrows());
    }

    #[test]
    fn a_search_drops_control_characters_and_is_in_nfc() {
        let filter = TaskFilter::from_query(query(&[("q", "\0cafe\u{301}\u{1}")]));
        assert_eq!(filter.search, "caf\u{e9}");
    }
}
