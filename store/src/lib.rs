//! Taskdeck's persistence: one SeaORM code path for PostgreSQL and SQLite.
//!
//! Every public operation that reads or changes a project or task takes the acting user's id and
//! answers `None` when the row is not theirs; the checks live in [`access`], and every write to a
//! project goes through its `ProjectWrite` (check, lock, check again). Outside this crate there is
//! no way to the database but these operations: [`Db`] hands out its raw connection only to tests
//! built with the `test-support` feature.
//!
//! Layers, each module importing only from those above it in this list:
//! - `db`, `entities`, `error`, `feed` (the live announcements; it knows nothing of the pool);
//! - `convert` (rows into domain values), `users` (accounts), `people` (emails by id);
//! - `access` (who may do what, and the one write type);
//! - `parts` (labels, assignees, checklists, comments, history, card dressing), `views`;
//! - `tasks` (board, list, My tasks, writes, placement), `details` (the task page), `projects`,
//!   `members`;
//! - `auth`, `identities`, `sessions`, `feedback`, `flags` (feature flags and their cache);
//! - `backup` (whole-database dumps; it reads the catalog, not the entities).

mod access;
pub mod auth;
pub mod backup;
mod convert;
pub mod db;
pub mod details;
mod entities;
mod error;
pub mod feed;
pub mod feedback;
pub mod flags;
pub mod identities;
pub mod members;
mod parts;
mod people;
pub mod projects;
pub mod sessions;
pub mod tasks;
pub mod users;
pub mod views;

pub use db::{Db, DbSettings};
pub use error::{is_unavailable, StoreError};
pub use feed::Announcement;
// The task parts keep the short paths callers know (`store::labels::apply`, …).
pub use parts::{assignees, checklists, comments, labels};
pub use tasks::TaskEdit;
pub use users::{User, UserId};
