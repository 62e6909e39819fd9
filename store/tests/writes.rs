//! Writes check access before they lock: on SQLite the project's write lock is the whole
//! database, so a write that locked first would let any signed-in account stall every writer by
//! naming projects that are not theirs.

use domain::{Email, LabelColour, LabelName, ProjectName, TaskTitle};
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::time::{Duration, Instant};
use store::{Db, DbSettings};

/// A SQLite database file of its own, removed when the test ends.
struct TempSqlite(std::path::PathBuf);

impl TempSqlite {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let file = format!("taskdeck-store-{name}-{}-{nanos}.db", std::process::id());
        Self(std::env::temp_dir().join(file))
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Drop for TempSqlite {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn account(db: &Db, email: &str) -> store::User {
    let email = Email::parse(email).expect("valid email");
    store::users::create(db, &email, "not a real hash".to_owned())
        .await
        .expect("create account")
}

#[tokio::test]
async fn a_stranger_never_waits_for_the_lock_of_a_project_that_is_not_theirs() {
    let file = TempSqlite::new("stranger");
    let db = Db::connect(&DbSettings::for_url(file.url()))
        .await
        .expect("connect");
    db.migrate_up().await.expect("migrate");
    let owner = account(&db, "owner@example.com").await;
    let stranger = account(&db, "stranger@example.com").await;
    let name = ProjectName::parse("Mine").expect("valid name");
    let project = store::projects::create(&db, owner.id, name)
        .await
        .expect("create project");

    // Someone else is in the middle of a write: on SQLite that holds the database's write lock.
    let other = sea_orm::Database::connect(file.url())
        .await
        .expect("connect");
    let busy = other.begin().await.expect("begin");
    busy.execute_unprepared("UPDATE projects SET revision = revision + 1")
        .await
        .expect("take the write lock");

    // The stranger is told "no such project" at once, well under SQLite's 5 s busy timeout.
    let started = Instant::now();
    let title = TaskTitle::parse("Sneak in").expect("valid title");
    let created = tokio::time::timeout(
        Duration::from_secs(2),
        store::tasks::create(&db, stranger.id, project.id, title),
    )
    .await
    .expect("answered without waiting for the lock")
    .expect("no error");
    assert!(created.is_none(), "a stranger cannot add tasks");
    let label = LabelName::parse("Sneaky").expect("valid label");
    let labelled = tokio::time::timeout(
        Duration::from_secs(2),
        store::labels::create(&db, stranger.id, project.id, label, LabelColour::default()),
    )
    .await
    .expect("answered without waiting for the lock")
    .expect("no error");
    assert!(labelled.is_none(), "a stranger cannot add labels");
    assert!(started.elapsed() < Duration::from_secs(2));

    // The owner's own write still waits its turn and goes through once the lock is free.
    busy.rollback().await.expect("release the lock");
    let title = TaskTitle::parse("Mine to add").expect("valid title");
    let task = store::tasks::create(&db, owner.id, project.id, title)
        .await
        .expect("no error");
    assert!(task.is_some());
}
