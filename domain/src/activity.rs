//! A task's history: what someone did to it, kept as an event (what kind of change, which
//! subtask, label or person, the values before and after), never as a finished sentence. The app
//! words each event (so wording can change without touching stored rows), and people appear by
//! their current email, not the one they had when it happened.

use crate::{Priority, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One thing someone did to a task. Ids are `None` in history kept from before events had them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityEvent {
    Created,
    Renamed {
        title: String,
    },
    DescriptionEdited,
    Moved {
        from: Status,
        to: Status,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    DueDateSet {
        date: NaiveDate,
    },
    DueDateRemoved,
    SubtaskAdded {
        subtask_id: Option<i32>,
        title: String,
    },
    SubtaskChecked {
        subtask_id: Option<i32>,
        title: String,
    },
    SubtaskUnchecked {
        subtask_id: Option<i32>,
        title: String,
    },
    SubtaskRemoved {
        subtask_id: Option<i32>,
        title: String,
    },
    Commented {
        comment_id: Option<i32>,
    },
    CommentDeleted {
        comment_id: Option<i32>,
    },
    LabelAdded {
        label_id: Option<i32>,
        name: String,
    },
    LabelRemoved {
        label_id: Option<i32>,
        name: String,
    },
    /// `user_id` is `None` when the history predates ids and the account is gone.
    Assigned {
        user_id: Option<i32>,
    },
    Unassigned {
        user_id: Option<i32>,
    },
    /// A line kept from before events, in its own words: nothing in it was recognised.
    Legacy {
        text: String,
    },
}

impl ActivityEvent {
    /// The person the event is about, when there is one (assigned, unassigned).
    pub fn person(&self) -> Option<i32> {
        match self {
            ActivityEvent::Assigned { user_id } | ActivityEvent::Unassigned { user_id } => *user_id,
            _ => None,
        }
    }
}

/// One line of a task's history: who did what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The actor's email; `None` once their account is gone.
    pub actor: Option<String>,
    pub event: ActivityEvent,
    /// The current email of [`ActivityEvent::person`]; `None` when there is none or it is gone.
    pub person: Option<String>,
    pub at: DateTime<Utc>,
}
