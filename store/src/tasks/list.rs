//! The list view: a project's tasks filtered, searched and sorted.

use crate::access::access;
use crate::convert::to_project;
use crate::db::Db;
use crate::entities::{task, task_label};
use crate::error::StoreError;
use crate::parts::assignees::candidates;
use crate::parts::cards::dress;
use crate::parts::labels::of_project;
use crate::tasks::select::{
    assigned_in, assigned_to_nobody, in_board_order, priority_rank, status_rank,
};
use crate::users::UserId;
use crate::views::of_member;
use chrono::NaiveDate;
use domain::{AssigneeFilter, DueWindow, SortOrder, Status, TaskFilter, TaskList};
use sea_orm::sea_query::{Expr, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

/// The project's tasks that pass `filter`, with the labels and members to filter by. `today` decides what is overdue or due this week.
pub async fn list(
    db: &Db,
    user: UserId,
    project_id: i32,
    filter: &TaskFilter,
    today: NaiveDate,
) -> Result<Option<TaskList>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = access(&*conn, user, project_id).await? else {
        return Ok(None);
    };
    let mut select = task::Entity::find().filter(task::Column::ProjectId.eq(project_id));
    if let Some(status) = filter.status {
        select = select.filter(task::Column::Status.eq(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        select = select.filter(task::Column::Priority.eq(priority.as_str()));
    }
    select = match filter.due {
        None => select,
        Some(DueWindow::Overdue) => select
            .filter(task::Column::DueDate.lt(today))
            .filter(task::Column::Status.ne(Status::Done.as_str())),
        Some(DueWindow::Today) => select.filter(task::Column::DueDate.eq(today)),
        Some(DueWindow::ThisWeek) => select
            .filter(task::Column::DueDate.gte(today))
            .filter(task::Column::DueDate.lte(today + chrono::Days::new(6))),
        Some(DueWindow::NoDate) => select.filter(task::Column::DueDate.is_null()),
    };
    if let Some(label_id) = filter.label {
        select = select.filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(task_label::Column::TaskId)
                    .from(task_label::Entity)
                    .and_where(task_label::Column::LabelId.eq(label_id))
                    .to_owned(),
            ),
        );
    }
    select = match filter.assignee {
        None => select,
        Some(AssigneeFilter::Me) => select.filter(assigned_in(user, project_id)),
        Some(AssigneeFilter::User(id)) => select.filter(assigned_in(id, project_id)),
        Some(AssigneeFilter::Nobody) => select.filter(assigned_to_nobody()),
    };
    let search: String = filter
        .search
        .trim()
        .chars()
        .take(TaskFilter::MAX_SEARCH_CHARS)
        .collect();
    if !search.is_empty() {
        select = select.filter(matches_search(conn.get_database_backend(), &search));
    }
    let total = select.clone().count(&*conn).await?;
    let select = match filter.sort {
        // Within one column the rank is the same for every task, and leaving it out lets the
        // board's own index give the order.
        SortOrder::Manual if filter.status.is_some() => in_board_order(select),
        SortOrder::Manual => in_board_order(select.order_by(status_rank(), Order::Asc)),
        SortOrder::Due => select
            // No date last, on both databases (they disagree on where NULL sorts).
            .order_by(Expr::col(task::Column::DueDate).is_null(), Order::Asc)
            .order_by_asc(task::Column::DueDate)
            .order_by_asc(task::Column::Id),
        SortOrder::Priority => select
            .order_by(priority_rank(), Order::Asc)
            .order_by_asc(task::Column::Id),
        SortOrder::Created => select
            .order_by_desc(task::Column::CreatedAt)
            .order_by_desc(task::Column::Id),
    };
    let tasks = select.limit(TaskFilter::LIMIT).all(&*conn).await?;
    Ok(Some(TaskList {
        revision: project.revision,
        project: to_project(project, role),
        tasks: dress(&*conn, tasks).await?,
        total,
        views: of_member(&*conn, user, project_id).await?,
        labels: of_project(&*conn, project_id).await?,
        members: candidates(&*conn, project_id).await?,
    }))
}

/// Full-text search on PostgreSQL (English stemming, `websearch` syntax: quotes, `or`, `-word`),
/// served by the `idx_tasks_search` index; a case-insensitive substring match on SQLite.
fn matches_search(backend: DatabaseBackend, search: &str) -> SimpleExpr {
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_values(
            "to_tsvector('english', title || ' ' || description) @@ websearch_to_tsquery('english', $1)",
            [search.to_owned()],
        ),
        _ => {
            let escaped = search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            Condition::any()
                .add(task::Column::Title.like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(task::Column::Description.like(LikeExpr::new(pattern).escape('\\')))
                .into()
        }
    }
}
