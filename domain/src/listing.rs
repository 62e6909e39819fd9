//! The list view's answer: one read gives the page everything it shows.

use crate::{Label, Person, Project, SavedView, Task};
use serde::{Deserialize, Serialize};

/// A project's tasks that pass a filter, in its order, with what the page's controls offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    pub project: Project,
    /// The project's revision when this was read, for following it live.
    pub revision: i64,
    /// At most [`crate::TaskFilter::LIMIT`], in the filter's order.
    pub tasks: Vec<Task>,
    /// How many pass the filter in all.
    pub total: u64,
    /// The reader's saved views of the project.
    pub views: Vec<SavedView>,
    /// Every label of the project, to filter by.
    pub labels: Vec<Label>,
    /// Every member of the project, to filter by assignee.
    pub members: Vec<Person>,
}
