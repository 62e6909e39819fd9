//! Taskdeck's persistence: one SeaORM code path for PostgreSQL and SQLite.
//!
//! Every query that reads or changes a project or task takes the acting user's id and answers
//! `None` when the row is not theirs, so a caller cannot forget the ownership check.

mod activity;
pub mod assignees;
pub mod auth;
mod cards;
pub mod changes;
pub mod checklists;
pub mod comments;
pub mod db;
mod entities;
mod error;
pub mod feedback;
pub mod identities;
pub mod labels;
pub mod members;
pub mod projects;
pub mod sessions;
pub mod tasks;
pub mod users;
pub mod views;

pub use changes::Change;
pub use db::{Db, DbSettings};
pub use error::StoreError;
pub use tasks::TaskChanges;
pub use users::{User, UserId};
