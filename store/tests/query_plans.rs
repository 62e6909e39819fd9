//! Every hot read keeps using an index as a PostgreSQL database grows: the board's columns, the
//! list view's filters, sorts and search, My tasks, and the task page with its history. Each store
//! function runs against a seeded database while its statements are recorded (sea-orm's
//! `debug-print`, with the values filled in); each statement is then run again under
//! `EXPLAIN ANALYZE`, which must show no sequential scan of a large table. It prints the slowest
//! statement of each read with its execution time: figures to read, not to assert on.
//!
//! - `cargo test -p store --test query_plans` (the README's test command) seeds 100,000 tasks.
//!   At that size a sequential scan of a few thousand rows can honestly be cheapest, so scans are
//!   priced out: one that remains means no index can serve the read.
//! - `PLAN_TASKS=1000000 cargo test -p store --test query_plans -- --nocapture` is the drill at a
//!   million, judged on the plans PostgreSQL itself chooses (bench/README.md has its figures).
//!   With `PLAN_KEEP=1` the seeded database is kept, to try plans on by hand.

use domain::{
    AssigneeFilter, ColumnLimits, DueWindow, Email, Priority, ProjectName, SortOrder, Status,
    TaskFilter,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use std::sync::{Arc, Mutex};
use store::{Db, DbSettings, UserId};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Tables that grow with the tasks; a sequential scan of any of them is a read that slows down as
/// an instance fills up.
const LARGE_TABLES: [&str; 6] = [
    "tasks",
    "task_assignees",
    "task_labels",
    "subtasks",
    "comments",
    "task_activities",
];
const PROJECTS: i64 = 100;
const PEOPLE: i64 = 40;

/// The statements sea-orm sends, with their values (`debug-print` logs each at debug level).
#[derive(Clone, Default)]
struct Recorded(Arc<Mutex<Vec<String>>>);

impl Recorded {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorded {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Message(Option<String>);
        impl Visit for Message {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        if !event.metadata().target().starts_with("sea_orm") {
            return;
        }
        let mut message = Message(None);
        event.record(&mut message);
        if let Some(sql) = message
            .0
            .filter(|sql| sql.trim_start().starts_with("SELECT"))
        {
            self.0.lock().expect("not poisoned").push(sql);
        }
    }
}

/// A PostgreSQL database of its own, dropped afterwards whatever happens.
async fn with_database<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = match Database::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "WARNING: skipping the query plan test, no PostgreSQL at {admin_url}: {error}"
            );
            return;
        }
        Err(error) => panic!("no PostgreSQL at {admin_url} (CI needs one): {error}"),
    };
    let name = format!("taskdeck_test_plans_{}_{}", std::process::id(), nanos());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the database");
    let url = format!(
        "{}/{name}",
        admin_url
            .rsplit_once('/')
            .map_or(&*admin_url, |(base, _)| base)
    );
    // The body runs as a task of its own, so a failed assertion comes back here as an error and
    // the database is still dropped.
    let outcome = tokio::spawn(body(url)).await;
    if std::env::var("PLAN_KEEP").is_ok_and(|keep| keep == "1") {
        println!("kept the database {name} (PLAN_KEEP): drop it when done");
    } else {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop the database");
    }
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// The reader owns `PROJECTS` projects holding `tasks` tasks between them, with labels,
/// assignees, checklists, comments and history spread over them as a team's would be.
/// The reader, their first project, its last task and one of its labels.
async fn seed(db: &Db, raw: &DatabaseConnection, tasks: i64) -> (UserId, i32, i32, i32) {
    let reader = store::users::create(
        db,
        &Email::parse("reader@example.com").expect("valid email"),
        "not a real hash".to_owned(),
    )
    .await
    .expect("reader");
    for i in 0..PEOPLE {
        let email = Email::parse(&format!("person{i}@example.com")).expect("valid email");
        store::users::create(db, &email, "not a real hash".to_owned())
            .await
            .expect("person");
    }
    let mut first_project = 0;
    for i in 0..PROJECTS {
        let name = ProjectName::parse(&format!("Project {i}")).expect("valid name");
        let project = store::projects::create(db, reader.id, name)
            .await
            .expect("project");
        if i == 0 {
            first_project = project.id;
        }
    }
    let per_project = tasks / PROJECTS;
    let statements = [
        // Everyone works on every project.
        "INSERT INTO project_members (project_id, user_id, role, created_at)
         SELECT p.id, u.id, 'editor', now() FROM projects p CROSS JOIN users u
         WHERE u.id <> p.owner_id"
            .to_owned(),
        "INSERT INTO labels (project_id, name, colour)
         SELECT p.id, 'Label ' || l, 'blue' FROM projects p CROSS JOIN generate_series(1, 8) l"
            .to_owned(),
        // Spread over the columns; about a third with a due date around today, some done.
        format!(
            "INSERT INTO tasks (project_id, title, description, status, priority, due_date, position, created_at, updated_at)
             SELECT p.id, 'Task ' || p.id || '-' || i || CASE WHEN i % 97 = 0 THEN ' invoice' ELSE '' END,
                    'Details of task ' || i,
                    CASE i % 3 WHEN 0 THEN 'todo' WHEN 1 THEN 'in_progress' ELSE 'done' END,
                    CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'urgent' END,
                    CASE WHEN i % 3 = 0 THEN current_date + (i % 41 - 20) END,
                    i * 1024, now() - (i || ' minutes')::interval, now()
             FROM projects p CROSS JOIN generate_series(1, {per_project}) i"
        ),
        // Half the tasks have one assignee (the reader has one in 41 of those), a third a label, a
        // fifth a checklist and a quarter a comment; `position / 1024` numbers a project's tasks.
        format!(
            "INSERT INTO task_assignees (task_id, user_id)
             SELECT t.id, (SELECT min(id) FROM users) + (t.position / 1024) % {people}
             FROM tasks t WHERE (t.position / 1024) % 2 = 0",
            people = PEOPLE + 1
        ),
        "INSERT INTO task_labels (task_id, label_id)
         SELECT t.id, (SELECT min(l.id) FROM labels l WHERE l.project_id = t.project_id) + (t.position / 1024) % 8
         FROM tasks t WHERE (t.position / 1024) % 3 = 0"
            .to_owned(),
        "INSERT INTO subtasks (task_id, title, done, created_at)
         SELECT t.id, 'Step ' || s, s = 1, now() FROM tasks t CROSS JOIN generate_series(1, 2) s
         WHERE (t.position / 1024) % 5 = 0"
            .to_owned(),
        "INSERT INTO comments (task_id, author_id, body, created_at)
         SELECT t.id, (SELECT min(id) FROM users), 'A comment on ' || t.title, now()
         FROM tasks t WHERE (t.position / 1024) % 4 = 0"
            .to_owned(),
        "INSERT INTO task_activities (task_id, actor_id, kind, created_at)
         SELECT t.id, (SELECT min(id) FROM users), 'created', t.created_at FROM tasks t"
            .to_owned(),
        // What autovacuum soon does on a database in use: statistics and the visibility map.
        "VACUUM ANALYZE".to_owned(),
    ];
    for sql in statements {
        raw.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|error| panic!("seeding failed: {error}\n{sql}"));
    }
    let task = one_id(
        raw,
        &format!("SELECT max(id) FROM tasks WHERE project_id = {first_project}"),
    )
    .await;
    let label = one_id(
        raw,
        &format!("SELECT min(id) FROM labels WHERE project_id = {first_project}"),
    )
    .await;
    (reader.id, first_project, task, label)
}

async fn one_id(raw: &DatabaseConnection, sql: &str) -> i32 {
    raw.query_one(Statement::from_string(raw.get_database_backend(), sql))
        .await
        .expect("a row")
        .and_then(|row| row.try_get_by_index(0).ok())
        .unwrap_or_else(|| panic!("no id from {sql}"))
}

/// The list's default filter with some fields changed.
fn with(change: impl FnOnce(&mut TaskFilter)) -> TaskFilter {
    let mut filter = TaskFilter::default();
    change(&mut filter);
    filter
}

/// How the plans are judged.
#[derive(Clone, Copy)]
enum Planner {
    /// At a million tasks and more: the plan PostgreSQL chooses.
    AsIs,
    /// Smaller, where a sequential scan of a few thousand rows can honestly be the cheapest:
    /// sequential scans are priced out (`enable_seqscan = off`), so one that remains means no index
    /// can serve the read at all.
    SeqScanPricedOut,
}

/// Runs each recorded statement under EXPLAIN ANALYZE (without per-node timing, which adds a few
/// per cent to what it times): the sequential scans of large tables it
/// shows, and the slowest statement's execution time in milliseconds with its text.
async fn plans(
    raw: &DatabaseConnection,
    planner: Planner,
    statements: &[String],
) -> (Vec<String>, f64, String) {
    let mut scans = Vec::new();
    let mut slowest: (f64, String) = (0.0, String::new());
    for sql in statements {
        let txn = raw.begin().await.expect("begin");
        if let Planner::SeqScanPricedOut = planner {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await
                .expect("set");
        }
        let rows = txn
            .query_all(Statement::from_string(
                raw.get_database_backend(),
                format!("EXPLAIN (ANALYZE, TIMING OFF, BUFFERS OFF) {sql}"),
            ))
            .await
            .unwrap_or_else(|error| panic!("EXPLAIN failed: {error}\n{sql}"));
        txn.rollback().await.expect("rollback");
        let plan: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get_by_index::<String>(0).ok())
            .collect();
        for line in &plan {
            if let Some(table) = LARGE_TABLES.iter().find(|table| {
                line.contains(&format!("Seq Scan on {table} "))
                    || line.ends_with(&format!("Seq Scan on {table}"))
            }) {
                scans.push(format!(
                    "a sequential scan of {table} in\n  {sql}\n{}",
                    plan.join("\n")
                ));
            }
            if let Some(ms) = line
                .trim()
                .strip_prefix("Execution Time: ")
                .and_then(|rest| rest.strip_suffix(" ms"))
                .and_then(|ms| ms.parse::<f64>().ok())
            {
                if ms > slowest.0 {
                    slowest = (ms, sql.chars().take(160).collect());
                }
            }
        }
    }
    (scans, slowest.0, slowest.1)
}

#[tokio::test]
async fn every_hot_read_uses_an_index_as_the_tasks_grow() {
    let tasks: i64 = std::env::var("PLAN_TASKS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    with_database(move |url| async move {
        let recorded = Recorded::default();
        let subscriber = tracing_subscriber::registry().with(
            recorded
                .clone()
                .with_filter(tracing_subscriber::filter::LevelFilter::DEBUG),
        );
        // The only test in this binary: every statement the store sends is recorded.
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

        let db = Db::connect(&DbSettings::for_url(url.clone()))
            .await
            .expect("connect");
        db.migrate_up().await.expect("migrate");
        let raw = Database::connect(&url).await.expect("raw connection");
        let started = std::time::Instant::now();
        let (reader, project, task, label) = seed(&db, &raw, tasks).await;
        println!(
            "seeded {tasks} tasks in {PROJECTS} projects in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        recorded.take();

        let today = chrono::Utc::now().date_naive();
        let filters: Vec<(&str, TaskFilter)> = vec![
            ("list, board order", TaskFilter::default()),
            (
                "list, one status",
                with(|f| f.status = Some(Status::InProgress)),
            ),
            (
                "list, one priority",
                with(|f| f.priority = Some(Priority::Urgent)),
            ),
            ("list, overdue", with(|f| f.due = Some(DueWindow::Overdue))),
            (
                "list, due this week",
                with(|f| {
                    f.due = Some(DueWindow::ThisWeek);
                    f.sort = SortOrder::Due
                }),
            ),
            ("list, a label", with(|f| f.label = Some(label))),
            (
                "list, assigned to me",
                with(|f| f.assignee = Some(AssigneeFilter::Me)),
            ),
            (
                "list, assigned to nobody",
                with(|f| f.assignee = Some(AssigneeFilter::Nobody)),
            ),
            ("list, newest first", with(|f| f.sort = SortOrder::Created)),
            ("list, by priority", with(|f| f.sort = SortOrder::Priority)),
            ("list, a search", with(|f| f.search = "invoice".to_owned())),
        ];

        let mut failures = Vec::new();
        let mut report = Vec::new();
        let mut check =
            |what: &str, statements: Vec<String>, outcome: (Vec<String>, f64, String)| {
                assert!(!statements.is_empty(), "{what}: no statement was recorded");
                report.push(format!(
                    "{what:<28} {:>3} statements, slowest {:>7.2} ms: {}",
                    statements.len(),
                    outcome.1,
                    outcome.2
                ));
                failures.extend(outcome.0.into_iter().map(|scan| format!("{what}: {scan}")));
            };
        let planner = if tasks >= 1_000_000 {
            Planner::AsIs
        } else {
            Planner::SeqScanPricedOut
        };

        let board = store::tasks::board(&db, reader, project, ColumnLimits::default())
            .await
            .expect("board")
            .expect("the reader's board");
        assert_eq!(
            board.columns.iter().map(|c| c.total).sum::<u64>(),
            (tasks / PROJECTS) as u64
        );
        let statements = recorded.take();
        check(
            "board",
            statements.clone(),
            plans(&raw, planner, &statements).await,
        );

        for (what, filter) in filters {
            store::tasks::list(&db, reader, project, &filter, today)
                .await
                .expect("list")
                .expect("the reader's list");
            let statements = recorded.take();
            check(
                what,
                statements.clone(),
                plans(&raw, planner, &statements).await,
            );
        }

        store::tasks::mine(&db, reader, today)
            .await
            .expect("my tasks");
        let statements = recorded.take();
        check(
            "my tasks",
            statements.clone(),
            plans(&raw, planner, &statements).await,
        );

        let details = store::details::get(&db, reader, task)
            .await
            .expect("task page")
            .expect("the reader's task");
        assert!(!details.activity.is_empty(), "the task has a history");
        let statements = recorded.take();
        check(
            "task page (with history)",
            statements.clone(),
            plans(&raw, planner, &statements).await,
        );

        println!("{tasks} tasks:\n{}", report.join("\n"));
        assert!(
            failures.is_empty(),
            "{} reads scan a large table:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    })
    .await;
}
