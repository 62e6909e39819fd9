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
use tokio::sync::broadcast;

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

/// The in-process side of the announcements: the channel every subscriber reads, and, on
/// PostgreSQL, the task that feeds it from `LISTEN`, started by the first subscriber.
#[derive(Debug)]
pub(crate) struct Feed {
    sender: broadcast::Sender<Change>,
    listener: std::sync::OnceLock<tokio::task::JoinHandle<()>>,
    url: String,
}

impl Feed {
    pub(crate) fn new(url: &str) -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            listener: std::sync::OnceLock::new(),
            url: url.to_owned(),
        }
    }

    pub(crate) fn subscribe(&self, backend: DatabaseBackend) -> broadcast::Receiver<Change> {
        let receiver = self.sender.subscribe();
        if backend == DatabaseBackend::Postgres {
            self.listener
                .get_or_init(|| tokio::spawn(listen(self.url.clone(), self.sender.clone())));
        }
        receiver
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
/// connection is held for good, so it must not take one of the pool's).
async fn listen(url: String, sender: broadcast::Sender<Change>) {
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "could not connect to listen for changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "could not listen for changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match Change::parse(notification.payload()) {
                    Some(change) => {
                        let _ = sender.send(change);
                    }
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "ignored a malformed change announcement"
                    ),
                },
                // The connection dropped; `try_recv` reconnects and listens again on the next
                // call, but whatever was announced meanwhile is gone.
                Ok(None) => {
                    tracing::warn!("lost the connection that listens for changes; reconnecting");
                    let _ = sender.send(Change::Resync);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "listening for changes failed; starting again");
                    let _ = sender.send(Change::Resync);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
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
