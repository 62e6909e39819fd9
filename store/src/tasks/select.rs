//! The selections and orders the board, the list and My tasks share.

use crate::entities::{task, task_assignee};
use crate::users::UserId;
use domain::Status;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select};

/// Tasks assigned to this person.
pub(crate) fn assigned_to(user: UserId) -> SimpleExpr {
    task::Column::Id.in_subquery(
        Query::select()
            .column(task_assignee::Column::TaskId)
            .from(task_assignee::Entity)
            .and_where(task_assignee::Column::UserId.eq(user))
            .to_owned(),
    )
}

/// Tasks of one project assigned to this person, from the project each assignment carries
/// (`idx_task_assignees_user_project`): the person's other projects are never read.
pub(crate) fn assigned_in(user: UserId, project_id: i32) -> SimpleExpr {
    task::Column::Id.in_subquery(
        Query::select()
            .column(task_assignee::Column::TaskId)
            .from(task_assignee::Entity)
            .and_where(task_assignee::Column::UserId.eq(user))
            .and_where(task_assignee::Column::ProjectId.eq(project_id))
            .to_owned(),
    )
}

/// Tasks nobody is assigned to. `NOT EXISTS`, not `NOT IN (SELECT task_id …)`, which made
/// PostgreSQL read every assignment of every project first; matching the assignment's copy of
/// the project too lets it read just the project's assignments (`idx_task_assignees_project`)
/// once, rather than look each task up.
pub(crate) fn assigned_to_nobody() -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(task_assignee::Entity)
            .and_where(
                Expr::col((task_assignee::Entity, task_assignee::Column::TaskId))
                    .equals((task::Entity, task::Column::Id)),
            )
            .and_where(
                Expr::col((task_assignee::Entity, task_assignee::Column::ProjectId))
                    .equals((task::Entity, task::Column::ProjectId)),
            )
            .to_owned(),
    )
    .not()
}

/// Columns in board order: To do, In progress, Done. Written out rather than built with bound
/// values: SQLite refuses bound integers in an ORDER BY's CASE ("datatype mismatch").
pub(crate) fn status_rank() -> SimpleExpr {
    Expr::cust("CASE status WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END")
}

/// Most urgent first.
pub(crate) fn priority_rank() -> SimpleExpr {
    Expr::cust(
        "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END",
    )
}

/// A column's cards, in no particular order.
pub(crate) fn in_column(project_id: i32, status: Status) -> Select<task::Entity> {
    task::Entity::find()
        .filter(task::Column::ProjectId.eq(project_id))
        .filter(task::Column::Status.eq(status.as_str()))
}

/// Board order: by position, ties broken by id.
pub(crate) fn in_board_order(select: Select<task::Entity>) -> Select<task::Entity> {
    select
        .order_by_asc(task::Column::Position)
        .order_by_asc(task::Column::Id)
}

/// Board order backwards, for "the last card" and "the card just above".
pub(crate) fn in_reverse_order(select: Select<task::Entity>) -> Select<task::Entity> {
    select
        .order_by_desc(task::Column::Position)
        .order_by_desc(task::Column::Id)
}
