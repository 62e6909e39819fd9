//! The live feed: announcements that a project changed, for every server instance once the
//! change is committed.
//!
//! On PostgreSQL a write announces itself with `NOTIFY` inside its transaction (delivered only on
//! commit, to every instance that listens, see [`notify`]); SQLite runs one instance, so the
//! in-process channel carries it ([`Feed::announce`]). This module knows nothing of the pool:
//! the pool (`db`) owns a [`Feed`], and the write type (`access`) announces through it.

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel changes are announced on.
const CHANNEL: &str = "taskdeck_changes";

/// Announcements kept for a slow listener before it is told it fell behind.
const BACKLOG: usize = 1024;

/// Something listeners should know about, after it was committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Announcement {
    /// The project's tasks changed; `revision` is the project's revision after the change.
    Project { project_id: i32, revision: i64 },
    /// Announcements may have been lost (the database connection that listens for them dropped,
    /// or the listener fell behind): whoever shows a project should read it again.
    Resync,
}

impl Announcement {
    fn payload(project_id: i32, revision: i64) -> String {
        format!("{project_id}:{revision}")
    }

    fn parse(payload: &str) -> Option<Self> {
        let (project, revision) = payload.split_once(':')?;
        Some(Announcement::Project {
            project_id: project.parse().ok()?,
            revision: revision.parse().ok()?,
        })
    }
}

/// How long a new subscriber waits for PostgreSQL to start listening before it goes on without
/// it; the listener announces a resync once it listens, so a late start loses nothing.
const LISTEN_WAIT: Duration = Duration::from_secs(5);

/// The in-process side of the announcements: the channel every subscriber reads, and, on
/// PostgreSQL, the task that feeds it from `LISTEN`, started by the first subscriber.
#[derive(Debug)]
pub(crate) struct Feed {
    sender: broadcast::Sender<Announcement>,
    listener: std::sync::OnceLock<tokio::task::JoinHandle<()>>,
    /// Whether PostgreSQL is delivering announcements to this instance right now.
    listening: watch::Sender<bool>,
    url: String,
}

impl Feed {
    pub(crate) fn new(url: &str) -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            listener: std::sync::OnceLock::new(),
            listening: watch::channel(false).0,
            url: url.to_owned(),
        }
    }

    /// A receiver of every change committed after this returns. On PostgreSQL that holds only
    /// once `LISTEN` is in place, so this waits for it (the first subscriber starts it).
    pub(crate) async fn subscribe(
        &self,
        backend: DatabaseBackend,
    ) -> broadcast::Receiver<Announcement> {
        if backend == DatabaseBackend::Postgres {
            self.listener.get_or_init(|| {
                tokio::spawn(listen(
                    self.url.clone(),
                    self.sender.clone(),
                    self.listening.clone(),
                ))
            });
            let mut listening = self.listening.subscribe();
            if tokio::time::timeout(LISTEN_WAIT, listening.wait_for(|on| *on))
                .await
                .is_err()
            {
                tracing::warn!("not listening for changes yet; live updates start with a resync");
            }
        }
        self.sender.subscribe()
    }

    /// Tells this instance's subscribers; used where no `NOTIFY` carries the announcement.
    pub(crate) fn announce(&self, change: Announcement) {
        // No subscriber is not an error: nobody is looking at a board right now.
        let _ = self.sender.send(change);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.get() {
            listener.abort();
        }
    }
}

/// Feeds PostgreSQL's announcements into the channel, on a connection of its own (a listening
/// connection is held for good, so it must not take one of the pool's), reconnecting for as long
/// as the instance runs.
async fn listen(
    url: String,
    sender: broadcast::Sender<Announcement>,
    listening: watch::Sender<bool>,
) {
    loop {
        if let Err(err) = listen_once(&url, &sender, &listening).await {
            tracing::warn!(error = %err, "listening for changes failed; starting again");
        }
        listening.send_replace(false);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// One connection's worth of listening; returns when the connection is lost.
async fn listen_once(
    url: &str,
    sender: &broadcast::Sender<Announcement>,
    listening: &watch::Sender<bool>,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Whatever was announced while nobody listened is gone, so everyone who already follows a
    // project reads it again. Only then are new subscribers let in: they missed nothing, and
    // their stream starts with the current revision, not with a resync.
    let _ = sender.send(Announcement::Resync);
    listening.send_replace(true);
    loop {
        match listener.try_recv().await? {
            Some(notification) => match Announcement::parse(notification.payload()) {
                Some(change) => {
                    let _ = sender.send(change);
                }
                None => tracing::warn!(
                    payload = notification.payload(),
                    "ignored a malformed change announcement"
                ),
            },
            None => {
                tracing::warn!("lost the connection that listens for changes; reconnecting");
                return Ok(());
            }
        }
    }
}

/// Queues the announcement of the project's new revision in the write's transaction; PostgreSQL
/// delivers it to every listening instance when (and only if) the transaction commits.
pub(crate) async fn notify<C: ConnectionTrait>(
    txn: &C,
    project_id: i32,
    revision: i64,
) -> Result<(), DbErr> {
    txn.execute(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [
            CHANNEL.into(),
            Announcement::payload(project_id, revision).into(),
        ],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Announcement;

    #[test]
    fn announcements_survive_the_trip_through_postgres() {
        let payload = Announcement::payload(12, 345);
        assert_eq!(
            Announcement::parse(&payload),
            Some(Announcement::Project {
                project_id: 12,
                revision: 345
            })
        );
        assert_eq!(Announcement::parse("12"), None);
        assert_eq!(Announcement::parse("x:1"), None);
    }
}
