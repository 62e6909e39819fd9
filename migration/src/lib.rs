//! Taskdeck's schema. Every migration uses portable SeaQuery column types so the same files run on
//! PostgreSQL and SQLite, and every one has a working `down`.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_accounts;
mod m20261124_000002_projects_and_tasks;
mod m20261124_000003_feedback;
mod m20261124_000004_identities;
mod m20261124_000005_members;
mod m20261125_000006_project_revisions;
mod m20261125_000007_task_search;
mod m20261125_000008_task_details;
mod m20261125_000009_saved_views;
mod m20261201_000010_activity_events;
mod m20261202_000011_invitation_links;
mod m20261202_000012_feature_flags;
mod m20261203_000013_read_indexes;
mod m20261204_000014_assignment_copies;
mod m20261204_000015_count_indexes;
mod sql_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_accounts::Migration),
            Box::new(m20261124_000002_projects_and_tasks::Migration),
            Box::new(m20261124_000003_feedback::Migration),
            Box::new(m20261124_000004_identities::Migration),
            Box::new(m20261124_000005_members::Migration),
            Box::new(m20261125_000006_project_revisions::Migration),
            Box::new(m20261125_000007_task_search::Migration),
            Box::new(m20261125_000008_task_details::Migration),
            Box::new(m20261125_000009_saved_views::Migration),
            Box::new(m20261201_000010_activity_events::Migration),
            Box::new(m20261202_000011_invitation_links::Migration),
            Box::new(m20261202_000012_feature_flags::Migration),
            Box::new(m20261203_000013_read_indexes::Migration),
            Box::new(m20261204_000014_assignment_copies::Migration),
            Box::new(m20261204_000015_count_indexes::Migration),
        ]
    }
}
