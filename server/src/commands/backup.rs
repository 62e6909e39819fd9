//! `taskdeck backup [--output FILE]`, `taskdeck backup verify FILE` and `taskdeck restore FILE
//! [--force]`: portable backups of whichever database DATABASE_URL names (see
//! `store::backup` for the file and its guarantees).

use super::CommandError;
use crate::backups::{self, Kind};
use crate::startup::connect;
use crate::Config;
use migration::MigratorTrait;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use store::backup::{self as dump, Progress, RestoreOptions};
use store::{Db, DbSettings};

#[derive(Clone, Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub action: Option<BackupAction>,
    /// Where to write the backup (default: BACKUP_DIR/taskdeck-<time>.tdbackup).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum BackupAction {
    /// Check a backup's checksums, restore it into a scratch database and compare.
    Verify { file: PathBuf },
    /// Print every table's row count and checksum in the live database, computed as a backup
    /// computes them: two databases holding the same data print the same lines.
    Checksums,
}

#[derive(Clone, Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup to restore.
    pub file: PathBuf,
    /// Replace the data of a database that is not empty.
    #[arg(long)]
    pub force: bool,
}

pub async fn run(args: BackupArgs, config: &Config) -> Result<(), CommandError> {
    match args.action {
        Some(BackupAction::Verify { file }) => verify(&file).await,
        Some(BackupAction::Checksums) => checksums(config).await,
        None => backup(args.output, config).await,
    }
}

async fn backup(output: Option<PathBuf>, config: &Config) -> Result<(), CommandError> {
    let settings = &config.backups;
    let path = match output {
        Some(path) => path,
        None => {
            std::fs::create_dir_all(&settings.dir).map_err(|source| CommandError::Io {
                action: "create the backup directory",
                path: settings.dir.clone(),
                source,
            })?;
            backups::dump_path(&settings.dir, None, chrono::Utc::now())
        }
    };
    // A target that cannot be written fails now, before the database is even asked.
    check_writable(&path)?;
    let db = connect(&config.database.pool).await?;
    let started = Instant::now();
    let bar = Bar::new("backup");
    let written = dump::write(&db, &path, &|p| bar.show(p)).await;
    bar.done();
    backups::record(
        settings,
        Kind::Dump,
        written.as_ref().map(|m| m.bytes),
        started,
    );
    let manifest = written?;
    println!(
        "backed up {} rows in {} tables to {} ({}) in {:.1} s",
        manifest.total_rows(),
        manifest.tables.len(),
        path.display(),
        human_bytes(manifest.bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn check_writable(path: &Path) -> Result<(), CommandError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let probe = dir.join(format!(".taskdeck-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|source| CommandError::Io {
            action: "write a backup in",
            path: dir,
            source,
        })
}

pub async fn restore(args: RestoreArgs, config: &Config) -> Result<(), CommandError> {
    // The file is checked through before the database is touched: a damaged one changes nothing.
    let checked = dump::check(&args.file).await?;
    let db = connect(&config.database.pool).await?;
    let started = Instant::now();
    let bar = Bar::new("restore");
    let restored = dump::restore(
        &db,
        &args.file,
        RestoreOptions { force: args.force },
        &|p| bar.show(p),
    )
    .await;
    bar.done();
    let manifest = restored?;
    println!(
        "restored {} rows in {} tables from {} (taken {} from {}) in {:.1} s",
        manifest.total_rows(),
        manifest.tables.len(),
        args.file.display(),
        checked.header.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        checked.header.source,
        started.elapsed().as_secs_f64()
    );
    if manifest.header.migrations.len() < migration::Migrator::migrations().len() {
        println!(
            "the schema is as it was then; `taskdeck serve` (or `migrate up`) brings it up to date"
        );
    }
    Ok(())
}

/// Checksums first, then a real restore into a scratch SQLite database whose live checksums
/// must equal the manifest's, table by table.
async fn verify(file: &Path) -> Result<(), CommandError> {
    let started = Instant::now();
    let manifest = dump::check(file).await?;
    println!(
        "{}: format {}, taken {} from {} by Taskdeck {}, {} migrations, {}",
        file.display(),
        manifest.header.version,
        manifest.header.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        manifest.header.source,
        manifest.header.taskdeck,
        manifest.header.migrations.len(),
        human_bytes(manifest.bytes)
    );
    println!("checksums: every table matches its SHA-256");
    let scratch = Scratch::new()?;
    let db = Db::connect(&DbSettings::for_url(scratch.url()))
        .await
        .map_err(crate::startup::StartupError::Connect)?;
    let bar = Bar::new("verify");
    let restored = dump::restore(&db, file, RestoreOptions::default(), &|p| bar.show(p)).await;
    bar.done();
    restored?;
    let live = dump::digest(&db).await?;
    let mut differ = Vec::new();
    for table in &manifest.tables {
        let found = live.iter().find(|t| t.name == table.name);
        let same = found == Some(table);
        println!(
            "  {:<22} {:>10} rows  {}  {}",
            table.name,
            table.rows,
            &table.sha256[..16],
            if same {
                "restored identically"
            } else {
                "DIFFERS after restore"
            }
        );
        if !same {
            differ.push(table.name.clone());
        }
    }
    if !differ.is_empty() {
        return Err(CommandError::Verify(format!(
            "restoring {} gave different data in {}",
            file.display(),
            differ.join(", ")
        )));
    }
    println!(
        "verified: {} rows restore identically ({:.1} s)",
        manifest.total_rows(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn checksums(config: &Config) -> Result<(), CommandError> {
    let db = connect(&config.database.pool).await?;
    for table in dump::digest(&db).await? {
        println!("{} {} {}", table.name, table.rows, table.sha256);
    }
    Ok(())
}

/// A scratch SQLite file for `verify`, removed (with its WAL) when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, CommandError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("taskdeck-verify-{}-{nanos}.db", std::process::id()));
        Ok(Self(path))
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// A progress bar on a terminal; plain log lines every few seconds otherwise.
struct Bar {
    what: &'static str,
    terminal: bool,
    last: Mutex<Instant>,
    log: Box<dyn Fn(&Progress<'_>) + Send + Sync>,
}

impl Bar {
    fn new(what: &'static str) -> Self {
        Self {
            what,
            terminal: std::io::stderr().is_terminal(),
            last: Mutex::new(Instant::now()),
            log: Box::new(backups::log_progress(what)),
        }
    }

    fn show(&self, p: &Progress<'_>) {
        if !self.terminal {
            return (self.log)(p);
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() < Duration::from_millis(100) && p.done_rows < p.total_rows {
            return;
        }
        *last = Instant::now();
        let fraction = if p.total_rows == 0 {
            1.0
        } else {
            p.done_rows as f64 / p.total_rows as f64
        };
        let filled = (fraction * 30.0).round() as usize;
        eprint!(
            "\r{} [{}{}] {:>3.0}%  {} rows of {}  ({})\x1b[K",
            self.what,
            "#".repeat(filled.min(30)),
            " ".repeat(30 - filled.min(30)),
            fraction * 100.0,
            p.done_rows,
            p.total_rows,
            p.table
        );
        let _ = std::io::stderr().flush();
    }

    fn done(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
