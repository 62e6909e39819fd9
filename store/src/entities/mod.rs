//! SeaORM entities, one per table. Private to the crate: callers use the typed queries.

pub mod comment;
pub mod feature_flag;
pub mod feature_flag_account;
pub mod feedback;
pub mod identity;
pub mod label;
pub mod project;
pub mod project_invitation;
pub mod project_member;
pub mod saved_view;
pub mod session;
pub mod subtask;
pub mod task;
pub mod task_activity;
pub mod task_assignee;
pub mod task_label;
pub mod user;
