//! What the server's integration tests share: a throwaway database on SQLite or PostgreSQL
//! ([`TestDb`], dropped when the test ends, even by a panic), a running Taskdeck started the way
//! the binary starts ([`TestApp`]), and a browser-like client with typed calls ([`TestClient`]).
//!
//! A crate of its own, so that each test binary uses what it needs without including these
//! files by path (and without unused-code warnings for what it does not).

mod app;
mod client;
mod db;

pub use app::TestApp;
pub use client::{
    board_tasks, column_titles, create_project, create_task, error_text, invite, location, share,
    token_of, TestClient, PASSWORD,
};
pub use db::{postgres_database_exists, Backend, TestDb, TEST_DATABASE_PREFIX};

/// Runs one scenario on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(db) = $crate::TestDb::create($crate::Backend::Sqlite).await {
                        super::$scenario(db).await;
                    }
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::TestDb::create($crate::Backend::Postgres).await {
                        super::$scenario(db).await;
                    }
                }
            }
        )*
    };
}

/// A fresh address for a test's account.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", random_suffix())
}

pub(crate) fn random_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    // The counter keeps two calls in the same nanosecond apart.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}{:x}{count:x}", std::process::id())
}
