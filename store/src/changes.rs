//! Changes to a project's tasks: made one at a time per project, numbered, and announced to every
//! server instance once committed.
//!
//! Each change runs in a transaction that starts by bumping the project's revision. That first
//! write takes the project row's lock on PostgreSQL and the database's write lock on SQLite, so
//! two people moving cards at once are serialised and each sees the other's positions. On
//! PostgreSQL the change is announced with `NOTIFY` inside the transaction (delivered only on
//! commit, to every instance that listens); SQLite runs one instance, so an in-process channel
//! carries it.

use crate::entities::project;
use crate::{Db, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Statement, TransactionTrait,
};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel changes are announced on.
const CHANNEL: &str = "taskdeck_changes";

/// Announcements kept for a slow listener before it is told it fell behind.
const BACKLOG: usize = 1024;

/// Something listeners should know about, after it was committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The project's tasks changed; `revision` is the project's revision after the change.
    Project { project_id: i32, revision: i64 },
    /// Announcements may have been lost (the database connection that listens for them dropped,
    /// or the listener fell behind): whoever shows a project should read it again.
    Resync,
}

impl Change {
    fn payload(project_id: i32, revision: i64) -> String {
        format!("{project_id}:{revision}")
    }

    fn parse(payload: &str) -> Option<Self> {
        let (project, revision) = payload.split_once(':')?;
        Some(Change::Project {
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
    sender: broadcast::Sender<Change>,
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
    pub(crate) async fn subscribe(&self, backend: DatabaseBackend) -> broadcast::Receiver<Change> {
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

    fn announce(&self, change: Change) {
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
async fn listen(url: String, sender: broadcast::Sender<Change>, listening: watch::Sender<bool>) {
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
    sender: &broadcast::Sender<Change>,
    listening: &watch::Sender<bool>,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Whatever was announced while nobody listened is gone, so everyone who already follows a
    // project reads it again. Only then are new subscribers let in: they missed nothing, and
    // their stream starts with the current revision, not with a resync.
    let _ = sender.send(Change::Resync);
    listening.send_replace(true);
    loop {
        match listener.try_recv().await? {
            Some(notification) => match Change::parse(notification.payload()) {
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

/// A change to one project's tasks in progress: a transaction that holds the project's write
/// lock and has bumped its revision. Dropping it rolls everything back.
pub(crate) struct ProjectChange {
    txn: DatabaseTransaction,
    project_id: i32,
    revision: i64,
}

impl ProjectChange {
    /// Waits for the project's lock; `None` when there is no such project.
    pub(crate) async fn begin(
        conn: &DatabaseConnection,
        project_id: i32,
    ) -> Result<Option<Self>, StoreError> {
        let txn = conn.begin().await?;
        // The bump must be the transaction's first statement: on SQLite a transaction that reads
        // before it writes can fail instead of waiting when another writer got in between.
        let bumped = project::Entity::update_many()
            .col_expr(
                project::Column::Revision,
                Expr::col(project::Column::Revision).add(1),
            )
            .filter(project::Column::Id.eq(project_id))
            .exec(&txn)
            .await?;
        if bumped.rows_affected == 0 {
            return Ok(None);
        }
        let Some(project) = project::Entity::find_by_id(project_id).one(&txn).await? else {
            return Ok(None);
        };
        Ok(Some(Self {
            txn,
            project_id,
            revision: project.revision,
        }))
    }

    pub(crate) fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Commits the change and announces it.
    pub(crate) async fn commit(self, db: &Db) -> Result<(), StoreError> {
        let Self {
            txn,
            project_id,
            revision,
        } = self;
        let backend = txn.get_database_backend();
        if backend == DatabaseBackend::Postgres {
            txn.execute(Statement::from_sql_and_values(
                backend,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), Change::payload(project_id, revision).into()],
            ))
            .await?;
        }
        txn.commit().await?;
        if backend != DatabaseBackend::Postgres {
            db.feed().announce(Change::Project {
                project_id,
                revision,
            });
        }
        Ok(())
    }
}

/// The project's current revision, when the user may see it.
pub async fn revision(
    db: &Db,
    user: crate::UserId,
    project_id: i32,
) -> Result<Option<i64>, StoreError> {
    let conn = db.lease().await?;
    Ok(crate::projects::access(&*conn, user, project_id)
        .await?
        .map(|(project, _)| project.revision))
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn announcements_survive_the_trip_through_postgres() {
        let payload = Change::payload(12, 345);
        assert_eq!(
            Change::parse(&payload),
            Some(Change::Project {
                project_id: 12,
                revision: 345
            })
        );
        assert_eq!(Change::parse("12"), None);
        assert_eq!(Change::parse("x:1"), None);
    }
}
