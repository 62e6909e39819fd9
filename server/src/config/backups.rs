//! Backups: where they go, the snapshot taken before migrating, SQLite's scheduled snapshots and
//! their retention, and where backup metrics are written for node_exporter.

use super::vars::{invalid, ConfigError, Vars};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct BackupSettings {
    /// `BACKUP_DIR`: where `taskdeck backup` and the snapshot before migrating write by default,
    /// and where SQLite's scheduled snapshots go (in `snapshots/`). Default: `backups/` beside
    /// a SQLite database file, else `backups/` in the working directory.
    pub dir: PathBuf,
    /// `BACKUP_BEFORE_MIGRATE` (default true): `serve` and `migrate up` back the database up
    /// before applying pending migrations to a database that holds data.
    pub before_migrate: bool,
    /// `BACKUP_METRICS_DIR`: a node_exporter textfile directory; backup commands write their
    /// outcome there as `taskdeck_backup_*.prom`.
    pub metrics_dir: Option<PathBuf>,
    /// `SNAPSHOT_INTERVAL_MINUTES` (SQLite only; default 60, 0 turns snapshots off).
    pub snapshot_interval: Option<Duration>,
    /// `SNAPSHOT_KEEP_HOURLY` (default 24) and `SNAPSHOT_KEEP_DAILY` (default 30): the newest
    /// snapshot of each of the last N hours, and of each of the last M days, are kept.
    pub keep_hourly: u32,
    pub keep_daily: u32,
}

impl BackupSettings {
    pub fn from_vars(vars: &Vars<'_>, database_url: &str) -> Result<Self, ConfigError> {
        let sqlite = store::db::sqlite_file(database_url);
        let dir = match vars.raw("BACKUP_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => match sqlite.as_deref().and_then(std::path::Path::parent) {
                Some(parent) => parent.join("backups"),
                None => PathBuf::from("backups"),
            },
        };
        let minutes: u64 = vars.parse(
            "SNAPSHOT_INTERVAL_MINUTES",
            60,
            "a whole number of minutes (0 turns snapshots off)",
        )?;
        let keep_hourly: u32 = vars.parse("SNAPSHOT_KEEP_HOURLY", 24, "a whole number")?;
        let keep_daily: u32 = vars.parse("SNAPSHOT_KEEP_DAILY", 30, "a whole number")?;
        if keep_hourly == 0 && keep_daily == 0 && minutes > 0 {
            return Err(invalid(
                "SNAPSHOT_KEEP_DAILY",
                "at least one snapshot kept (SNAPSHOT_KEEP_HOURLY or SNAPSHOT_KEEP_DAILY above 0)",
            ));
        }
        Ok(Self {
            dir,
            before_migrate: vars.parse("BACKUP_BEFORE_MIGRATE", true, "true or false")?,
            metrics_dir: vars.raw("BACKUP_METRICS_DIR").map(PathBuf::from),
            snapshot_interval: (minutes > 0 && sqlite.is_some())
                .then(|| Duration::from_secs(minutes * 60)),
            keep_hourly,
            keep_daily,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    fn settings(vars: &[(&str, &str)], url: &str) -> Result<BackupSettings, ConfigError> {
        read(vars, |v| BackupSettings::from_vars(v, url))
    }

    #[test]
    fn sqlite_gets_hourly_snapshots_beside_its_file_by_default() {
        let s = settings(&[], "sqlite://data/taskdeck.db?mode=rwc").expect("defaults");
        assert_eq!(s.dir, PathBuf::from("data/backups"));
        assert!(s.before_migrate);
        assert_eq!(s.snapshot_interval, Some(Duration::from_secs(3600)));
        assert_eq!((s.keep_hourly, s.keep_daily), (24, 30));
        let pg = settings(&[], "postgres://db/taskdeck").expect("defaults");
        assert_eq!(pg.dir, PathBuf::from("backups"));
        assert_eq!(pg.snapshot_interval, None, "PostgreSQL has pgBackRest");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let url = "sqlite://t.db";
        let err = |vars: &[(&str, &str)]| settings(vars, url).expect_err("refused").to_string();
        assert!(err(&[("BACKUP_BEFORE_MIGRATE", "maybe")]).contains("BACKUP_BEFORE_MIGRATE"));
        assert!(err(&[("SNAPSHOT_INTERVAL_MINUTES", "hourly")]).contains("SNAPSHOT_INTERVAL"));
        assert!(
            err(&[("SNAPSHOT_KEEP_HOURLY", "0"), ("SNAPSHOT_KEEP_DAILY", "0")])
                .contains("at least one snapshot kept")
        );
        let off = settings(&[("SNAPSHOT_INTERVAL_MINUTES", "0")], url).expect("off");
        assert_eq!(off.snapshot_interval, None);
    }
}
