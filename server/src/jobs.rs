//! Background jobs: work the server does on its own, on an interval, for as long as it serves.
//! Startup starts them and stops them on shutdown; each run is logged and counted
//! (`taskdeck_job_runs_total{job, outcome}`), so a job that stopped working shows on a dashboard.
//!
//! - deleting expired sessions, which nothing else removes (a session row stays until it is
//!   deleted, long after its cookie stopped working);
//! - on SQLite, snapshots of the database on `SNAPSHOT_INTERVAL_MINUTES`, with retention;
//! - every few minutes, rows and bytes per table, for the database-growth panels.

use crate::backups;
use crate::config::{BackupSettings, SessionSettings};
use std::future::Future;
use std::time::Duration;
use store::sessions::DbSessionStore;
use store::Db;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

pub const JOB_RUNS: &str = "taskdeck_job_runs_total";
pub const SESSIONS_DELETED: &str = "taskdeck_sessions_deleted_total";
pub const TABLE_ROWS: &str = "taskdeck_db_table_rows";
pub const TABLE_BYTES: &str = "taskdeck_db_table_bytes";
/// How often table sizes are read: growth is a trend over days, not a live figure.
const GROWTH_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// The running jobs. Dropping this stops them too (at their next await), so a server that is
/// aborted rather than shut down leaves nothing behind.
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Jobs {
    pub fn start(db: &Db, sessions: &SessionSettings, backups: &BackupSettings) -> Self {
        let stop = watch::channel(false).0;
        let store = DbSessionStore::new(db.clone(), sessions.secret.expose().as_bytes());
        let mut tasks = vec![tokio::spawn(every(
            "session_cleanup",
            sessions.cleanup_interval,
            stop.subscribe(),
            move || delete_expired_sessions(store.clone()),
        ))];
        let growth_db = db.clone();
        tasks.push(tokio::spawn(every(
            "database_growth",
            GROWTH_INTERVAL,
            stop.subscribe(),
            move || record_table_sizes(growth_db.clone()),
        )));
        if let Some(interval) = backups.snapshot_interval {
            let (db, settings) = (db.clone(), backups.clone());
            tasks.push(tokio::spawn(every(
                "sqlite_snapshot",
                interval,
                stop.subscribe(),
                move || {
                    let (db, settings) = (db.clone(), settings.clone());
                    async move {
                        backups::snapshot(&db, &settings)
                            .await
                            .map(drop)
                            .map_err(|err| err.to_string())
                    }
                },
            )));
        }
        Self { stop, tasks }
    }

    /// Tells every job to stop and waits until they have (a run in progress finishes first).
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        for task in std::mem::take(&mut self.tasks) {
            if let Err(err) = task.await {
                tracing::error!(error = %err, "a background job ended abnormally");
            }
        }
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Runs `job` every `interval` (the first run one interval after start) until `stop` turns true
/// or its sender goes away.
async fn every<F, Fut>(
    name: &'static str,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
    job: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut ticks = tokio::time::interval_at(Instant::now() + interval, interval);
    // A run that took longer than the interval is followed by a pause, not by a burst.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopping| *stopping) => return,
        }
        match job().await {
            Ok(()) => {
                metrics::counter!(JOB_RUNS, "job" => name, "outcome" => "ok").increment(1);
            }
            Err(err) => {
                metrics::counter!(JOB_RUNS, "job" => name, "outcome" => "error").increment(1);
                tracing::error!(job = name, error = %err, "background job failed");
            }
        }
    }
}

async fn delete_expired_sessions(store: DbSessionStore) -> Result<(), String> {
    let deleted = store
        .delete_expired_sessions()
        .await
        .map_err(|err| err.to_string())?;
    metrics::counter!(SESSIONS_DELETED).increment(deleted);
    tracing::info!(job = "session_cleanup", deleted, "expired sessions deleted");
    Ok(())
}

async fn record_table_sizes(db: Db) -> Result<(), String> {
    let stats = store::backup::table_stats(&db)
        .await
        .map_err(|err| err.to_string())?;
    for table in stats {
        metrics::gauge!(TABLE_ROWS, "table" => table.name.clone()).set(table.rows as f64);
        if let Some(bytes) = table.bytes {
            metrics::gauge!(TABLE_BYTES, "table" => table.name).set(bytes as f64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_job_runs_on_its_interval_and_stops_when_told() {
        let runs = Arc::new(AtomicU32::new(0));
        let stop = watch::channel(false).0;
        let task = tokio::spawn(every(
            "test",
            Duration::from_millis(10),
            stop.subscribe(),
            {
                let runs = runs.clone();
                move || {
                    let runs = runs.clone();
                    async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Err("a failure is counted, and the job goes on".to_owned())
                    }
                }
            },
        ));
        let deadline = Instant::now() + Duration::from_secs(10);
        while runs.load(Ordering::SeqCst) < 2 {
            assert!(Instant::now() < deadline, "the job did not run twice");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.send_replace(true);
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the job stops when told")
            .expect("and ends normally");
    }

    #[tokio::test]
    async fn jobs_stop_on_shutdown() {
        let db = Db::connect(&store::DbSettings::for_url("sqlite::memory:"))
            .await
            .expect("in-memory database");
        let config = crate::Config::from_lookup(|name| {
            (name == "SESSION_CLEANUP_INTERVAL_SECS").then(|| "1".to_owned())
        })
        .expect("config");
        let jobs = Jobs::start(&db, &config.sessions, &config.backups);
        tokio::time::timeout(Duration::from_secs(5), jobs.stop())
            .await
            .expect("every job stopped");
    }
}
