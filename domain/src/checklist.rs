//! A task's checklist of subtasks, and the progress a card shows for it.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A subtask's title: trimmed, 1 to 200 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct SubtaskTitle(String);

impl SubtaskTitle {
    pub const FIELD: &'static str = "title";
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = format!(
            "A subtask needs a title of 1 to {} characters.",
            Self::MAX_CHARS
        );
        crate::trimmed_within(raw, Self::FIELD, Self::MAX_CHARS, &message).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subtask {
    pub id: i32,
    pub title: String,
    pub done: bool,
}

/// How much of a checklist is done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

impl Progress {
    pub fn of(subtasks: &[Subtask]) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            done: count(subtasks.iter().filter(|s| s.done).count()),
            total: count(subtasks.len()),
        }
    }

    /// Whole percent done, for a progress bar; 0 for an empty checklist.
    pub fn percent(self) -> u32 {
        if self.total == 0 {
            return 0;
        }
        let percent = u64::from(self.done) * 100 / u64::from(self.total);
        u32::try_from(percent).unwrap_or(100)
    }

    pub fn is_empty(self) -> bool {
        self.total == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subtask(done: bool) -> Subtask {
        Subtask {
            id: 1,
            title: "Step".to_owned(),
            done,
        }
    }

    #[test]
    fn progress_counts_what_is_checked() {
        let progress = Progress::of(&[subtask(true), subtask(false), subtask(false)]);
        assert_eq!(progress, Progress { done: 1, total: 3 });
        assert_eq!(progress.percent(), 33);
        assert_eq!(Progress::default().percent(), 0);
        assert!(Progress::default().is_empty());
    }

    #[test]
    fn subtask_titles_are_bounded() {
        assert!(SubtaskTitle::parse(" ").is_err());
        assert_eq!(
            SubtaskTitle::parse(" Buy milk ")
                .expect("valid")
                .into_inner(),
            "Buy milk"
        );
        assert!(SubtaskTitle::parse(&"x".repeat(201)).is_err());
    }
}
