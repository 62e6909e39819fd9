//! `taskdeck seed`: a demo account with sample projects and tasks, for trying Taskdeck out.

use super::CommandError;
use crate::startup::{connect, migrate};
use crate::Config;
use domain::{Description, DueDate, Email, Password, Priority, ProjectName, Status, TaskTitle};
use store::{Db, StoreError, TaskEdit};

pub const DEMO_EMAIL: &str = "demo@taskdeck.test";
pub const DEMO_PASSWORD: &str = "taskdeck-demo";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the demo account already exists; sign in as {DEMO_EMAIL}")]
    AlreadySeeded,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("seed data is invalid: {0}")]
    Invalid(#[from] domain::FieldError),
}

/// A sample task: title, status, priority and due date (YYYY-MM-DD).
type SampleTask = (&'static str, Status, Priority, Option<&'static str>);

const PROJECTS: &[(&str, &[SampleTask])] = &[
    (
        "Website relaunch",
        &[
            (
                "Collect content from every team",
                Status::Done,
                Priority::Medium,
                None,
            ),
            (
                "Draft the new navigation",
                Status::InProgress,
                Priority::High,
                Some("2026-12-04"),
            ),
            (
                "Review accessibility of the templates",
                Status::Todo,
                Priority::High,
                Some("2026-12-11"),
            ),
            (
                "Set up redirects from old URLs",
                Status::Todo,
                Priority::Urgent,
                Some("2026-12-15"),
            ),
        ],
    ),
    (
        "Team offsite",
        &[
            ("Book the venue", Status::Done, Priority::High, None),
            (
                "Plan the agenda",
                Status::InProgress,
                Priority::Medium,
                Some("2026-12-01"),
            ),
            ("Send travel details", Status::Todo, Priority::Low, None),
        ],
    ),
];

/// Migrates the database, then loads the demo data and says how to sign in.
pub async fn run(config: &Config) -> Result<(), CommandError> {
    let db = connect(&config.database.pool).await?;
    migrate(&db, &config.backups).await?;
    load(&db).await?;
    println!("Seeded. Sign in as {DEMO_EMAIL} with password {DEMO_PASSWORD}");
    Ok(())
}

/// Creates the demo account and its projects; refuses to run twice.
pub async fn load(db: &Db) -> Result<(), SeedError> {
    let email = Email::parse(DEMO_EMAIL)?;
    let user = match store::auth::sign_up(db, &email, Password::parse(DEMO_PASSWORD)?).await {
        Ok(user) => user,
        Err(StoreError::EmailTaken) => return Err(SeedError::AlreadySeeded),
        Err(err) => return Err(err.into()),
    };
    for (name, tasks) in PROJECTS {
        let project = store::projects::create(db, user.id, ProjectName::parse(name)?).await?;
        for (title, status, priority, due) in *tasks {
            let Some(task) =
                store::tasks::create(db, user.id, project.id, TaskTitle::parse(title)?).await?
            else {
                continue;
            };
            let edit = TaskEdit {
                title: TaskTitle::parse(title)?,
                description: Description::parse("")?,
                status: *status,
                priority: *priority,
                due_date: DueDate::parse(due.unwrap_or(""))?,
            };
            store::tasks::update(db, user.id, task.id, edit).await?;
        }
    }
    Ok(())
}
