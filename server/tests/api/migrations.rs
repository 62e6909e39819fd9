use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use testkit::on_both_databases;
use testkit::{create_project, create_task, unique_email, Backend, TestApp, TestClient, TestDb};

on_both_databases!(
    migrations_go_down_and_up_again,
    history_kept_as_sentences_becomes_events_and_back,
    assignments_copy_their_task_whatever_writes_them
);

/// The reproduction from the shipping issue: three instances started at the same moment on a new
/// PostgreSQL database (a Kubernetes Deployment's first install) each applied the migrations, and
/// two of them exited with `duplicate key value violates unique constraint
/// "pg_type_typname_nsp_index"`. They take turns now: all three start, the schema is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_together_on_a_new_database_migrate_once() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    // Each instance is a task of its own, so one failing to start is reported, not hidden.
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { TestApp::spawn_at(&url).await })
        })
        .collect();
    let mut replicas = Vec::new();
    for start in starts {
        match start.await {
            Ok(app) => replicas.push(app),
            Err(err) => panic!("an instance did not start: {err}"),
        }
    }
    for replica in &replicas {
        let ready = replica.client().page("/readyz").await;
        assert_eq!(ready.status(), 200, "every replica is ready");
    }
    let status = replicas[0].db.migration_status().await.expect("status");
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    let conn = replicas[0].db.conn();
    let recorded = conn
        .query_one(Statement::from_string(
            conn.get_database_backend(),
            "SELECT count(*) AS n FROM seaql_migrations",
        ))
        .await
        .expect("read the migration table")
        .expect("a count")
        .try_get::<i64>("", "n")
        .expect("a number");
    assert_eq!(
        recorded,
        i64::try_from(status.len()).expect("few"),
        "each migration is recorded once"
    );
    // And the schema works for all of them.
    let client = replicas[2].signed_in_client(&unique_email("replica")).await;
    create_project(&client, "Started together").await;
    for replica in replicas {
        replica.shut_down().await;
    }
}

async fn migrations_go_down_and_up_again(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let status = app.db.migration_status().await.expect("status");
    assert!(
        !status.is_empty() && status.iter().all(|(_, applied)| *applied),
        "{status:?}"
    );

    let all = u32::try_from(status.len()).expect("few migrations");
    app.db
        .migrate_down(all)
        .await
        .expect("every down migration works");
    let status = app.db.migration_status().await.expect("status");
    assert!(status.iter().all(|(_, applied)| !*applied), "{status:?}");

    app.db.migrate_up().await.expect("and up again");
    let status = app.db.migration_status().await.expect("status");
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    let _ = db.backend;
}

/// Takes the schema down to what it was before the migration named, the later ones with it.
async fn down_to_before(app: &TestApp, migration: &str) {
    let status = app.db.migration_status().await.expect("status");
    let since = status
        .iter()
        .position(|(name, _)| name == migration)
        .unwrap_or_else(|| panic!("no migration {migration}"));
    let steps = u32::try_from(status.len() - since).expect("few migrations");
    app.db.migrate_down(steps).await.expect("down");
}

/// The task's history as its page words it, oldest first.
async fn history(client: &TestClient, task: &str) -> Vec<String> {
    let details = client.call_ok("task_details", &[("id", task)]).await;
    let lines: Vec<domain::Activity> =
        serde_json::from_value(details["activity"].clone()).expect("history lines");
    lines.iter().rev().map(app::history::sentence).collect()
}

/// Every history row's text column, oldest first, as the sentence-keeping schema had it.
async fn stored(app: &TestApp, sql: &str, column: &str) -> Vec<String> {
    let conn = app.db.conn();
    conn.query_all(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect("read the history table")
        .iter()
        .map(|row| row.try_get::<String>("", column).expect("text"))
        .collect()
}

async fn history_kept_as_sentences_becomes_events_and_back(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let email = unique_email("historian");
    let owner = app.signed_in_client(&email).await;
    let project = create_project(&owner, "History").await;
    let task = create_task(&owner, project, "Old lines").await["id"].to_string();
    owner.assign(&task, owner.user_id().await).await;
    owner
        .call_ok(
            "add_subtask",
            &[("task_id", &task), ("title", "Read “this”")],
        )
        .await;
    owner
        .call_ok("move_task", &[("id", &task), ("to", "in_progress")])
        .await;
    let shown = history(&owner, &task).await;
    assert_eq!(
        shown,
        [
            "created the task".to_owned(),
            format!("assigned {email}"),
            "added the subtask “Read “this””".to_owned(),
            "moved it from To do to In progress".to_owned(),
        ]
    );
    // No email address is kept in the events.
    let with_email = stored(
        &app,
        "SELECT kind FROM task_activities WHERE new_value LIKE '%@%' OR old_value LIKE '%@%'",
        "kind",
    )
    .await;
    assert!(with_email.is_empty(), "{with_email:?}");

    // Going down (through the migrations after it too) writes the sentences the page showed.
    down_to_before(&app, "m20261201_000010_activity_events").await;
    let sentences = "SELECT summary FROM task_activities ORDER BY id";
    assert_eq!(stored(&app, sentences, "summary").await, shown);

    // Going up reads them back; a line it cannot read stays as it was written.
    let conn = app.db.conn();
    conn.execute_unprepared(
        "UPDATE task_activities SET summary = 'waved at it' \
         WHERE id = (SELECT MIN(id) FROM task_activities)",
    )
    .await
    .expect("an unreadable line");
    app.db.migrate_up().await.expect("up");
    let mut expected = shown;
    expected[0] = "waved at it".to_owned();
    assert_eq!(history(&owner, &task).await, expected);
    let kinds = stored(&app, "SELECT kind FROM task_activities ORDER BY id", "kind").await;
    assert_eq!(kinds, ["legacy", "assigned", "subtask_added", "moved"]);
}

/// Each assignment's copy of its task, as `project:state:due:rank`, in task order.
async fn copies(app: &TestApp) -> Vec<String> {
    stored(
        app,
        "SELECT CAST(project_id AS TEXT) || ':' || CASE WHEN is_open THEN 'open' ELSE 'done' END
           || ':' || COALESCE(CAST(due_date AS TEXT), '-') || ':' || CAST(priority_rank AS TEXT)
           AS copy
         FROM task_assignees ORDER BY task_id",
        "copy",
    )
    .await
}

/// The copies My tasks reads (migration 14) are made on the way up from what is stored, and
/// kept by the database whatever writes a task or an assignment, SQL by hand included.
async fn assignments_copy_their_task_whatever_writes_them(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("copier")).await;
    let project = create_project(&owner, "Copied").await;
    let first = create_task(&owner, project, "First").await["id"].to_string();
    let second = create_task(&owner, project, "Second").await["id"].to_string();
    owner.assign(&first, owner.user_id().await).await;

    down_to_before(&app, "m20261204_000014_assignment_copies").await;
    let conn = app.db.conn();
    let sql = |sql: &str| Statement::from_string(conn.get_database_backend(), sql.to_owned());
    conn.execute(sql(&format!(
        "UPDATE tasks SET due_date = '2027-01-05', priority = 'high' WHERE id = {first}"
    )))
    .await
    .expect("a dated task");
    if matches!(db.backend, Backend::Sqlite) {
        // An assignment whose task is gone, as SQLite keeps when foreign keys were off (one
        // batch, so on one connection); the way up failed on it.
        conn.execute_unprepared(&format!(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO task_assignees (task_id, user_id) VALUES (999999, {});
             PRAGMA foreign_keys = ON;",
            owner.user_id().await
        ))
        .await
        .expect("an orphaned assignment");
    }
    app.db.migrate_up().await.expect("up");
    assert_eq!(copies(&app).await, [format!("{project}:open:2027-01-05:1")]);

    // A task changed by hand is copied to its assignments...
    conn.execute(sql(&format!(
        "UPDATE tasks SET status = 'done', due_date = NULL, priority = 'urgent' WHERE id = {first}"
    )))
    .await
    .expect("a finished task");
    assert_eq!(copies(&app).await, [format!("{project}:done:-:0")]);
    // ...and an assignment moved to another task by hand copies that task.
    conn.execute(sql(&format!(
        "UPDATE task_assignees SET task_id = {second} WHERE task_id = {first}"
    )))
    .await
    .expect("a moved assignment");
    assert_eq!(copies(&app).await, [format!("{project}:open:-:2")]);
}

/// Runs `work` while another transaction holds `change` uncommitted, commits the change, and
/// waits for `work` to finish.
async fn beside_an_uncommitted_change(
    app: &TestApp,
    change: &str,
    work: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let changing = app.db.conn().begin().await.expect("a transaction");
    changing
        .execute_unprepared(change)
        .await
        .expect("a change under way");
    let work = tokio::spawn(work);
    // Long enough for the work to reach the changed task; if it has not, it reads the committed
    // change anyway, so a test cannot fail for being slow.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    changing.commit().await.expect("the change committed");
    work.await.expect("the work finished");
}

/// A task changed in one transaction while another assigns it: the assignment waits for the
/// change and copies it, instead of copying what the task was and keeping that for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assignment_made_during_a_change_to_its_task_copies_the_change() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("racer")).await;
    let project = create_project(&owner, "Raced").await;
    let task = create_task(&owner, project, "Raced").await["id"].to_string();
    let user = owner.user_id().await;

    let url = db.url.clone();
    beside_an_uncommitted_change(
        &app,
        &format!("UPDATE tasks SET due_date = '2027-02-01' WHERE id = {task}"),
        async move {
            let conn = sea_orm::Database::connect(&url)
                .await
                .expect("a connection");
            conn.execute_unprepared(&format!(
                "INSERT INTO task_assignees (task_id, user_id) VALUES ({task}, {user})"
            ))
            .await
            .expect("an assignment");
        },
    )
    .await;
    assert_eq!(copies(&app).await, [format!("{project}:open:2027-02-01:2")]);
}

/// An old release changes a task while the copies migration runs beside it (a rolling deploy):
/// the migration waits for the change and copies it, instead of copying what the task was
/// before the change committed and creating its trigger after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_changed_while_the_copies_migration_runs_is_copied() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("deployer")).await;
    let project = create_project(&owner, "Deployed").await;
    let task = create_task(&owner, project, "Deployed").await["id"].to_string();
    owner.assign(&task, owner.user_id().await).await;
    down_to_before(&app, "m20261204_000014_assignment_copies").await;

    let db = app.db.clone();
    beside_an_uncommitted_change(
        &app,
        &format!("UPDATE tasks SET status = 'done' WHERE id = {task}"),
        async move { db.migrate_up().await.expect("up") },
    )
    .await;
    assert_eq!(copies(&app).await, [format!("{project}:done:-:2")]);
}
