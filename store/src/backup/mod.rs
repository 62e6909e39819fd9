//! Portable backups: the whole database in one compressed, checksummed file that restores onto
//! SQLite or PostgreSQL, whichever it came from (how a team moves from the embedded SQLite to
//! PostgreSQL).
//!
//! - [`write`] reads every table in one read-only snapshot, so a backup taken while people work
//!   is consistent (no task without its project), and streams it to disk.
//! - [`restore`] loads a file in one transaction: it is refused before anything changes when the
//!   file is damaged or truncated, comes from a newer schema, or the target holds data (unless
//!   forced); and a restore that fails midway leaves the target as it was.
//! - [`check`] reads a file through and checks every checksum; [`digest`] computes the same
//!   checksums from a live database, so a restore can be compared with its file.

mod file;
mod schema;
mod values;

pub use file::{Header, Manifest, TableCount, TableSummary};

use crate::db::{Db, MIGRATION_LOCK};
use file::{Item, Reader, TableHash, Writer};
use futures_util::StreamExt;
use migration::{Migrator, MigratorTrait};
use schema::{quote, Class, Table};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, IsolationLevel,
    Statement, StreamTrait, TransactionTrait,
};
use std::path::{Path, PathBuf};

/// Why a backup or restore did not happen. Every variant names what to do about it; none
/// leaves a half-written file or a half-restored database behind.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("could not {action} {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a usable Taskdeck backup: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "{} is in backup format {version}, which this version of Taskdeck does not read; \
         use a newer Taskdeck", path.display()
    )]
    NewerFormat { path: PathBuf, version: u32 },
    #[error(
        "{} was made by a newer Taskdeck: its schema includes migration {migration}, which this \
         version does not know; restore it with that version or a newer one", path.display()
    )]
    NewerSchema { path: PathBuf, migration: String },
    #[error(
        "the database's schema includes migration {0}, which this version does not know; use the \
         Taskdeck version that last migrated it"
    )]
    UnknownSchema(String),
    #[error(
        "the target database is not empty ({0}); restoring would replace that data, so it was \
         left alone. Pass --force to replace it"
    )]
    NotEmpty(String),
    #[error("the backup does not fit the target's table {table}: {reason}")]
    Mismatch { table: String, reason: String },
    #[error("database error while {doing}: {source}")]
    Database {
        doing: String,
        #[source]
        source: DbErr,
    },
    #[error("the backup's writer stopped unexpectedly")]
    WriterStopped,
}

impl BackupError {
    fn db(doing: impl Into<String>) -> impl FnOnce(DbErr) -> BackupError {
        let doing = doing.into();
        move |source| BackupError::Database { doing, source }
    }
}

/// How far a backup or restore has got, for a progress bar or log lines.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    pub table: &'a str,
    /// Rows done in this table, and in all.
    pub table_rows: u64,
    pub done_rows: u64,
    pub total_rows: u64,
}

/// Called as work advances (about every few hundred rows, and at each table's end).
pub type OnProgress<'a> = &'a (dyn Fn(&Progress<'_>) + Send + Sync);

/// Options for [`restore`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RestoreOptions {
    /// Replace whatever the target holds.
    pub force: bool,
}

/// The migrations this binary knows, oldest first.
fn known_migrations() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

fn backend_name(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "postgres",
        DatabaseBackend::Sqlite => "sqlite",
        DatabaseBackend::MySql => "mysql",
    }
}

/// A read-only snapshot: every statement in it sees the database as of its first read.
async fn snapshot(db: &Db) -> Result<DatabaseTransaction, BackupError> {
    let conn = db.connection();
    let txn = match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            conn.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        // SQLite in WAL mode: a read transaction keeps its snapshot until it ends.
        _ => conn.begin().await,
    };
    txn.map_err(BackupError::db("starting a snapshot"))
}

/// Applied migrations, checked against the ones this binary knows.
async fn applied_migrations(conn: &impl ConnectionTrait) -> Result<Vec<String>, BackupError> {
    let mut applied: Vec<String> = Migrator::get_applied_migrations(conn)
        .await
        .map_err(BackupError::db("reading the schema version"))?
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    applied.sort();
    let known = known_migrations();
    if let Some(unknown) = applied.iter().find(|m| !known.contains(m)) {
        return Err(BackupError::UnknownSchema(unknown.clone()));
    }
    Ok(applied)
}

/// The migrations a database has recorded, read without creating the ledger (SeaORM's reader
/// creates it, which races other instances starting on a new PostgreSQL database); `None` for a
/// database that was never migrated.
pub async fn recorded_migrations_of(db: &Db) -> Result<Option<Vec<String>>, BackupError> {
    let conn = db.connection();
    let backend = conn.get_database_backend();
    let exists = match backend {
        DatabaseBackend::Postgres => {
            "SELECT COUNT(*) FROM pg_class WHERE oid = to_regclass('seaql_migrations')"
        }
        _ => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'"
        }
    };
    let found: i64 = conn
        .query_one(Statement::from_string(backend, exists))
        .await
        .map_err(BackupError::db("looking for the migration ledger"))?
        .map(|row| row.try_get_by_index(0))
        .transpose()
        .map_err(BackupError::db("looking for the migration ledger"))?
        .unwrap_or(0);
    if found == 0 {
        return Ok(None);
    }
    let txn = conn
        .begin()
        .await
        .map_err(BackupError::db("reading the schema version"))?;
    let recorded = recorded_migrations(&txn).await?;
    txn.commit()
        .await
        .map_err(BackupError::db("reading the schema version"))?;
    Ok(Some(recorded))
}

/// The migrations recorded in the ledger, read inside the snapshot (SeaORM's own reader would
/// try to create the ledger, which a read-only transaction refuses).
async fn recorded_migrations(txn: &DatabaseTransaction) -> Result<Vec<String>, BackupError> {
    let rows = txn
        .query_all(Statement::from_string(
            txn.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .map_err(BackupError::db(
            "reading the schema version (has this database ever been migrated?)",
        ))?;
    let applied = rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(BackupError::db("reading the schema version"))?;
    let known = known_migrations();
    if let Some(unknown) = applied.iter().find(|m| !known.contains(m)) {
        return Err(BackupError::UnknownSchema(unknown.clone()));
    }
    Ok(applied)
}

async fn count(conn: &impl ConnectionTrait, table: &str) -> Result<u64, BackupError> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) FROM {}", quote(table)),
        ))
        .await
        .map_err(BackupError::db(format!("counting {table}")))?;
    let rows: i64 = row
        .map(|r| r.try_get_by_index(0))
        .transpose()
        .map_err(BackupError::db(format!("counting {table}")))?
        .unwrap_or(0);
    Ok(u64::try_from(rows).unwrap_or(0))
}

/// The statement that reads a table's rows as JSON arrays, in primary-key order (text keys in
/// byte order on both databases, so the order, and the checksum, is the same on each).
fn select_rows(backend: DatabaseBackend, table: &Table) -> Statement {
    let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let order: Vec<&String> = if table.key.is_empty() {
        table.columns.iter().map(|c| &c.name).collect()
    } else {
        table.key.iter().collect()
    };
    let order: Vec<String> = order
        .into_iter()
        .map(|name| {
            let text = table.column(name).map(|c| c.class) == Some(Class::Text);
            if text && backend == DatabaseBackend::Postgres {
                format!("{} COLLATE \"C\"", quote(name))
            } else {
                quote(name)
            }
        })
        .collect();
    let array = match backend {
        DatabaseBackend::Postgres => "json_build_array",
        _ => "json_array",
    };
    let cast = match backend {
        DatabaseBackend::Postgres => "::text",
        _ => "",
    };
    Statement::from_string(
        backend,
        format!(
            "SELECT {array}({}){cast} FROM {} ORDER BY {}",
            columns.join(", "),
            quote(&table.name),
            order.join(", ")
        ),
    )
}

/// A table's rows in portable form, one JSON line (without its newline) at a time.
struct Rows<'a> {
    stream: sea_orm::TransactionStream<'a>,
    table: &'a Table,
}

impl<'a> Rows<'a> {
    async fn open(txn: &'a DatabaseTransaction, table: &'a Table) -> Result<Self, BackupError> {
        let stream = txn
            .stream(select_rows(txn.get_database_backend(), table))
            .await
            .map_err(BackupError::db(format!("reading {}", table.name)))?;
        Ok(Self { stream, table })
    }

    async fn next(&mut self) -> Option<Result<Vec<u8>, BackupError>> {
        let row = self.stream.next().await?;
        Some(self.portable(row))
    }

    fn portable(&self, row: Result<sea_orm::QueryResult, DbErr>) -> Result<Vec<u8>, BackupError> {
        let table = &self.table.name;
        let mismatch = |reason: String| BackupError::Mismatch {
            table: table.clone(),
            reason,
        };
        let raw: String = row
            .and_then(|r| r.try_get_by_index(0))
            .map_err(BackupError::db(format!("reading {table}")))?;
        let values: Vec<serde_json::Value> = serde_json::from_str(&raw)
            .map_err(|e| mismatch(format!("the database returned a row that is not JSON: {e}")))?;
        let portable = values
            .into_iter()
            .zip(&self.table.columns)
            .map(|(value, column)| values::portable(column.class, value))
            .collect::<Result<Vec<_>, _>>()
            .map_err(mismatch)?;
        serde_json::to_vec(&portable).map_err(|e| mismatch(e.to_string()))
    }
}

/// Writes a backup of the whole database to `path` and returns its manifest. The file appears
/// under its name only once it is complete and synced to disk.
pub async fn write(
    db: &Db,
    path: &Path,
    on_progress: OnProgress<'_>,
) -> Result<Manifest, BackupError> {
    let txn = snapshot(db).await?;
    let backend = txn.get_database_backend();
    let migrations = recorded_migrations(&txn).await?;
    let tables = schema::tables(&txn)
        .await
        .map_err(BackupError::db("reading the list of tables"))?;
    let mut counts = Vec::with_capacity(tables.len());
    for table in &tables {
        counts.push(TableCount {
            name: table.name.clone(),
            rows: count(&txn, &table.name).await?,
        });
    }
    let total_rows = counts.iter().map(|c| c.rows).sum();
    let header = Header {
        format: file::FORMAT.to_owned(),
        version: file::VERSION,
        created_at: chrono::Utc::now(),
        source: backend_name(backend).to_owned(),
        taskdeck: env!("CARGO_PKG_VERSION").to_owned(),
        migrations,
        tables: counts,
    };
    let mut writer = Writer::create(path)?;
    writer.header(&header)?;
    let mut summaries = Vec::with_capacity(tables.len());
    let mut done_rows = 0;
    for table in &tables {
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        writer.table(&table.name, &names)?;
        let mut hash = TableHash::default();
        let mut rows = Rows::open(&txn, table).await?;
        while let Some(line) = rows.next().await {
            writer.row(&line?, &mut hash).await?;
            done_rows += 1;
            if hash.rows() % 1000 == 0 {
                on_progress(&Progress {
                    table: &table.name,
                    table_rows: hash.rows(),
                    done_rows,
                    total_rows,
                });
            }
        }
        drop(rows);
        let summary = hash.finish(&table.name);
        on_progress(&Progress {
            table: &table.name,
            table_rows: summary.rows,
            done_rows,
            total_rows,
        });
        writer.end(&summary)?;
        summaries.push(summary);
    }
    let bytes = writer.finish(path, &summaries).await?;
    txn.commit()
        .await
        .map_err(BackupError::db("ending the snapshot"))?;
    Ok(Manifest {
        header,
        tables: summaries,
        bytes,
    })
}

/// Every table's row count and checksum, computed from the live database the same way a backup
/// computes them: equal to a backup's manifest exactly when the data is the same.
pub async fn digest(db: &Db) -> Result<Vec<TableSummary>, BackupError> {
    let txn = snapshot(db).await?;
    let tables = schema::tables(&txn)
        .await
        .map_err(BackupError::db("reading the list of tables"))?;
    let mut summaries = Vec::with_capacity(tables.len());
    for table in &tables {
        let mut hash = TableHash::default();
        let mut rows = Rows::open(&txn, table).await?;
        while let Some(line) = rows.next().await {
            let mut line = line?;
            line.push(b'\n');
            hash.add(&line);
        }
        drop(rows);
        summaries.push(hash.finish(&table.name));
    }
    txn.commit()
        .await
        .map_err(BackupError::db("ending the snapshot"))?;
    Ok(summaries)
}

/// Reads a backup through and checks it: format, every table's checksum and count, the
/// manifest, and zstd's checksum of the whole file. Returns the manifest.
pub async fn check(path: &Path) -> Result<Manifest, BackupError> {
    let mut reader = Reader::open(path)?;
    let mut header = None;
    while let Some(item) = reader.next().await {
        match item? {
            Item::Header(h) => header = Some(h),
            Item::Manifest(tables) => {
                let header = header.ok_or_else(|| damaged(path, "it has no header"))?;
                let manifest = Manifest {
                    header,
                    tables,
                    bytes: file_size(path)?,
                };
                check_schema(path, &manifest.header)?;
                return Ok(manifest);
            }
            Item::Table { .. } | Item::Rows(_) | Item::End => {}
        }
    }
    Err(damaged(path, "it ends early, without its manifest"))
}

fn damaged(path: &Path, reason: &str) -> BackupError {
    BackupError::Damaged {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

fn file_size(path: &Path) -> Result<u64, BackupError> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| BackupError::File {
            action: "read",
            path: path.to_owned(),
            source,
        })
}

/// The backup's schema must be one this binary knows: the first N of its migrations.
fn check_schema(path: &Path, header: &Header) -> Result<(), BackupError> {
    let known = known_migrations();
    if let Some(unknown) = header.migrations.iter().find(|m| !known.contains(m)) {
        return Err(BackupError::NewerSchema {
            path: path.to_owned(),
            migration: unknown.clone(),
        });
    }
    if known[..header.migrations.len().min(known.len())] != header.migrations[..] {
        return Err(damaged(path, "its list of migrations is out of order"));
    }
    Ok(())
}

/// Restores a backup into the database. Everything happens in one transaction: the target ends
/// up holding exactly the backup's data at the backup's schema version, or is left as it was.
/// The server applies any newer migrations when it starts, as after any upgrade.
pub async fn restore(
    db: &Db,
    path: &Path,
    options: RestoreOptions,
    on_progress: OnProgress<'_>,
) -> Result<Manifest, BackupError> {
    let mut reader = Reader::open(path)?;
    let header = match reader.next().await {
        Some(Ok(Item::Header(header))) => header,
        Some(Err(err)) => return Err(err),
        _ => return Err(damaged(path, "it has no header")),
    };
    check_schema(path, &header)?;
    let conn = db.connection();
    let backend = conn.get_database_backend();
    let applied = applied_migrations(conn).await?;
    let txn = conn
        .begin()
        .await
        .map_err(BackupError::db("starting the restore"))?;
    if backend == DatabaseBackend::Postgres {
        // A server starting meanwhile would migrate under our feet.
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await
            .map_err(BackupError::db("waiting for migrations to finish"))?;
    }
    let existing = schema::tables(&txn)
        .await
        .map_err(BackupError::db("reading the target's tables"))?;
    let mut occupied = Vec::new();
    for table in &existing {
        let rows = count(&txn, &table.name).await?;
        if rows > 0 {
            occupied.push(format!("{} rows in {}", rows, table.name));
        }
    }
    if !occupied.is_empty() {
        if !options.force {
            return Err(BackupError::NotEmpty(occupied.join(", ")));
        }
        for table in existing.iter().rev() {
            txn.execute_unprepared(&format!("DELETE FROM {}", quote(&table.name)))
                .await
                .map_err(BackupError::db(format!("emptying {}", table.name)))?;
        }
    }
    // The rows fit the schema they were read from, so the target is brought to that version
    // first (down on an emptied database loses nothing).
    let have = applied.len();
    let want = header.migrations.len();
    let steps = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    if want > have {
        Migrator::up(&txn, Some(steps(want - have)))
            .await
            .map_err(BackupError::db(
                "migrating the target to the backup's schema",
            ))?;
    } else if have > want {
        Migrator::down(&txn, Some(steps(have - want)))
            .await
            .map_err(BackupError::db(
                "migrating the target to the backup's schema",
            ))?;
    }
    let targets = schema::tables(&txn)
        .await
        .map_err(BackupError::db("reading the target's tables"))?;
    let total_rows = header.tables.iter().map(|t| t.rows).sum();
    let mut done_rows = 0;
    let mut current: Option<(Table, Vec<String>, Vec<Class>, u64)> = None;
    let manifest = loop {
        let Some(item) = reader.next().await else {
            return Err(damaged(path, "it ends early, without its manifest"));
        };
        match item? {
            Item::Header(_) => return Err(damaged(path, "it has a second header")),
            Item::Table { name, columns } => {
                let table = targets
                    .iter()
                    .find(|t| t.name == name)
                    .cloned()
                    .ok_or_else(|| BackupError::Mismatch {
                        table: name.clone(),
                        reason: "the target has no such table".to_owned(),
                    })?;
                let classes = columns
                    .iter()
                    .map(|c| {
                        table
                            .column(c)
                            .map(|col| col.class)
                            .ok_or_else(|| BackupError::Mismatch {
                                table: name.clone(),
                                reason: format!("the target has no column {c}"),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                current = Some((table, columns, classes, 0));
            }
            Item::Rows(rows) => {
                let Some((table, columns, classes, table_rows)) = current.as_mut() else {
                    return Err(damaged(path, "rows come before their table"));
                };
                insert(&txn, table, columns, classes, &rows).await?;
                *table_rows += rows.len() as u64;
                done_rows += rows.len() as u64;
                on_progress(&Progress {
                    table: &table.name,
                    table_rows: *table_rows,
                    done_rows,
                    total_rows,
                });
            }
            Item::End => current = None,
            Item::Manifest(tables) => break tables,
        }
    };
    if backend == DatabaseBackend::Postgres {
        for table in &targets {
            restart_sequence(&txn, table).await?;
        }
    }
    txn.commit()
        .await
        .map_err(BackupError::db("committing the restore"))?;
    Ok(Manifest {
        header,
        tables: manifest,
        bytes: file_size(path)?,
    })
}

/// Bound values per statement: well under SQLite's 32,766 and PostgreSQL's 65,535.
const VALUES_PER_STATEMENT: usize = 8_000;

async fn insert(
    txn: &DatabaseTransaction,
    table: &Table,
    columns: &[String],
    classes: &[Class],
    rows: &[Vec<serde_json::Value>],
) -> Result<(), BackupError> {
    let backend = txn.get_database_backend();
    let per_statement = (VALUES_PER_STATEMENT / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut statement = Query::insert();
        statement
            .into_table(Alias::new(&table.name))
            .columns(columns.iter().map(Alias::new));
        for row in chunk {
            let values = row
                .iter()
                .zip(classes)
                .map(|(value, class)| values::bind(*class, value).map(Into::into))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|reason| BackupError::Mismatch {
                    table: table.name.clone(),
                    reason,
                })?;
            statement
                .values(values)
                .map_err(|e| BackupError::Mismatch {
                    table: table.name.clone(),
                    reason: e.to_string(),
                })?;
        }
        txn.execute(backend.build(&statement))
            .await
            .map_err(BackupError::db(format!("loading {}", table.name)))?;
    }
    Ok(())
}

/// PostgreSQL's id sequences do not move when ids are inserted explicitly: without this, the
/// next task created after a restore would collide with a restored one.
async fn restart_sequence(txn: &DatabaseTransaction, table: &Table) -> Result<(), BackupError> {
    let Some(id) = table
        .column("id")
        .filter(|c| matches!(c.class, Class::Int32 | Class::Int64))
    else {
        return Ok(());
    };
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({col}), 0) + 1, false) FROM {table}",
        col = quote(&id.name),
        table = quote(&table.name),
    );
    txn.execute(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        sql,
        [quote(&table.name).into(), id.name.clone().into()],
    ))
    .await
    .map_err(BackupError::db(format!(
        "moving {}'s id sequence",
        table.name
    )))?;
    Ok(())
}

/// An online copy of a SQLite database (`VACUUM INTO`, consistent while people write), written
/// to a hidden file beside `path`, synced, then renamed into place. Returns its size.
pub async fn sqlite_snapshot(db: &Db, path: &Path) -> Result<u64, BackupError> {
    let conn = db.connection();
    if conn.get_database_backend() != DatabaseBackend::Sqlite {
        return Err(BackupError::Mismatch {
            table: String::new(),
            reason: "snapshots are for SQLite; PostgreSQL is backed up by pgBackRest".to_owned(),
        });
    }
    let partial = file::partial_path(path);
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::File {
            action,
            path,
            source,
        }
    };
    // VACUUM INTO refuses to overwrite; a leftover from a crash is removed first.
    match std::fs::remove_file(&partial) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(io("remove", &partial)(err))
        }
        _ => {}
    }
    let written = conn
        .execute(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "VACUUM INTO ?",
            [partial.to_string_lossy().into_owned().into()],
        ))
        .await
        .map_err(BackupError::db("writing a snapshot"));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(err);
    }
    let synced = std::fs::File::open(&partial)
        .and_then(|f| f.sync_all().and_then(|()| f.metadata()))
        .map_err(io("sync", &partial));
    let bytes = match synced {
        Ok(meta) => meta.len(),
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    std::fs::rename(&partial, path).map_err(io("rename into place", path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(bytes)
}

/// One table's size, for the database-growth panels.
#[derive(Clone, Debug, PartialEq)]
pub struct TableStats {
    pub name: String,
    pub rows: u64,
    /// On disk, with indexes and TOAST (PostgreSQL only: SQLite does not say per table).
    pub bytes: Option<u64>,
}

/// Rows and bytes per table. Exact counts on SQLite; on PostgreSQL the planner's estimate
/// (`reltuples`, kept current by autovacuum), which costs nothing at a million rows.
pub async fn table_stats(db: &Db) -> Result<Vec<TableStats>, BackupError> {
    let conn = db.connection();
    let reading = || BackupError::db("reading table sizes");
    let tables = schema::tables(conn).await.map_err(reading())?;
    let mut stats = Vec::with_capacity(tables.len());
    for table in tables {
        let (rows, bytes) = match conn.get_database_backend() {
            DatabaseBackend::Postgres => {
                let row = conn
                    .query_one(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        "SELECT GREATEST(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)::bigint \
                         FROM pg_class c WHERE c.oid = to_regclass($1)",
                        [quote(&table.name).into()],
                    ))
                    .await
                    .map_err(reading())?;
                match row {
                    Some(row) => {
                        let rows: i64 = row.try_get_by_index(0).map_err(reading())?;
                        let bytes: i64 = row.try_get_by_index(1).map_err(reading())?;
                        (
                            u64::try_from(rows).unwrap_or(0),
                            Some(u64::try_from(bytes).unwrap_or(0)),
                        )
                    }
                    None => (0, None),
                }
            }
            _ => (count(conn, &table.name).await?, None),
        };
        stats.push(TableStats {
            name: table.name,
            rows,
            bytes,
        });
    }
    Ok(stats)
}
