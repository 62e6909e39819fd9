//! The board: each status column's first cards, and one card on its own.

use crate::access::{access, task_as};
use crate::convert::to_project;
use crate::db::Db;
use crate::entities::task;
use crate::error::StoreError;
use crate::parts::cards::dress;
use crate::tasks::select::{in_board_order, in_column};
use crate::users::UserId;
use domain::{Board, Column, ColumnLimits, Role, Status, Task};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

/// The project's board: each column's first cards in order (as many as `limits` says) and how
/// many it has in all.
pub async fn board(
    db: &Db,
    user: UserId,
    project_id: i32,
    limits: ColumnLimits,
) -> Result<Option<Board>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = access(&*conn, user, project_id).await? else {
        return Ok(None);
    };
    let totals: Vec<(String, i64)> = task::Entity::find()
        .select_only()
        .column(task::Column::Status)
        // COUNT(*), not COUNT(id): the status index answers it without reading the table.
        .column_as(Expr::cust("COUNT(*)"), "total")
        .filter(task::Column::ProjectId.eq(project_id))
        .group_by(task::Column::Status)
        .into_tuple()
        .all(&*conn)
        .await?;
    let mut shown = Vec::new();
    for status in Status::ALL {
        let tasks = in_board_order(in_column(project_id, status))
            .limit(u64::from(limits.get(status)))
            .all(&*conn)
            .await?;
        shown.extend(tasks);
    }
    // Dressed together: one set of queries for the whole board, not one per column.
    let mut dressed = dress(&*conn, shown).await?.into_iter().peekable();
    let mut columns = Vec::with_capacity(Status::ALL.len());
    for status in Status::ALL {
        let mut tasks = Vec::new();
        while let Some(task) = dressed.next_if(|task| task.status == status) {
            tasks.push(task);
        }
        let total = totals
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
        columns.push(Column {
            status,
            tasks,
            total,
        });
    }
    Ok(Some(Board {
        revision: project.revision,
        project: to_project(project, role),
        columns,
    }))
}

/// One card, when the user is a member of its project.
pub async fn get(db: &Db, owner: UserId, task_id: i32) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = task_as(&*conn, owner, task_id, Role::Viewer).await? else {
        return Ok(None);
    };
    Ok(dress(&*conn, vec![model]).await?.pop())
}

/// Every task of the project in board order (column by column), dressed, for an export; `None`
/// when the user is not a member.
pub async fn every_task(
    db: &Db,
    user: UserId,
    project_id: i32,
) -> Result<Option<(domain::Project, Vec<Task>)>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = access(&*conn, user, project_id).await? else {
        return Ok(None);
    };
    let mut tasks = Vec::new();
    for status in Status::ALL {
        tasks.extend(
            in_board_order(in_column(project_id, status))
                .all(&*conn)
                .await?,
        );
    }
    let tasks = dress(&*conn, tasks).await?;
    Ok(Some((to_project(project, role), tasks)))
}
