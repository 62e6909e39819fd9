//! Integration tests: the real Taskdeck router on a real port, against a fresh SQLite file and a
//! fresh PostgreSQL database. Every scenario runs on both. What they share is the `testkit` crate.

mod accounts;
mod authorization;
mod backups;
mod bad_input;
mod board;
mod connections;
mod details;
mod edge;
mod faults;
mod feedback;
mod flags;
mod invitations;
mod isolation;
mod migrations;
mod oauth;
mod observability;
mod preferences;
mod projects_and_tasks;
mod providers;
mod sessions;
mod sharing;
mod test_databases;
