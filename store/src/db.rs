//! Connecting to the database and keeping the schema current.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};
use std::time::Duration;

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

const KNOWN_OPERATIONS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "CREATE",
    "DROP", "ALTER", "PRAGMA",
];

/// The connection pool, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
}

impl Db {
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(settings.url.clone());
        options
            .max_connections(settings.max_connections)
            .min_connections(settings.min_connections)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(settings.idle_timeout)
            .sqlx_logging(true)
            .sqlx_logging_level(tracing::log::LevelFilter::Trace)
            .sqlx_slow_statements_logging_settings(
                tracing::log::LevelFilter::Warn,
                settings.slow_statement_threshold,
            )
            // Without WAL, concurrent writers on SQLite queue behind each other and time out.
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
        let mut conn = sea_orm::Database::connect(options).await?;
        conn.set_metric_callback(record_statement);
        Ok(Self { conn })
    }

    /// Connections in the pool right now: (open, idle, configured maximum).
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
            max,
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn migrate_up(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// Reverts the given number of migrations (the most recent first).
    pub async fn migrate_down(&self, steps: u32) -> Result<(), DbErr> {
        Migrator::down(&self.conn, Some(steps)).await
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

/// Creates the folder of a SQLite database file, so the zero-configuration default works on a
/// fresh checkout. Other URLs are left alone.
pub fn prepare_sqlite_dir(url: &str) -> std::io::Result<()> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}
