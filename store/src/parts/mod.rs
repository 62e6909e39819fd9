//! The parts of a task besides its own fields: labels, assignees, checklists, comments and its
//! history, and the dressing that puts the first three on a card. None of them knows about the
//! board or the list (`tasks`); the task page's read (`details`) gathers them.

pub(crate) mod activity;
pub mod assignees;
pub(crate) mod cards;
pub mod checklists;
pub mod comments;
pub mod labels;
