//! Backups as the server and its commands take them: file names, the backup before migrating,
//! SQLite's scheduled snapshots with their retention, and every outcome as metrics (on
//! `/metrics`, and in node_exporter's textfile directory when `BACKUP_METRICS_DIR` is set, so
//! that a cron-run `taskdeck backup` is seen too).

use crate::config::BackupSettings;
use chrono::{DateTime, NaiveDateTime, Utc};
use migration::{Migrator, MigratorTrait};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::backup::{self, BackupError, Progress};
use store::Db;

pub const LAST_SUCCESS: &str = "taskdeck_backup_last_success_timestamp_seconds";
pub const LAST_SIZE: &str = "taskdeck_backup_last_size_bytes";
pub const LAST_DURATION: &str = "taskdeck_backup_last_duration_seconds";
pub const LAST_OUTCOME: &str = "taskdeck_backup_last_outcome";

/// The file-name extension of portable backups.
pub const EXTENSION: &str = "tdbackup";
const SNAPSHOT_PREFIX: &str = "taskdeck-";
const SNAPSHOT_SUFFIX: &str = ".sqlite";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A portable backup (`taskdeck backup`, and the one before migrating).
    Dump,
    /// A scheduled SQLite snapshot.
    Snapshot,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Dump => "dump",
            Kind::Snapshot => "snapshot",
        }
    }
}

/// Why a backup the server takes by itself failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupsError {
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `DIR/taskdeck-20261202T153000Z[-label].tdbackup`.
pub fn dump_path(dir: &Path, label: Option<&str>, now: DateTime<Utc>) -> PathBuf {
    let stamp = now.format(STAMP);
    let name = match label {
        Some(label) => format!("taskdeck-{stamp}-{label}.{EXTENSION}"),
        None => format!("taskdeck-{stamp}.{EXTENSION}"),
    };
    dir.join(name)
}

fn create_dir(dir: &Path) -> Result<(), BackupsError> {
    std::fs::create_dir_all(dir).map_err(|source| BackupsError::Io {
        action: "create the backup directory",
        path: dir.to_owned(),
        source,
    })
}

/// Progress as log lines, at most one every few seconds (for the server's own backups and for
/// commands whose output is not a terminal).
pub fn log_progress(what: &'static str) -> impl Fn(&Progress<'_>) + Send + Sync {
    let last = std::sync::Mutex::new(Instant::now());
    move |p| {
        let Ok(mut last) = last.lock() else { return };
        if last.elapsed() >= Duration::from_secs(5) {
            *last = Instant::now();
            tracing::info!(
                table = p.table,
                rows = p.done_rows,
                total = p.total_rows,
                "{what} in progress"
            );
        }
    }
}

/// Before `serve` or `migrate up` applies migrations: a portable backup of a database that
/// holds data and has migrations pending, so that a failed upgrade is undone with
/// `taskdeck restore --force FILE` and the previous version. Returns the file, if one was taken.
pub async fn before_migrating(
    db: &Db,
    settings: &BackupSettings,
) -> Result<Option<PathBuf>, BackupsError> {
    let recorded = backup::recorded_migrations_of(db)
        .await?
        .unwrap_or_default();
    if recorded.is_empty() {
        return Ok(None); // a new database: nothing to lose
    }
    let Some(first_pending) = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .find(|name| !recorded.contains(name))
    else {
        return Ok(None);
    };
    if !settings.before_migrate {
        tracing::warn!("migrating without a backup first (BACKUP_BEFORE_MIGRATE=false)");
        return Ok(None);
    }
    create_dir(&settings.dir)?;
    let path = dump_path(
        &settings.dir,
        Some(&format!("before-{first_pending}")),
        Utc::now(),
    );
    tracing::info!(file = %path.display(), "backing up before migrating");
    let started = Instant::now();
    let written = backup::write(db, &path, &log_progress("backup before migrating")).await;
    record(
        settings,
        Kind::Dump,
        written.as_ref().map(|m| m.bytes),
        started,
    );
    let manifest = written?;
    tracing::info!(
        file = %path.display(),
        rows = manifest.total_rows(),
        bytes = manifest.bytes,
        "backed up before migrating; to undo the upgrade: `taskdeck restore --force {}` with the previous version",
        path.display()
    );
    Ok(Some(path))
}

/// A scheduled SQLite snapshot into `BACKUP_DIR/snapshots/`, then retention.
pub async fn snapshot(db: &Db, settings: &BackupSettings) -> Result<PathBuf, BackupsError> {
    let dir = settings.dir.join("snapshots");
    create_dir(&dir)?;
    let now = Utc::now();
    let path = dir.join(format!(
        "{SNAPSHOT_PREFIX}{}{SNAPSHOT_SUFFIX}",
        now.format(STAMP)
    ));
    let started = Instant::now();
    let written = backup::sqlite_snapshot(db, &path).await;
    record(settings, Kind::Snapshot, written.as_ref().copied(), started);
    let bytes = written?;
    let removed = prune(&dir, settings.keep_hourly, settings.keep_daily)?;
    tracing::info!(file = %path.display(), bytes, removed, "SQLite snapshot written");
    Ok(path)
}

/// Deletes the snapshots retention does not keep; returns how many went.
fn prune(dir: &Path, keep_hourly: u32, keep_daily: u32) -> Result<usize, BackupsError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| BackupsError::Io {
            action,
            path,
            source,
        }
    };
    let mut snapshots: Vec<(DateTime<Utc>, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stamp = name
            .strip_prefix(SNAPSHOT_PREFIX)
            .and_then(|rest| rest.strip_suffix(SNAPSHOT_SUFFIX));
        if let Some(time) = stamp.and_then(|s| NaiveDateTime::parse_from_str(s, STAMP).ok()) {
            snapshots.push((time.and_utc(), entry.path()));
        }
    }
    snapshots.sort_by_key(|s| std::cmp::Reverse(s.0));
    let times: Vec<DateTime<Utc>> = snapshots.iter().map(|(t, _)| *t).collect();
    let keep = retained(&times, keep_hourly, keep_daily);
    let mut removed = 0;
    for (i, (_, path)) in snapshots.iter().enumerate() {
        if !keep.contains(&i) {
            std::fs::remove_file(path).map_err(io("remove", path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Which snapshots to keep, given their times newest first: the newest of each of the last
/// `hourly` hours that have one, and of each of the last `daily` days (restic's
/// `--keep-hourly` / `--keep-daily`). The newest is always kept.
fn retained(newest_first: &[DateTime<Utc>], hourly: u32, daily: u32) -> BTreeSet<usize> {
    let mut keep = BTreeSet::new();
    if !newest_first.is_empty() {
        keep.insert(0);
    }
    for (limit, bucket) in [(hourly, "%Y-%m-%d %H" as &str), (daily, "%Y-%m-%d")] {
        let mut last: Option<String> = None;
        let mut kept = 0;
        for (i, time) in newest_first.iter().enumerate() {
            if kept >= limit {
                break;
            }
            let this = time.format(bucket).to_string();
            if last.as_ref() != Some(&this) {
                keep.insert(i);
                kept += 1;
                last = Some(this);
            }
        }
    }
    keep
}

/// Records a backup's outcome: gauges on `/metrics`, and the textfile for node_exporter (with
/// the same help texts as `deploy/pgbackrest/metrics.sh`, so node_exporter merges them). A
/// failure keeps the time of the last success, so "no successful backup in 26 h" still fires.
pub fn record(
    settings: &BackupSettings,
    kind: Kind,
    outcome: Result<u64, &impl std::fmt::Display>,
    started: Instant,
) {
    let label = kind.as_str();
    let now = Utc::now().timestamp() as f64;
    let seconds = started.elapsed().as_secs_f64();
    metrics::gauge!(LAST_OUTCOME, "kind" => label).set(if outcome.is_ok() { 1.0 } else { 0.0 });
    if let Ok(bytes) = &outcome {
        metrics::gauge!(LAST_SUCCESS, "kind" => label).set(now);
        metrics::gauge!(LAST_SIZE, "kind" => label).set(*bytes as f64);
        metrics::gauge!(LAST_DURATION, "kind" => label).set(seconds);
    }
    if let Err(err) = &outcome {
        tracing::error!(kind = label, error = %err, "backup failed");
    }
    let Some(dir) = &settings.metrics_dir else {
        return;
    };
    let path = dir.join(format!("taskdeck_backup_{label}.prom"));
    let previous = std::fs::read_to_string(&path).unwrap_or_default();
    let text = textfile(
        label,
        &previous,
        outcome.as_ref().ok().copied(),
        now,
        seconds,
    );
    let partial = dir.join(format!(".taskdeck_backup_{label}.prom.partial"));
    let written = std::fs::write(&partial, text).and_then(|()| std::fs::rename(&partial, &path));
    if let Err(err) = written {
        tracing::error!(file = %path.display(), error = %err, "could not write backup metrics");
    }
}

/// The textfile's content; on failure the last success's time, size and duration are carried
/// over from the previous file.
fn textfile(label: &str, previous: &str, bytes: Option<u64>, now: f64, seconds: f64) -> String {
    let carried = |name: &str| {
        let prefix = format!("{name}{{kind=\"{label}\"}} ");
        previous
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map(str::to_owned)
    };
    let (success, size, duration) = match bytes {
        Some(bytes) => (
            Some(now.to_string()),
            Some(bytes.to_string()),
            Some(seconds.to_string()),
        ),
        None => (
            carried(LAST_SUCCESS),
            carried(LAST_SIZE),
            carried(LAST_DURATION),
        ),
    };
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name}{{kind=\"{label}\"}} {value}\n"
            ));
        }
    };
    gauge(
        LAST_OUTCOME,
        "1 if the last backup attempt succeeded, 0 if it failed.",
        Some(if bytes.is_some() { "1" } else { "0" }.to_owned()),
    );
    gauge(
        LAST_SUCCESS,
        "Unix time at which the last successful backup finished.",
        success,
    );
    gauge(
        LAST_SIZE,
        "Size of the last successful backup, in bytes (pgbackrest: bytes stored in the repository).",
        size,
    );
    gauge(
        LAST_DURATION,
        "Duration of the last successful backup, in seconds.",
        duration,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn retention_keeps_the_newest_of_each_hour_and_day() {
        // Every 30 minutes for three days, newest first.
        let mut times = Vec::new();
        for day in (1..=3).rev() {
            for hour in (0..24).rev() {
                for minute in [30, 0] {
                    times.push(at(day, hour, minute));
                }
            }
        }
        let keep = retained(&times, 4, 2);
        let kept: Vec<DateTime<Utc>> = keep.iter().map(|&i| times[i]).collect();
        assert_eq!(
            kept,
            [
                at(3, 23, 30),
                at(3, 22, 30),
                at(3, 21, 30),
                at(3, 20, 30),
                at(2, 23, 30),
            ],
            "four hourly (the first also today's daily) and yesterday's daily"
        );
        assert_eq!(retained(&times[..1], 0, 0).len(), 1, "the newest is kept");
    }

    #[test]
    fn a_failed_backup_keeps_the_time_of_the_last_success() {
        let ok = textfile("dump", "", Some(2048), 1_700_000_000.0, 1.5);
        assert!(
            ok.contains("taskdeck_backup_last_outcome{kind=\"dump\"} 1\n"),
            "{ok}"
        );
        assert!(
            ok.contains("taskdeck_backup_last_size_bytes{kind=\"dump\"} 2048\n"),
            "{ok}"
        );
        let failed = textfile("dump", &ok, None, 1_700_086_400.0, 0.1);
        assert!(
            failed.contains("taskdeck_backup_last_outcome{kind=\"dump\"} 0\n"),
            "{failed}"
        );
        assert!(
            failed.contains(
                "taskdeck_backup_last_success_timestamp_seconds{kind=\"dump\"} 1700000000\n"
            ),
            "{failed}"
        );
    }

    #[test]
    fn dump_names_sort_by_time() {
        let path = dump_path(Path::new("b"), Some("before-m1"), at(2, 15, 30));
        assert_eq!(
            path,
            Path::new("b/taskdeck-20261202T153000Z-before-m1.tdbackup")
        );
    }
}
