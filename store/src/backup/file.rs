//! The backup file: one zstd frame (with zstd's own content checksum) of JSON lines.
//!
//! ```text
//! {"header":{"format":"taskdeck-backup","version":1,...,"migrations":[...],"tables":[...]}}
//! {"table":{"name":"users","columns":["id","email",...]}}
//! [1,"ada@example.com",...]                       one line per row, in primary-key order
//! {"end":{"name":"users","rows":2,"sha256":"..."}}  SHA-256 of that table's row lines
//! ...
//! {"manifest":{"tables":[{"name":"users","rows":2,"sha256":"..."},...]}}
//! ```
//!
//! The manifest comes last, so a file cut short by a crash or a full disk has none and is
//! refused; and the file only gets its name once it is complete and on disk.

use super::BackupError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

pub(super) const FORMAT: &str = "taskdeck-backup";
pub(super) const VERSION: u32 = 1;
/// zstd level 3 is its default: most of the gain at a small cost in time.
const LEVEL: i32 = 3;

/// What a backup holds, as its first line says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub source: String,
    /// The Taskdeck version that wrote it.
    pub taskdeck: String,
    /// The applied migrations, oldest first: the schema the rows fit.
    pub migrations: Vec<String>,
    /// Row counts per table, read in the same snapshot as the rows.
    pub tables: Vec<TableCount>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableCount {
    pub name: String,
    pub rows: u64,
}

/// One table's row count and the SHA-256 of its rows in portable form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
}

/// A whole backup's description: its header and every table's checksum.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub header: Header,
    pub tables: Vec<TableSummary>,
    /// The file's size on disk.
    pub bytes: u64,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Header(Header),
    Table { name: String, columns: Vec<String> },
    End(TableSummary),
    Manifest { tables: Vec<TableSummary> },
}

/// A table's running checksum and count, shared by the writer, the reader and live digests.
#[derive(Default)]
pub(super) struct TableHash {
    hasher: Sha256,
    rows: u64,
}

impl TableHash {
    pub fn add(&mut self, line: &[u8]) {
        self.hasher.update(line);
        self.rows += 1;
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn finish(self, name: &str) -> TableSummary {
        TableSummary {
            name: name.to_owned(),
            rows: self.rows,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }
}

/// Serialises records into lines; the bytes go to a blocking thread that compresses and writes
/// them, so the database side never waits on the disk for long and memory stays flat.
pub(super) struct Writer {
    partial: PathBuf,
    finished: bool,
    buffer: Vec<u8>,
    sender: Option<mpsc::Sender<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<Result<u64, BackupError>>>,
}

/// Bytes handed to the writing thread at a time.
const CHUNK: usize = 256 * 1024;

impl Writer {
    /// Starts writing to a temporary file beside `path`; [`Writer::finish`] gives it its name.
    pub fn create(path: &Path) -> Result<Self, BackupError> {
        let partial = partial_path(path);
        let file = File::create(&partial).map_err(|source| BackupError::File {
            action: "create",
            path: partial.clone(),
            source,
        })?;
        let (sender, mut receiver) = mpsc::channel::<Vec<u8>>(8);
        let thread_partial = partial.clone();
        let thread = std::thread::spawn(move || {
            let partial = thread_partial;
            (|| {
                let io = |source| BackupError::File {
                    action: "write",
                    path: partial.clone(),
                    source,
                };
                let mut encoder = zstd::Encoder::new(BufWriter::new(file), LEVEL).map_err(io)?;
                encoder.include_checksum(true).map_err(io)?;
                while let Some(chunk) = receiver.blocking_recv() {
                    encoder.write_all(&chunk).map_err(io)?;
                }
                let file = encoder
                    .finish()
                    .map_err(io)?
                    .into_inner()
                    .map_err(|e| io(e.into_error()))?;
                file.sync_all().map_err(io)?;
                Ok(file.metadata().map_err(io)?.len())
            })()
        });
        Ok(Self {
            partial,
            finished: false,
            buffer: Vec::with_capacity(CHUNK),
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    fn record(&mut self, record: &Record) -> Result<(), BackupError> {
        serde_json::to_writer(&mut self.buffer, record).map_err(encode_error)?;
        self.buffer.push(b'\n');
        Ok(())
    }

    pub fn header(&mut self, header: &Header) -> Result<(), BackupError> {
        self.record(&Record::Header(header.clone()))
    }

    pub fn table(&mut self, name: &str, columns: &[String]) -> Result<(), BackupError> {
        self.record(&Record::Table {
            name: name.to_owned(),
            columns: columns.to_vec(),
        })
    }

    /// Adds one row line (without its newline) and returns the bytes hashed for it.
    pub async fn row(&mut self, line: &[u8], hash: &mut TableHash) -> Result<(), BackupError> {
        let start = self.buffer.len();
        self.buffer.extend_from_slice(line);
        self.buffer.push(b'\n');
        hash.add(&self.buffer[start..]);
        if self.buffer.len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    pub fn end(&mut self, summary: &TableSummary) -> Result<(), BackupError> {
        self.record(&Record::End(summary.clone()))
    }

    async fn send(&mut self) -> Result<(), BackupError> {
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        let delivered = match &self.sender {
            Some(sender) => sender.send(chunk).await.is_ok(),
            None => false,
        };
        if delivered {
            Ok(())
        } else {
            // The thread stopped early: its own error says why.
            Err(self
                .join()
                .await
                .err()
                .unwrap_or(BackupError::WriterStopped))
        }
    }

    async fn join(&mut self) -> Result<u64, BackupError> {
        self.sender = None;
        match self.thread.take() {
            Some(thread) => tokio::task::spawn_blocking(move || thread.join())
                .await
                .map_err(|_| BackupError::WriterStopped)?
                .map_err(|_| BackupError::WriterStopped)?,
            None => Err(BackupError::WriterStopped),
        }
    }

    /// Writes the manifest, waits until every byte is on disk, then renames the file into place
    /// (and syncs the directory, so the name survives a crash too). Returns the file's size.
    pub async fn finish(
        mut self,
        path: &Path,
        tables: &[TableSummary],
    ) -> Result<u64, BackupError> {
        self.record(&Record::Manifest {
            tables: tables.to_vec(),
        })?;
        self.send().await?;
        let bytes = self.join().await?;
        std::fs::rename(&self.partial, path).map_err(|source| BackupError::File {
            action: "rename into place",
            path: path.to_owned(),
            source,
        })?;
        self.finished = true;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(bytes)
    }
}

impl Drop for Writer {
    /// A backup abandoned midway (an error, a cancelled future) leaves no partial file.
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if !self.finished {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Where a backup is written until it is complete: hidden beside the target, so the rename is
/// atomic (same file system) and an interrupted one is never mistaken for a backup.
pub(super) fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".to_owned());
    path.with_file_name(format!(".{name}.partial"))
}

fn encode_error(err: serde_json::Error) -> BackupError {
    BackupError::Damaged {
        path: PathBuf::new(),
        reason: format!("could not encode a record: {err}"),
    }
}

/// What the reader hands over, already checked: every table's rows match the count and checksum
/// its end line states, and the manifest agrees with them all.
pub(super) enum Item {
    Header(Header),
    Table {
        name: String,
        columns: Vec<String>,
    },
    Rows(Vec<Vec<serde_json::Value>>),
    /// The table's rows all arrived and matched its checksum.
    End,
    Manifest(Vec<TableSummary>),
}

/// Rows handed over at a time.
const ROWS_PER_BATCH: usize = 500;

/// Reads and checks a backup on a blocking thread, handing over checked items in order. The
/// last item is the manifest; a damaged or truncated file ends with an error instead.
pub(super) struct Reader {
    receiver: mpsc::Receiver<Result<Item, BackupError>>,
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self, BackupError> {
        let file = File::open(path).map_err(|source| BackupError::File {
            action: "open",
            path: path.to_owned(),
            source,
        })?;
        let (sender, receiver) = mpsc::channel(8);
        let path = path.to_owned();
        std::thread::spawn(move || {
            if let Err(err) = read(file, &path, &sender) {
                let _ = sender.blocking_send(Err(err));
            }
        });
        Ok(Self { receiver })
    }

    pub async fn next(&mut self) -> Option<Result<Item, BackupError>> {
        self.receiver.recv().await
    }
}

/// What zstd's complaint means for the person holding the file.
fn stream_error(err: &std::io::Error) -> String {
    let text = err.to_string();
    if err.kind() == std::io::ErrorKind::UnexpectedEof || text.contains("incomplete frame") {
        "it ends early (the backup was interrupted or the file was cut short)".to_owned()
    } else if text.contains("Unknown frame descriptor") {
        "it is not a Taskdeck backup".to_owned()
    } else {
        format!("it is damaged ({text})")
    }
}

fn read(
    file: File,
    path: &Path,
    sender: &mpsc::Sender<Result<Item, BackupError>>,
) -> Result<(), BackupError> {
    let damaged = |reason: String| BackupError::Damaged {
        path: path.to_owned(),
        reason,
    };
    let decoder = zstd::Decoder::new(file).map_err(|e| damaged(e.to_string()))?;
    let mut lines = BufReader::with_capacity(CHUNK, decoder);
    let mut line = Vec::new();
    let mut current: Option<(String, usize, TableHash)> = None;
    let mut finished: Vec<TableSummary> = Vec::new();
    let mut batch = Vec::new();
    let mut first = true;
    let send = |item: Item| sender.blocking_send(Ok(item)).is_ok();
    loop {
        line.clear();
        let read = lines
            .read_until(b'\n', &mut line)
            .map_err(|e| damaged(stream_error(&e)))?;
        if read == 0 || line.last() != Some(&b'\n') {
            return Err(damaged(
                "it ends early, without its manifest (the backup was interrupted or the file was \
                 cut short)"
                    .to_owned(),
            ));
        }
        if line.first() == Some(&b'[') {
            let Some((_, width, hash)) = current.as_mut() else {
                return Err(damaged("a row comes before its table".to_owned()));
            };
            hash.add(&line);
            let row: Vec<serde_json::Value> = serde_json::from_slice(&line)
                .map_err(|e| damaged(format!("a row is not valid ({e})")))?;
            if row.len() != *width {
                return Err(damaged("a row has the wrong number of values".to_owned()));
            }
            batch.push(row);
            if batch.len() >= ROWS_PER_BATCH && !send(Item::Rows(std::mem::take(&mut batch))) {
                return Ok(());
            }
            continue;
        }
        let record: Record = serde_json::from_slice(&line).map_err(|e| {
            damaged(if first {
                "it is not a Taskdeck backup".to_owned()
            } else {
                format!("a line is not valid ({e})")
            })
        })?;
        match (first, record) {
            (true, Record::Header(header)) => {
                if header.format != FORMAT {
                    return Err(damaged("it is not a Taskdeck backup".to_owned()));
                }
                if header.version > VERSION {
                    return Err(BackupError::NewerFormat {
                        path: path.to_owned(),
                        version: header.version,
                    });
                }
                if !send(Item::Header(header)) {
                    return Ok(());
                }
            }
            (true, _) => return Err(damaged("it is not a Taskdeck backup".to_owned())),
            (false, Record::Header(_)) => return Err(damaged("it has a second header".to_owned())),
            (false, Record::Table { name, columns }) => {
                if current.is_some() {
                    return Err(damaged(format!("table {name} starts inside another")));
                }
                current = Some((name.clone(), columns.len(), TableHash::default()));
                if !send(Item::Table { name, columns }) {
                    return Ok(());
                }
            }
            (false, Record::End(stated)) => {
                let Some((name, _, hash)) = current.take() else {
                    return Err(damaged("a table ends that never started".to_owned()));
                };
                let found = hash.finish(&name);
                if found != stated {
                    return Err(damaged(format!(
                        "table {name} does not match its checksum ({} rows read, {} stated)",
                        found.rows, stated.rows
                    )));
                }
                if !batch.is_empty() && !send(Item::Rows(std::mem::take(&mut batch))) {
                    return Ok(());
                }
                finished.push(found);
                if !send(Item::End) {
                    return Ok(());
                }
            }
            (false, Record::Manifest { tables }) => {
                if current.is_some() || tables != finished {
                    return Err(damaged(
                        "its manifest does not match the tables it holds".to_owned(),
                    ));
                }
                // Nothing may follow the manifest, and zstd's checksum covers the whole frame,
                // which is only checked once the frame has been read to its end.
                let mut rest = Vec::new();
                std::io::Read::read_to_end(&mut lines, &mut rest)
                    .map_err(|e| damaged(stream_error(&e)))?;
                if !rest.is_empty() {
                    return Err(damaged("something follows its manifest".to_owned()));
                }
                send(Item::Manifest(tables));
                return Ok(());
            }
        }
        first = false;
    }
}
