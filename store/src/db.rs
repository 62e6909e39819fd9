//! Connecting to the database and keeping the schema current.

use crate::feed::{Announcement, Feed};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnAcquireErr, ConnectOptions, ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait,
};
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Semaphore, SemaphorePermit};

/// Pool and timeout settings, validated by the server's configuration.
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    pub connect_timeout: Duration,
    pub acquire_timeout: Duration,
    pub idle_timeout: Duration,
    pub slow_statement_threshold: Duration,
}

impl DbSettings {
    /// Settings with sensible pool sizes for a URL; used by tests and tools.
    pub fn for_url(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            min_connections: 0,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(600),
            slow_statement_threshold: Duration::from_millis(500),
        }
    }
}

/// A snapshot of the connection pool, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub used: u32,
    pub idle: u32,
    /// Operations waiting for a connection because every one is in use.
    pub waiting: u32,
    pub max: u32,
}

/// Every statement's duration, by operation (`SELECT`, `INSERT`, …), through the `metrics` facade;
/// the server decides where metrics go.
fn record_statement(info: &sea_orm::metric::Info<'_>) {
    let operation = info
        .statement
        .sql
        .split_whitespace()
        .next()
        .map(|word| word.to_ascii_uppercase())
        .filter(|word| KNOWN_OPERATIONS.contains(&word.as_str()))
        .unwrap_or_else(|| "OTHER".to_owned());
    metrics::histogram!("db_client_operation_duration_seconds", "db_operation" => operation)
        .record(info.elapsed.as_secs_f64());
}

/// The PostgreSQL advisory lock key that serialises migrations across instances (any fixed
/// number that no other application on the same database uses).
pub(crate) const MIGRATION_LOCK: i64 = 0x7a5c_dec0;

/// Connections beyond the gate's permits, kept for readiness and metrics checks.
const HEALTH_CHECK_CONNECTIONS: u32 = 1;

const KNOWN_OPERATIONS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "CREATE",
    "DROP", "ALTER", "PRAGMA",
];

/// The connection pool, cheap to clone.
///
/// Store operations take a [`Lease`] before touching the database. sqlx's pool does not say how
/// many callers wait for a connection, so the wait happens here instead, at a gate with one
/// permit per connection, where it can be counted. The pool itself has one connection more than
/// the gate: health checks use it, so a saturated pool is not mistaken for a dead database.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    gate: Arc<Semaphore>,
    waiting: Arc<AtomicU32>,
    acquire_timeout: Duration,
    feed: Arc<Feed>,
    statements: Arc<AtomicU64>,
}

/// One store operation's claim on a connection; the connection is free again when it drops.
pub struct Lease<'a> {
    conn: &'a DatabaseConnection,
    _permit: SemaphorePermit<'a>,
}

impl Deref for Lease<'_> {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        self.conn
    }
}

/// Counts a caller as waiting until it is dropped, even when the wait is cancelled.
struct Waiting<'a>(&'a AtomicU32);

impl<'a> Waiting<'a> {
    fn start(counter: &'a AtomicU32) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Db {
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbErr> {
        let max_connections = settings.max_connections.max(1);
        let mut options = ConnectOptions::new(settings.url.clone());
        options
            .max_connections(max_connections + HEALTH_CHECK_CONNECTIONS)
            .min_connections(settings.min_connections)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(settings.idle_timeout)
            .sqlx_logging(true)
            .sqlx_logging_level(tracing::log::LevelFilter::Trace)
            .sqlx_slow_statements_logging_settings(
                tracing::log::LevelFilter::Warn,
                settings.slow_statement_threshold,
            );
        let mut conn = if options.get_url().starts_with("sqlite:") {
            connect_sqlite(options, settings).await?
        } else {
            sea_orm::Database::connect(options).await?
        };
        let statements = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&statements);
        conn.set_metric_callback(move |info| {
            counted.fetch_add(1, Ordering::Relaxed);
            record_statement(info);
        });
        Ok(Self {
            conn,
            gate: Arc::new(Semaphore::new(max_connections as usize)),
            waiting: Arc::new(AtomicU32::new(0)),
            acquire_timeout: settings.acquire_timeout,
            feed: Arc::new(Feed::new(&settings.url)),
            statements,
        })
    }

    /// Waits for a free connection, at most the configured acquire timeout.
    pub async fn lease(&self) -> Result<Lease<'_>, DbErr> {
        let permit = match self.gate.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let _waiting = Waiting::start(&self.waiting);
                match tokio::time::timeout(self.acquire_timeout, self.gate.acquire()).await {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_closed)) => {
                        return Err(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))
                    }
                    Err(_elapsed) => {
                        metrics::counter!("db_client_connection_timeouts_total").increment(1);
                        return Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
                    }
                }
            }
        };
        Ok(Lease {
            conn: &self.conn,
            _permit: permit,
        })
    }

    /// Every committed change to a project's tasks, from this instance and, on PostgreSQL, from
    /// every other instance on the same database, from the moment this returns.
    pub async fn subscribe(&self) -> broadcast::Receiver<Announcement> {
        self.feed.subscribe(self.conn.get_database_backend()).await
    }

    pub(crate) fn feed(&self) -> &Feed {
        &self.feed
    }

    /// Statements this pool has run since it connected: what a page costs, for tests and
    /// benchmarks (the metrics recorder is shared by every pool in a process, this is not).
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Connections in the pool right now, and callers waiting for one.
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle, max) = match &self.conn {
            DatabaseConnection::SqlxPostgresPoolConnection(_) => {
                let pool = self.conn.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DatabaseConnection::SqlxSqlitePoolConnection(_) => {
                let pool = self.conn.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => (0, 0, 0),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        PoolStats {
            used: size.saturating_sub(idle),
            idle,
            waiting: self.waiting.load(Ordering::Relaxed),
            max,
        }
    }

    /// The connection without the gate and without any access check, for tests that set up or
    /// break the database by hand. Only built with the `test-support` feature, so the server
    /// itself cannot reach around the store's checks.
    #[cfg(feature = "test-support")]
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The connection itself, for the modules of this crate that work on whole tables
    /// (backups); everything else goes through [`Db::lease`].
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn migrate_up(&self) -> Result<(), DbErr> {
        self.migrate(None).await
    }

    /// Reverts the given number of migrations (the most recent first).
    pub async fn migrate_down(&self, steps: u32) -> Result<(), DbErr> {
        self.migrate(Some(steps)).await
    }

    /// Applies (`None`) or reverts (`Some(steps)`) migrations. On PostgreSQL, instances started
    /// together (a Deployment's replicas) would each create the same tables and all but one
    /// fail, so they take turns: a transaction-scoped advisory lock is held while migrating, and
    /// whoever comes next finds nothing left to apply. SQLite serves a single instance.
    async fn migrate(&self, down: Option<u32>) -> Result<(), DbErr> {
        if self.conn.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return match down {
                None => Migrator::up(&self.conn, None).await,
                Some(steps) => Migrator::down(&self.conn, Some(steps)).await,
            };
        }
        let txn = self.conn.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        match down {
            None => Migrator::up(&txn, None).await?,
            Some(steps) => Migrator::down(&txn, Some(steps)).await?,
        }
        txn.commit().await
    }

    /// Each known migration with whether it has been applied.
    pub async fn migration_status(&self) -> Result<Vec<(String, bool)>, DbErr> {
        let applied = Migrator::get_applied_migrations(&self.conn).await?;
        let applied: Vec<String> = applied.iter().map(|m| m.name().to_owned()).collect();
        Ok(Migrator::migrations()
            .iter()
            .map(|m| {
                let name = m.name().to_owned();
                let done = applied.contains(&name);
                (name, done)
            })
            .collect())
    }

    /// Answers whether the database responds at all; used by readiness checks.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }
}

/// SQLite's pool, built here rather than by SeaORM for one check it lacks: a connection coming
/// back to the pool still inside a transaction is closed, never handed to the next caller. That
/// happens when a disk fills up: SQLite rolls the transaction back by itself, sqlx's `ROLLBACK`
/// then fails, and sqlx goes on believing the transaction open, so the next "transaction" on
/// that connection is a savepoint inside a transaction nobody commits: its writes are answered
/// as committed, hold the write lock, and vanish on restart. Closing the connection rolls back
/// whatever it held; the pool opens a fresh one.
async fn connect_sqlite(
    options: ConnectOptions,
    settings: &DbSettings,
) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _, Sqlite};
    use sea_orm::{RuntimeErr, SqlxSqliteConnector};
    let connect_err = |err| DbErr::Conn(RuntimeErr::SqlxError(err));
    let connect_options: SqliteConnectOptions = options.get_url().parse().map_err(connect_err)?;
    let connect_options = connect_options
        // Without WAL, concurrent writers on SQLite queue behind each other and time out.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(
            tracing::log::LevelFilter::Warn,
            settings.slow_statement_threshold,
        );
    let pool: SqlitePool = options
        .sqlx_pool_options::<Sqlite>()
        .after_release(|conn, _meta| {
            Box::pin(async move {
                if conn.is_in_transaction() {
                    tracing::warn!(
                        "a SQLite connection came back inside a failed transaction; closing it"
                    );
                    metrics::counter!("db_client_connections_discarded_total").increment(1);
                    return Ok(false);
                }
                Ok(true)
            })
        })
        .connect_with(connect_options)
        .await
        .map_err(connect_err)?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// The file a `sqlite:` URL points at; `None` for other URLs and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Creates the folder of a SQLite database file, so the zero-configuration default works on a
/// fresh checkout. Other URLs are left alone.
pub fn prepare_sqlite_dir(url: &str) -> std::io::Result<()> {
    match sqlite_file(url)
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}
