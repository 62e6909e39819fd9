//! Portable backups (`taskdeck backup` / `restore` / `backup verify`) and the backups the server
//! takes by itself, on both databases: what an operator relies on when a disk dies or an upgrade
//! goes wrong, and when a team moves from SQLite to PostgreSQL.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use store::backup::{self, BackupError, RestoreOptions};
use testkit::on_both_databases;
use testkit::{
    board_tasks, create_project, create_task, unique_email, Backend, TestApp, TestClient, TestDb,
    PASSWORD,
};

on_both_databases!(
    a_backup_restores_onto_either_database,
    a_restore_refuses_a_database_with_data_unless_forced,
    a_damaged_or_truncated_backup_is_refused_and_changes_nothing,
    a_backup_from_a_newer_schema_is_refused,
    a_backup_taken_while_people_write_is_consistent,
    upgrading_a_database_with_data_backs_it_up_first,
);

fn quiet(_: &backup::Progress<'_>) {}

/// What a team has built up: an account, a project with tasks, a label on one, a comment and a
/// checklist item. Returns the account's email.
async fn build_up(app: &TestApp) -> (String, i32) {
    let email = unique_email("backup");
    let client = app.signed_in_client(&email).await;
    let project = create_project(&client, "Launch").await;
    let mut first = None;
    for title in ["Write the plan", "Book the venue", "Send invitations"] {
        let task = create_task(&client, project, title).await;
        first.get_or_insert(task["id"].to_string());
    }
    let task = first.expect("a task");
    let label = client
        .call_ok(
            "create_label",
            &[
                ("project_id", &project.to_string()),
                ("name", "Urgent"),
                ("colour", "red"),
            ],
        )
        .await["id"]
        .to_string();
    client
        .call_ok(
            "set_task_label",
            &[("id", &task), ("label_id", &label), ("applied", "true")],
        )
        .await;
    client
        .call_ok(
            "add_comment",
            &[
                ("task_id", &task),
                ("body", "Draft is in the shared folder"),
            ],
        )
        .await;
    client
        .call_ok("add_subtask", &[("task_id", &task), ("title", "Budget")])
        .await;
    (email, project)
}

async fn sign_in(app: &TestApp, email: &str) -> TestClient {
    let client = app.client();
    let response = client
        .call("sign_in", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{email} signs in");
    client
}

fn backup_file(dir: &Path) -> PathBuf {
    dir.join("team.tdbackup")
}

async fn titles(client: &TestClient, project: i32) -> Vec<String> {
    let mut titles: Vec<String> = board_tasks(&client.board(project).await)
        .into_iter()
        .map(|t| t.title)
        .collect();
    titles.sort();
    titles
}

/// The move the issue asks for, both ways: a backup from either database restores onto a fresh
/// SQLite and a fresh PostgreSQL, table for table identical, and the team carries on there: the
/// same account signs in, the board is the same, and new tasks get new ids.
async fn a_backup_restores_onto_either_database(source: TestDb) {
    let app = TestApp::spawn(&source).await;
    let (email, project) = build_up(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = backup_file(dir.path());
    let manifest = backup::write(&app.db, &file, &quiet).await.expect("backup");
    assert!(manifest.total_rows() >= 9, "{manifest:?}");
    assert_eq!(
        backup::check(&file).await.expect("check").tables,
        manifest.tables
    );
    let before = titles(&sign_in(&app, &email).await, project).await;
    app.shut_down().await;

    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(target) = TestDb::create(backend).await else {
            continue;
        };
        let db = store::Db::connect(&store::DbSettings::for_url(&target.url))
            .await
            .expect("target");
        let restored = backup::restore(&db, &file, RestoreOptions::default(), &quiet)
            .await
            .unwrap_or_else(|err| panic!("restore onto {backend:?}: {err}"));
        assert_eq!(restored.tables, manifest.tables);
        assert_eq!(
            backup::digest(&db).await.expect("digest"),
            manifest.tables,
            "{backend:?} holds exactly what was backed up"
        );
        let moved = TestApp::spawn(&target).await;
        let client = sign_in(&moved, &email).await;
        assert_eq!(titles(&client, project).await, before, "{backend:?}");
        let new = create_task(&client, project, "After the move").await;
        let new_id = new["id"].as_i64().expect("an id");
        assert!(new_id > 3, "new ids follow the restored ones: {new_id}");
        moved.shut_down().await;
    }
}

async fn a_restore_refuses_a_database_with_data_unless_forced(db: TestDb) {
    let source = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&source).await;
    let (email, project) = build_up(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = backup_file(dir.path());
    let manifest = backup::write(&app.db, &file, &quiet).await.expect("backup");
    app.shut_down().await;

    let target = TestApp::spawn(&db).await;
    let (other_email, _) = build_up(&target).await;
    let kept = backup::digest(&target.db).await.expect("digest");
    let err = backup::restore(&target.db, &file, RestoreOptions::default(), &quiet)
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(matches!(err, BackupError::NotEmpty(_)), "{message}");
    assert!(
        message.contains("--force") && message.contains("rows in users"),
        "{message}"
    );
    assert_eq!(
        backup::digest(&target.db).await.expect("digest"),
        kept,
        "untouched"
    );

    backup::restore(&target.db, &file, RestoreOptions { force: true }, &quiet)
        .await
        .expect("forced");
    assert_eq!(
        backup::digest(&target.db).await.expect("digest"),
        manifest.tables
    );
    let client = sign_in(&target, &email).await;
    assert_eq!(titles(&client, project).await.len(), 3);
    let response = target
        .client()
        .call(
            "sign_in",
            &[("email", &other_email), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(
        response.status(),
        StatusCode::OK,
        "the replaced data is gone"
    );
    target.shut_down().await;
}

/// The backup's content, decompressed, to damage it by hand.
fn lines_of(file: &Path) -> Vec<String> {
    let mut text = String::new();
    zstd::Decoder::new(std::fs::File::open(file).expect("open"))
        .expect("zstd")
        .read_to_string(&mut text)
        .expect("read");
    text.lines().map(str::to_owned).collect()
}

fn write_lines(file: &Path, lines: &[String]) {
    let mut encoder =
        zstd::Encoder::new(std::fs::File::create(file).expect("create"), 3).expect("zstd");
    for line in lines {
        writeln!(encoder, "{line}").expect("write");
    }
    encoder.finish().expect("finish");
}

/// Cut short, a byte flipped, a row edited, a stranger's file: each is refused with a message
/// that says what is wrong, and the target (holding data, restored with --force) is unchanged,
/// including when the damage is only found after some tables were loaded.
async fn a_damaged_or_truncated_backup_is_refused_and_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    build_up(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let good = backup_file(dir.path());
    backup::write(&app.db, &good, &quiet).await.expect("backup");
    let kept = backup::digest(&app.db).await.expect("digest");
    let bytes = std::fs::read(&good).expect("read");

    let truncated = dir.path().join("truncated.tdbackup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let flipped = dir.path().join("flipped.tdbackup");
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    std::fs::write(&flipped, &damaged).expect("write");
    let stranger = dir.path().join("notes.tdbackup");
    std::fs::write(&stranger, b"meeting notes, not a backup\n").expect("write");
    // A row changed in the last table: found only once the earlier tables are loaded.
    let edited = dir.path().join("edited.tdbackup");
    let mut lines = lines_of(&good);
    let last_row = lines
        .iter()
        .rposition(|l| l.starts_with('['))
        .expect("a row");
    lines[last_row] = lines[last_row].replacen('[', "[ ", 1);
    write_lines(&edited, &lines);
    // And one cut exactly at a line's end, before the manifest.
    let no_manifest = dir.path().join("no-manifest.tdbackup");
    let mut lines = lines_of(&good);
    lines.pop();
    write_lines(&no_manifest, &lines);

    for (file, expected) in [
        (&truncated, "damaged"),
        (&flipped, "damaged"),
        (&stranger, "not a Taskdeck backup"),
        (&edited, "does not match its checksum"),
        (&no_manifest, "ends early"),
    ] {
        let check = backup::check(file).await.expect_err("check refuses it");
        assert!(
            matches!(check, BackupError::Damaged { .. }),
            "{}: {check}",
            file.display()
        );
        let err = backup::restore(&app.db, file, RestoreOptions { force: true }, &quiet)
            .await
            .expect_err("restore refuses it");
        let message = err.to_string();
        assert!(
            message.contains("is not a usable Taskdeck backup") && message.contains(expected)
                || file == &truncated && message.contains("ends early"),
            "{}: {message}",
            file.display()
        );
        assert_eq!(
            backup::digest(&app.db).await.expect("digest"),
            kept,
            "{}: nothing changed",
            file.display()
        );
    }
    app.shut_down().await;
}

async fn a_backup_from_a_newer_schema_is_refused(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    build_up(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = backup_file(dir.path());
    backup::write(&app.db, &file, &quiet).await.expect("backup");
    let mut lines = lines_of(&file);
    let mut header: serde_json::Value = serde_json::from_str(&lines[0]).expect("header");
    header["header"]["migrations"]
        .as_array_mut()
        .expect("migrations")
        .push("m20991231_000099_from_the_future".into());
    lines[0] = header.to_string();
    let newer = dir.path().join("newer.tdbackup");
    write_lines(&newer, &lines);

    let target = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let target_db = store::Db::connect(&store::DbSettings::for_url(&target.url))
        .await
        .expect("target");
    let err = backup::restore(&target_db, &newer, RestoreOptions::default(), &quiet)
        .await
        .expect_err("refused");
    assert!(matches!(err, BackupError::NewerSchema { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("was made by a newer Taskdeck: its schema includes migration m20991231_000099_from_the_future"),
        "{err}"
    );
    let status = target_db.migration_status().await.expect("status");
    assert!(
        status.iter().all(|(_, applied)| !applied),
        "untouched: {status:?}"
    );
    app.shut_down().await;
}

/// Backups taken while a team keeps adding tasks and comments: each restores (foreign keys
/// checked on the way in, so no task without its project, no comment without its task) and
/// holds exactly the row counts its header promised.
async fn a_backup_taken_while_people_write_is_consistent(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let (email, project) = build_up(&app).await;
    let client = sign_in(&app, &email).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let task =
                    create_task(&client, project, &format!("Written during {written}")).await;
                client
                    .call_ok(
                        "add_comment",
                        &[("task_id", &task["id"].to_string()), ("body", "noted")],
                    )
                    .await;
                written += 1;
            }
            written
        })
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut counts = Vec::new();
    for round in 0..4 {
        let file = dir.path().join(format!("during-{round}.tdbackup"));
        let manifest = backup::write(&app.db, &file, &quiet).await.expect("backup");
        for (table, count) in manifest.tables.iter().zip(&manifest.header.tables) {
            assert_eq!((&table.name, table.rows), (&count.name, count.rows));
        }
        let target = TestDb::create(Backend::Sqlite).await.expect("sqlite");
        let target_db = store::Db::connect(&store::DbSettings::for_url(&target.url))
            .await
            .expect("target");
        backup::restore(&target_db, &file, RestoreOptions::default(), &quiet)
            .await
            .expect("a backup taken during writes restores");
        let orphans = target_db
            .conn()
            .query_all(Statement::from_string(
                target_db.conn().get_database_backend(),
                "PRAGMA foreign_key_check",
            ))
            .await
            .expect("check");
        assert!(orphans.is_empty(), "no row without its parent");
        assert_eq!(
            backup::digest(&target_db).await.expect("digest"),
            manifest.tables
        );
        counts.push(manifest.total_rows());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.expect("writer");
    assert!(written > 0, "people wrote while the backups ran");
    assert!(
        counts.windows(2).any(|w| w[0] < w[1]),
        "the backups saw the writes: {counts:?}"
    );
    app.shut_down().await;
}

/// An upgrade takes a backup first: a database with data and a migration pending gets a file in
/// BACKUP_DIR named for the migration, which restores the data as it was before. And when the
/// backup cannot be written, the upgrade does not happen.
async fn upgrading_a_database_with_data_backs_it_up_first(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let (email, project) = build_up(&app).await;
    let newest = app
        .db
        .migration_status()
        .await
        .expect("status")
        .last()
        .map(|(name, _)| name.clone())
        .expect("a migration");
    app.db.migrate_down(1).await.expect("one release back");
    let old = backup::digest(&app.db).await.expect("digest");
    app.shut_down().await;

    // A backup directory that cannot be created: no upgrade.
    let blocker = tempfile::NamedTempFile::new().expect("a file");
    let unwritable = blocker.path().join("backups");
    let unwritable = unwritable.to_string_lossy().into_owned();
    let config = server::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(db.url.clone()),
        "BACKUP_DIR" => Some(unwritable.clone()),
        "LEPTOS_SITE_ADDR" | "METRICS_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })
    .expect("config");
    let refused = server::startup::Application::build(&config, true).await;
    let Err(err) = refused else {
        panic!("started without the backup");
    };
    let message = err.to_string();
    assert!(
        message.contains("could not back the database up before migrating, so it was not migrated")
            && message.contains("BACKUP_DIR"),
        "{message}"
    );
    let check = store::Db::connect(&store::DbSettings::for_url(&db.url))
        .await
        .expect("db");
    let status = check.migration_status().await.expect("status");
    assert!(
        status
            .iter()
            .any(|(name, applied)| name == &newest && !applied),
        "not migrated: {status:?}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let backups = dir.path().to_string_lossy().into_owned();
    let upgraded = TestApp::spawn_with(&db, &[("BACKUP_DIR", backups.as_str())]).await;
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.ends_with(&format!("-before-{newest}.tdbackup")),
        "{name}"
    );
    assert_eq!(
        titles(&sign_in(&upgraded, &email).await, project)
            .await
            .len(),
        3
    );
    upgraded.shut_down().await;

    // Undoing the upgrade: the file restores the data and the schema as they were.
    let undo = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let undo_db = store::Db::connect(&store::DbSettings::for_url(&undo.url))
        .await
        .expect("db");
    backup::restore(&undo_db, &files[0], RestoreOptions::default(), &quiet)
        .await
        .expect("restore");
    assert_eq!(backup::digest(&undo_db).await.expect("digest"), old);
    let status = undo_db.migration_status().await.expect("status");
    assert!(
        status
            .iter()
            .any(|(name, applied)| name == &newest && !applied),
        "the schema as it was before the upgrade: {status:?}"
    );
}

fn taskdeck(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taskdeck"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("run taskdeck")
}

/// A command's output, once it has exited 0.
fn succeeded(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The commands as an operator runs them: backup, verify and restore from the shell, with
/// metrics for node_exporter, and clear refusals for a target that cannot be written, a
/// database that is not there, and a tampered file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_commands_work_from_the_shell() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    build_up(&app).await;
    app.shut_down().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = backup_file(dir.path());
    let file_arg = file.to_string_lossy().into_owned();
    let metrics = dir.path().join("textfile");
    std::fs::create_dir(&metrics).expect("dir");

    let out = Command::new(env!("CARGO_BIN_EXE_taskdeck"))
        .args(["backup", "--output", &file_arg])
        .env("DATABASE_URL", &db.url)
        .env("BACKUP_METRICS_DIR", &metrics)
        .output()
        .expect("run");
    let stdout = succeeded(&out);
    assert!(
        stdout.contains("backed up") && stdout.contains("rows in"),
        "{stdout}"
    );
    let prom = std::fs::read_to_string(metrics.join("taskdeck_backup_dump.prom")).expect("metrics");
    assert!(
        prom.contains("taskdeck_backup_last_outcome{kind=\"dump\"} 1"),
        "{prom}"
    );
    assert!(
        prom.contains("taskdeck_backup_last_size_bytes{kind=\"dump\"}"),
        "{prom}"
    );

    let out = taskdeck(&db.url, &["backup", "verify", &file_arg]);
    let stdout = succeeded(&out);
    assert!(
        stdout.contains("restored identically") && stdout.contains("verified:"),
        "{stdout}"
    );

    let target = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let out = taskdeck(&target.url, &["restore", &file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = taskdeck(&target.url, &["restore", &file_arg]);
    assert!(
        !out.status.success(),
        "a second restore onto data is refused"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not empty") && stderr.contains("--force"),
        "{stderr}"
    );

    // A target directory that does not exist fails at once, naming it.
    let out = taskdeck(
        &db.url,
        &["backup", "--output", "/nonexistent/dir/x.tdbackup"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("could not write a backup in /nonexistent/dir"),
        "{stderr}"
    );
    // A database that is not there.
    let out = taskdeck(
        "postgres://postgres@127.0.0.1:1/none",
        &[
            "backup",
            "--output",
            &dir.path().join("y").to_string_lossy(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("could not connect to the database"),
        "{stderr}"
    );
    assert!(!dir.path().join("y").exists());
    // A tampered file.
    let mut lines = lines_of(&file);
    let row = lines
        .iter()
        .position(|l| l.starts_with('[') && l.contains("backup-"))
        .expect("the account's row");
    lines[row] = lines[row].replace("backup-", "backup+");
    let tampered = dir.path().join("tampered.tdbackup");
    write_lines(&tampered, &lines);
    let out = taskdeck(&db.url, &["backup", "verify", &tampered.to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("does not match its checksum"), "{stderr}");
}

/// A backup killed midway (the machine lost power, the job was OOM-killed) leaves no file under
/// the backup's name: only a hidden partial one, which is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backup_leaves_no_file_that_looks_complete() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    let (_, project) = build_up(&app).await;
    // Enough rows that the backup takes a moment.
    let conn = app.db.conn();
    conn.execute_unprepared(&format!(
        "INSERT INTO tasks (project_id, title, description, status, priority, position, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
         SELECT t.project_id, 'Bulk ' || i, hex(randomblob(64)), t.status, t.priority, t.position + i, t.created_at, t.updated_at \
         FROM n, (SELECT * FROM tasks WHERE project_id = {project} LIMIT 1) AS t"
    ))
    .await
    .expect("bulk tasks");
    app.shut_down().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = backup_file(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskdeck"))
        .args(["backup", "--output", &file.to_string_lossy()])
        .env("DATABASE_URL", &db.url)
        .env("LOG_LEVEL", "warn")
        .spawn()
        .expect("start a backup");
    let partial = dir.path().join(".team.tdbackup.partial");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !partial.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the backup never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "killed before it finished");
    assert!(!file.exists(), "no file under the backup's name");
    let err = backup::check(&partial)
        .await
        .expect_err("the partial file is refused");
    assert!(matches!(err, BackupError::Damaged { .. }), "{err}");
}

/// SQLite's scheduled snapshot: a complete database file that opens and holds the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_snapshot_is_a_database_that_opens() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    build_up(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let backups = dir.path().to_string_lossy().into_owned();
    let config = server::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(db.url.clone()),
        "BACKUP_DIR" => Some(backups.clone()),
        _ => None,
    })
    .expect("config");
    let snapshot = server::backups::snapshot(&app.db, &config.backups)
        .await
        .expect("snapshot");
    assert!(snapshot.starts_with(dir.path().join("snapshots")));
    let copy = store::Db::connect(&store::DbSettings::for_url(format!(
        "sqlite://{}",
        snapshot.display()
    )))
    .await
    .expect("the snapshot opens");
    assert_eq!(
        backup::digest(&copy).await.expect("digest"),
        backup::digest(&app.db).await.expect("digest"),
        "the snapshot holds the same data"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("snapshots"))
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no partial file left");
    app.shut_down().await;
}
