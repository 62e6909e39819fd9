//! Who may read or change a project, and the one way a project's tasks are changed.
//!
//! Every read takes the acting user's id and answers `None` when the project is not theirs. Every
//! write is a [`ProjectWrite`]: it checks the user's role *before* it takes any lock (so a stranger
//! naming someone else's project never waits for, or holds, that project's lock; on SQLite the
//! lock is the whole database), then locks the project by bumping its revision, then checks again
//! under the lock (the user may have been removed, or the row deleted, while it waited).
//!
//! The bump is the transaction's first statement. It takes the project row's lock on PostgreSQL
//! and the database's write lock on SQLite, so two people moving cards at once are serialised and
//! each sees the other's positions; committing announces the new revision on the live feed.

use crate::convert::parse_role;
use crate::db::{Db, Lease};
use crate::entities::{comment, label, project, project_member, subtask, task};
use crate::error::StoreError;
use crate::feed::{self, Announcement};
use crate::users::UserId;
use domain::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
};

/// The project and the user's role in it; `None` when they are not a member (or there is no
/// such project), which callers answer exactly like a missing project.
pub(crate) async fn access<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    id: i32,
) -> Result<Option<(project::Model, Role)>, StoreError> {
    let found = project::Entity::find_by_id(id)
        .find_also_related(project_member::Entity)
        .filter(project_member::Column::UserId.eq(user))
        .one(conn)
        .await?;
    match found {
        Some((project, Some(member))) => Ok(Some((project, parse_role(&member.role)?))),
        _ => Ok(None),
    }
}

/// Like [`access`], and `Forbidden` when the member's role is below `needed`.
pub(crate) async fn access_as<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    id: i32,
    needed: Role,
) -> Result<Option<(project::Model, Role)>, StoreError> {
    match access(conn, user, id).await? {
        Some((_, role)) if role < needed => Err(StoreError::Forbidden),
        other => Ok(other),
    }
}

/// The task, when the user is a member of its project with at least the `needed` role;
/// `Forbidden` when they are a member with a lesser one.
pub(crate) async fn task_as<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    task_id: i32,
    needed: Role,
) -> Result<Option<task::Model>, StoreError> {
    let Some(task) = task::Entity::find_by_id(task_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(access_as(conn, user, task.project_id, needed)
        .await?
        .map(|_| task))
}

/// A write to one project in progress: a transaction that holds the project's lock and has
/// bumped its revision. Dropping it rolls everything back; [`ProjectWrite::commit`] announces it.
pub(crate) struct ProjectWrite {
    txn: DatabaseTransaction,
    project_id: i32,
    revision: i64,
}

impl ProjectWrite {
    /// Starts a write to the project when the user has at least the `needed` role in it: checked
    /// first without the lock, then again under it. `None` when the project is not theirs.
    pub(crate) async fn begin(
        conn: &Lease<'_>,
        user: UserId,
        project_id: i32,
        needed: Role,
    ) -> Result<Option<Self>, StoreError> {
        if access_as(&**conn, user, project_id, needed)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let Some(write) = Self::lock(conn, project_id).await? else {
            return Ok(None);
        };
        if access_as(&write.txn, user, project_id, needed)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        Ok(Some(write))
    }

    /// Starts a write to the task's project (editors and owners), with the task as it is under
    /// the lock.
    pub(crate) async fn task(
        conn: &Lease<'_>,
        user: UserId,
        task_id: i32,
    ) -> Result<Option<(Self, task::Model)>, StoreError> {
        let Some(found) = task_as(&**conn, user, task_id, Role::Editor).await? else {
            return Ok(None);
        };
        let Some(write) = Self::begin(conn, user, found.project_id, Role::Editor).await? else {
            return Ok(None);
        };
        // Read again under the lock: the task may have been deleted (or moved to another
        // project) while we waited.
        let again = task::Entity::find_by_id(task_id).one(&write.txn).await?;
        Ok(again
            .filter(|task| task.project_id == write.project_id)
            .map(|task| (write, task)))
    }

    /// Starts a write to the label's project (editors and owners), with the label as it is
    /// under the lock.
    pub(crate) async fn label(
        conn: &Lease<'_>,
        user: UserId,
        label_id: i32,
    ) -> Result<Option<(Self, label::Model)>, StoreError> {
        let Some(found) = label::Entity::find_by_id(label_id).one(&**conn).await? else {
            return Ok(None);
        };
        let Some(write) = Self::begin(conn, user, found.project_id, Role::Editor).await? else {
            return Ok(None);
        };
        let again = label::Entity::find_by_id(label_id).one(&write.txn).await?;
        Ok(again.map(|label| (write, label)))
    }

    /// Starts a write to the subtask's task, with the subtask as it is under the lock.
    pub(crate) async fn subtask(
        conn: &Lease<'_>,
        user: UserId,
        subtask_id: i32,
    ) -> Result<Option<(Self, subtask::Model)>, StoreError> {
        let Some(found) = subtask::Entity::find_by_id(subtask_id).one(&**conn).await? else {
            return Ok(None);
        };
        let Some((write, _)) = Self::task(conn, user, found.task_id).await? else {
            return Ok(None);
        };
        let again = subtask::Entity::find_by_id(subtask_id)
            .one(&write.txn)
            .await?;
        Ok(again.map(|subtask| (write, subtask)))
    }

    /// Starts a write to the comment's task, with the comment and its task under the lock.
    pub(crate) async fn comment(
        conn: &Lease<'_>,
        user: UserId,
        comment_id: i32,
    ) -> Result<Option<(Self, task::Model, comment::Model)>, StoreError> {
        let Some(found) = comment::Entity::find_by_id(comment_id).one(&**conn).await? else {
            return Ok(None);
        };
        let Some((write, task)) = Self::task(conn, user, found.task_id).await? else {
            return Ok(None);
        };
        let again = comment::Entity::find_by_id(comment_id)
            .one(&write.txn)
            .await?;
        Ok(again.map(|comment| (write, task, comment)))
    }

    /// Takes the project's lock by bumping its revision; `None` when there is no such project.
    async fn lock(conn: &Lease<'_>, project_id: i32) -> Result<Option<Self>, StoreError> {
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

    /// Commits the write and announces it.
    pub(crate) async fn commit(self, db: &Db) -> Result<(), StoreError> {
        let Self {
            txn,
            project_id,
            revision,
        } = self;
        let backend = txn.get_database_backend();
        if backend == DatabaseBackend::Postgres {
            feed::notify(&txn, project_id, revision).await?;
        }
        txn.commit().await?;
        if backend != DatabaseBackend::Postgres {
            db.feed().announce(Announcement::Project {
                project_id,
                revision,
            });
        }
        Ok(())
    }
}
