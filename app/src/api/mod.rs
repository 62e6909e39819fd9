//! Server functions: the only way the browser reads or changes data. Each one checks who is
//! asking and validates its input through `domain` before touching the store.

pub mod accounts;
pub mod admin;
pub mod checklists;
pub mod comments;
pub mod features;
pub mod feedback;
pub mod labels;
pub mod members;
pub mod projects;
pub mod tasks;
pub mod views;
