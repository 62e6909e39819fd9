//! Throwaway databases: a SQLite file in a temporary directory, or a PostgreSQL database named
//! `taskdeck_test_…` that is dropped when the [`TestDb`] is, also when the test panics.

use sea_orm::ConnectionTrait;
use store::{Db, DbSettings};
use tempfile::TempDir;

/// Every PostgreSQL test database is named with this prefix, so a leftover is easy to find
/// (`scripts/test` fails when a run leaves one behind).
pub const TEST_DATABASE_PREFIX: &str = "taskdeck_test_";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    /// The PostgreSQL database's name and the server URL it was created through.
    postgres: Option<(String, String)>,
    _dir: Option<TempDir>,
}

fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDb {
    /// `None` only outside CI when PostgreSQL cannot be reached; in CI that is a failure.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/taskdeck.db?mode=rwc", dir.path().display());
                Some(TestDb {
                    url,
                    backend,
                    postgres: None,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = admin_url();
                let admin = match Db::connect(&DbSettings::for_url(&admin_url)).await {
                    Ok(db) => db,
                    Err(err) if std::env::var_os("CI").is_none() => {
                        eprintln!(
                            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                             !!! PostgreSQL is not reachable at {admin_url} ({err}).\n\
                             !!! SKIPPING the PostgreSQL half of this test. In CI this fails.\n\
                             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                        );
                        return None;
                    }
                    Err(err) => {
                        panic!("PostgreSQL is required in CI but {admin_url} is unreachable: {err}")
                    }
                };
                let name = format!("{TEST_DATABASE_PREFIX}{}", crate::random_suffix());
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin_url);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    postgres: Some((name, admin_url.clone())),
                    _dir: None,
                })
            }
        }
    }

    /// A PostgreSQL outage for this database alone: with `false`, connections already open are
    /// ended and new ones refused; with `true`, it is reachable again. Panics on SQLite.
    pub async fn set_reachable(&self, reachable: bool) {
        let (name, admin_url) = self.postgres.as_ref().expect("an outage needs PostgreSQL");
        let admin = Db::connect(&DbSettings::for_url(admin_url))
            .await
            .expect("the test PostgreSQL server");
        admin
            .conn()
            .execute_unprepared(&format!(
                "ALTER DATABASE {name} ALLOW_CONNECTIONS {reachable}"
            ))
            .await
            .expect("ALTER DATABASE");
        if !reachable {
            admin
                .conn()
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ))
                .await
                .expect("end the database's connections");
        }
    }

    /// The PostgreSQL database's name; `None` on SQLite.
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres.as_ref().map(|(name, _)| name.as_str())
    }
}

impl Drop for TestDb {
    /// Drops the PostgreSQL database before returning. Drop cannot await, and the test's own
    /// runtime may be the one unwinding, so the drop runs on a thread with a runtime of its own.
    /// `WITH (FORCE)` ends the connections the test's pools still hold. Never panics: a failure
    /// is printed, and `scripts/test` notices the database left behind.
    fn drop(&mut self) {
        let Some((name, admin_url)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || drop_database(&admin_url, &name)).join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("could not drop a test database: {err}"),
            Err(_) => eprintln!("dropping a test database panicked"),
        }
    }
}

fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("no runtime for dropping {name}: {err}"))?;
    runtime.block_on(async {
        let admin = Db::connect(&DbSettings::for_url(admin_url))
            .await
            .map_err(|err| format!("{admin_url} is unreachable, {name} stays: {err}"))?;
        admin
            .conn()
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .map_err(|err| format!("DROP DATABASE {name} failed: {err}"))?;
        Ok(())
    })
}

/// Whether a database of this name exists on the test PostgreSQL server.
pub async fn postgres_database_exists(name: &str) -> bool {
    let admin = Db::connect(&DbSettings::for_url(admin_url()))
        .await
        .expect("PostgreSQL for the check");
    let row = admin
        .conn()
        .query_one(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .expect("query pg_database")
        .expect("one row");
    row.try_get::<i64>("", "n").expect("a count") > 0
}
