//! Tasks, reached only through a project the user is a member of: any member reads them, editors
//! and owners change them.

use crate::activity::record;
use crate::cards::dress;
use crate::changes::ProjectChange;
use crate::entities::{project, project_member, task, task_assignee, task_label};
use crate::projects;
use crate::{Db, StoreError, UserId};
use chrono::NaiveDate;
use domain::{
    AssigneeFilter, Board, Column, ColumnLimits, Description, DueDate, DueWindow, MyTasks,
    Placement, Priority, Project, ProjectTask, Role, SortOrder, Status, Task, TaskDetails,
    TaskFilter, TaskTitle,
};
use sea_orm::sea_query::{Expr, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, IntoActiveModel, ModelTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};

/// Space left between neighbours in a column, so a card can later be placed between two others
/// without renumbering the column.
const POSITION_GAP: i64 = 1024;

/// The task's own fields; [`crate::cards::dress`] adds what its card shows.
pub(crate) fn to_task(model: task::Model) -> Result<Task, StoreError> {
    // A value outside the enums can only come from outside Taskdeck; say so rather than guess.
    let corrupt = |what: &str, value: &str| {
        StoreError::Database(sea_orm::DbErr::Type(format!(
            "task {} has unknown {what} {value:?}",
            model.id
        )))
    };
    let status = Status::parse(&model.status).map_err(|_| corrupt("status", &model.status))?;
    let priority =
        Priority::parse(&model.priority).map_err(|_| corrupt("priority", &model.priority))?;
    Ok(Task {
        id: model.id,
        project_id: model.project_id,
        title: model.title,
        description: model.description,
        status,
        priority,
        due_date: model.due_date,
        position: model.position,
        labels: Vec::new(),
        assignees: Vec::new(),
        progress: domain::Progress::default(),
    })
}

/// A validated edit of every field the task form shows.
#[derive(Clone, Debug)]
pub struct TaskChanges {
    pub title: TaskTitle,
    pub description: Description,
    pub status: Status,
    pub priority: Priority,
    pub due_date: DueDate,
}

/// The project's board: each column's first cards in order (as many as `limits` says) and how
/// many it has in all.
pub async fn board(
    db: &Db,
    user: UserId,
    project_id: i32,
    limits: ColumnLimits,
) -> Result<Option<Board>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = projects::access(&*conn, user, project_id).await? else {
        return Ok(None);
    };
    let totals: Vec<(String, i64)> = task::Entity::find()
        .select_only()
        .column(task::Column::Status)
        .column_as(task::Column::Id.count(), "total")
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
        project: projects::to_project(project, role),
        columns,
    }))
}

/// A list view's answer.
#[derive(Clone, Debug)]
pub struct Listed {
    pub project: Project,
    /// The project's revision when this was read, for following it live.
    pub revision: i64,
    /// The tasks that pass the filter, in its order, at most [`TaskFilter::LIMIT`].
    pub tasks: Vec<Task>,
    /// How many pass in all.
    pub total: u64,
    /// The reader's saved views of the project.
    pub views: Vec<domain::SavedView>,
}

/// The project's tasks that pass `filter`. `today` decides what is overdue or due this week.
pub async fn list(
    db: &Db,
    user: UserId,
    project_id: i32,
    filter: &TaskFilter,
    today: NaiveDate,
) -> Result<Option<Listed>, StoreError> {
    let conn = db.lease().await?;
    let Some((project, role)) = projects::access(&*conn, user, project_id).await? else {
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
        Some(AssigneeFilter::Me) => select.filter(assigned_to(user)),
        Some(AssigneeFilter::User(id)) => select.filter(assigned_to(id)),
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
    Ok(Some(Listed {
        revision: project.revision,
        project: projects::to_project(project, role),
        tasks: dress(&*conn, tasks).await?,
        total,
        views: crate::views::of_member(&*conn, user, project_id).await?,
    }))
}

/// Tasks assigned to this person.
fn assigned_to(user: UserId) -> SimpleExpr {
    task::Column::Id.in_subquery(
        Query::select()
            .column(task_assignee::Column::TaskId)
            .from(task_assignee::Entity)
            .and_where(task_assignee::Column::UserId.eq(user))
            .to_owned(),
    )
}

/// Tasks nobody is assigned to.
fn assigned_to_nobody() -> SimpleExpr {
    task::Column::Id.not_in_subquery(
        Query::select()
            .column(task_assignee::Column::TaskId)
            .from(task_assignee::Entity)
            .to_owned(),
    )
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

/// Columns in board order: To do, In progress, Done. Written out rather than built with bound
/// values: SQLite refuses bound integers in an ORDER BY's CASE ("datatype mismatch").
fn status_rank() -> SimpleExpr {
    Expr::cust("CASE status WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END")
}

/// Most urgent first.
fn priority_rank() -> SimpleExpr {
    Expr::cust(
        "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END",
    )
}

/// A column's cards, in no particular order.
fn in_column(project_id: i32, status: Status) -> Select<task::Entity> {
    task::Entity::find()
        .filter(task::Column::ProjectId.eq(project_id))
        .filter(task::Column::Status.eq(status.as_str()))
}

/// Board order: by position, ties broken by id.
fn in_board_order(select: Select<task::Entity>) -> Select<task::Entity> {
    select
        .order_by_asc(task::Column::Position)
        .order_by_asc(task::Column::Id)
}

/// Board order backwards, for "the last card" and "the card just above".
fn in_reverse_order(select: Select<task::Entity>) -> Select<task::Entity> {
    select
        .order_by_desc(task::Column::Position)
        .order_by_desc(task::Column::Id)
}

/// The position that puts a card where `placement` says, among the column's other cards
/// (`moving` is left out: it is the card being placed). A card named in `before` that is no
/// longer in that column (someone moved it meanwhile) means the bottom.
async fn position_for<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
    moving: Option<i32>,
    placement: Placement,
) -> Result<i64, StoreError> {
    let others = || {
        let column = in_column(project_id, placement.status);
        match moving {
            Some(id) => column.filter(task::Column::Id.ne(id)),
            None => column,
        }
    };
    let before = match placement.before {
        Some(id) if Some(id) != moving => {
            others().filter(task::Column::Id.eq(id)).one(conn).await?
        }
        _ => None,
    };
    let Some(before) = before else {
        let last = in_reverse_order(others()).one(conn).await?;
        return Ok(last.map_or(0, |last| last.position + POSITION_GAP));
    };
    // The card just above `before`, in board order (ties in position fall back to the id).
    let above = in_reverse_order(others())
        .filter(
            Condition::any()
                .add(task::Column::Position.lt(before.position))
                .add(
                    Condition::all()
                        .add(task::Column::Position.eq(before.position))
                        .add(task::Column::Id.lt(before.id)),
                ),
        )
        .one(conn)
        .await?;
    match above {
        None => Ok(before.position - POSITION_GAP),
        Some(above) if before.position - above.position >= 2 => {
            Ok(above.position + (before.position - above.position) / 2)
        }
        // No room left between the two: space the column out again, then go between them.
        Some(_) => {
            let column = in_board_order(others()).all(conn).await?;
            let mut position_of_before = 0;
            for (index, card) in column.into_iter().enumerate() {
                let position = i64::try_from(index).unwrap_or(i64::MAX / 2) * POSITION_GAP;
                if card.id == before.id {
                    position_of_before = position;
                }
                if card.position != position {
                    let mut active = card.into_active_model();
                    active.position = Set(position);
                    active.update(conn).await?;
                }
            }
            Ok(position_of_before - POSITION_GAP / 2)
        }
    }
}

/// Adds a task at the bottom of "To do". `None` when the project is not the user's.
pub async fn create(
    db: &Db,
    user: UserId,
    project_id: i32,
    title: TaskTitle,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some(change) = ProjectChange::begin(&conn, project_id).await? else {
        return Ok(None);
    };
    let txn = change.txn();
    if projects::access_as(txn, user, project_id, Role::Editor)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    let status = Status::Todo;
    let model = task::ActiveModel {
        project_id: Set(project_id),
        title: Set(title.into_inner()),
        description: Set(String::new()),
        status: Set(status.as_str().to_owned()),
        priority: Set(Priority::default().as_str().to_owned()),
        due_date: Set(None),
        position: Set(position_for(txn, project_id, None, Placement::bottom_of(status)).await?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(txn, model.id, user, "created the task").await?;
    change.commit(db).await?;
    metrics::counter!("taskdeck_tasks_created_total").increment(1);
    Ok(Some(to_task(model)?))
}

/// Starts a change to the task's project, when the user has at least the `needed` role in it:
/// the change (holding the project's lock) and the task as it is now, under that lock.
pub(crate) async fn change_task(
    conn: &DatabaseConnection,
    user: UserId,
    task_id: i32,
    needed: Role,
) -> Result<Option<(ProjectChange, task::Model)>, StoreError> {
    let Some(project_id) = task::Entity::find_by_id(task_id)
        .one(conn)
        .await?
        .map(|task| task.project_id)
    else {
        return Ok(None);
    };
    let Some(change) = ProjectChange::begin(conn, project_id).await? else {
        return Ok(None);
    };
    // Read again under the lock: the task may have been deleted while we waited.
    let Some(task) = find_as(change.txn(), user, task_id, needed).await? else {
        return Ok(None);
    };
    Ok(Some((change, task)))
}

/// The task, when the user is a member of its project with at least the `needed` role;
/// `Forbidden` when they are a member with a lesser one.
async fn find_as<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    task_id: i32,
    needed: Role,
) -> Result<Option<task::Model>, StoreError> {
    let Some(task) = task::Entity::find_by_id(task_id).one(conn).await? else {
        return Ok(None);
    };
    Ok(projects::access_as(conn, user, task.project_id, needed)
        .await?
        .map(|_| task))
}

pub async fn get(db: &Db, owner: UserId, task_id: i32) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_as(&*conn, owner, task_id, Role::Viewer).await? else {
        return Ok(None);
    };
    Ok(dress(&*conn, vec![model]).await?.pop())
}

/// Counts a task that has just entered Done (callers check that its status changed).
fn count_if_completed(status: Status) {
    if status == Status::Done {
        metrics::counter!("taskdeck_tasks_completed_total").increment(1);
    }
}

/// Saves every field of the form; a change of status moves the card to the bottom of its new column.
pub async fn update(
    db: &Db,
    user: UserId,
    task_id: i32,
    changes: TaskChanges,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, model)) = change_task(&conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let txn = change.txn();
    let moved = model.status != changes.status.as_str();
    let project_id = model.project_id;
    for summary in edits(&model, &changes) {
        record(txn, task_id, user, summary).await?;
    }
    let mut active = model.into_active_model();
    if moved {
        let bottom = Placement::bottom_of(changes.status);
        active.position = Set(position_for(txn, project_id, Some(task_id), bottom).await?);
    }
    active.title = Set(changes.title.into_inner());
    active.description = Set(changes.description.into_inner());
    active.status = Set(changes.status.as_str().to_owned());
    active.priority = Set(changes.priority.as_str().to_owned());
    active.due_date = Set(changes.due_date.date());
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(txn).await?)?;
    change.commit(db).await?;
    if moved {
        count_if_completed(saved.status);
    }
    Ok(Some(saved))
}

/// What an edit changed, as lines of the task's history.
fn edits(before: &task::Model, after: &TaskChanges) -> Vec<String> {
    let mut lines = Vec::new();
    let label_of = |raw: &str, parse: fn(&str) -> Option<&'static str>| {
        parse(raw).map_or_else(|| raw.to_owned(), str::to_owned)
    };
    if before.title != after.title.as_str() {
        lines.push(format!("renamed it to “{}”", after.title.as_str()));
    }
    if before.description != after.description.as_str() {
        lines.push("edited the description".to_owned());
    }
    if before.status != after.status.as_str() {
        let from = label_of(&before.status, |s| Status::parse(s).ok().map(Status::label));
        lines.push(format!("moved it from {from} to {}", after.status.label()));
    }
    if before.priority != after.priority.as_str() {
        let from = label_of(&before.priority, |p| {
            Priority::parse(p).ok().map(Priority::label)
        });
        lines.push(format!(
            "changed the priority from {from} to {}",
            after.priority.label()
        ));
    }
    if before.due_date != after.due_date.date() {
        lines.push(match after.due_date.date() {
            Some(date) => format!("set the due date to {date}"),
            None => "removed the due date".to_owned(),
        });
    }
    lines
}

/// Moves a card where `placement` says: another column, or another place in its own.
pub async fn move_to(
    db: &Db,
    user: UserId,
    task_id: i32,
    placement: Placement,
) -> Result<Option<Task>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, model)) = change_task(&conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let txn = change.txn();
    let entered = model.status != placement.status.as_str();
    if entered {
        let from = Status::parse(&model.status).map_or(model.status.clone(), |s| s.label().into());
        let summary = format!("moved it from {from} to {}", placement.status.label());
        record(txn, task_id, user, summary).await?;
    }
    let position = position_for(txn, model.project_id, Some(task_id), placement).await?;
    let mut active = model.into_active_model();
    active.status = Set(placement.status.as_str().to_owned());
    active.position = Set(position);
    active.updated_at = Set(chrono::Utc::now());
    let saved = to_task(active.update(txn).await?)?;
    change.commit(db).await?;
    if entered {
        count_if_completed(saved.status);
    }
    Ok(Some(saved))
}

/// Deletes a task; answers the project it belonged to, or `None` when it was not the user's.
pub async fn delete(db: &Db, user: UserId, task_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((change, model)) = change_task(&conn, user, task_id, Role::Editor).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    model.delete(change.txn()).await?;
    change.commit(db).await?;
    Ok(Some(project_id))
}

/// Everything the task's page shows, when the user is a member of its project.
pub async fn details(
    db: &Db,
    user: UserId,
    task_id: i32,
) -> Result<Option<TaskDetails>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = task::Entity::find_by_id(task_id).one(&*conn).await? else {
        return Ok(None);
    };
    let Some((project, role)) = projects::access(&*conn, user, model.project_id).await? else {
        return Ok(None);
    };
    let project_id = model.project_id;
    let Some(task) = dress(&*conn, vec![model]).await?.pop() else {
        return Ok(None);
    };
    Ok(Some(TaskDetails {
        task,
        role,
        revision: project.revision,
        reader: user,
        subtasks: crate::checklists::of_task(&*conn, task_id).await?,
        comments: crate::comments::of_task(&*conn, task_id).await?,
        activity: crate::activity::history(&*conn, task_id).await?,
        labels: crate::labels::of_project(&*conn, project_id).await?,
        members: crate::assignees::candidates(&*conn, project_id).await?,
    }))
}

/// Rows in each part of "My tasks".
const MINE_LIMIT: u64 = 200;

/// Open tasks across every project the user is a member of: overdue and due within a week
/// (assigned to them or to nobody), and everything assigned to them.
pub async fn mine(db: &Db, user: UserId, today: NaiveDate) -> Result<MyTasks, StoreError> {
    let conn = db.lease().await?;
    let open_in_my_projects = || {
        task::Entity::find()
            .filter(
                task::Column::ProjectId.in_subquery(
                    Query::select()
                        .column(project_member::Column::ProjectId)
                        .from(project_member::Entity)
                        .and_where(project_member::Column::UserId.eq(user))
                        .to_owned(),
                ),
            )
            .filter(task::Column::Status.ne(Status::Done.as_str()))
    };
    let mine_or_nobodys = || {
        Condition::any()
            .add(assigned_to(user))
            .add(assigned_to_nobody())
    };
    let soonest_first = |select: Select<task::Entity>| {
        select
            .order_by(Expr::col(task::Column::DueDate).is_null(), Order::Asc)
            .order_by_asc(task::Column::DueDate)
            .order_by(priority_rank(), Order::Asc)
            .order_by_asc(task::Column::Id)
            .limit(MINE_LIMIT)
    };
    let overdue = soonest_first(
        open_in_my_projects()
            .filter(mine_or_nobodys())
            .filter(task::Column::DueDate.lt(today)),
    )
    .all(&*conn)
    .await?;
    let due_soon = soonest_first(
        open_in_my_projects()
            .filter(mine_or_nobodys())
            .filter(task::Column::DueDate.gte(today))
            .filter(task::Column::DueDate.lte(today + chrono::Days::new(6))),
    )
    .all(&*conn)
    .await?;
    let assigned = soonest_first(open_in_my_projects().filter(assigned_to(user)))
        .all(&*conn)
        .await?;
    let shown: std::collections::BTreeSet<i32> = [&overdue, &due_soon, &assigned]
        .into_iter()
        .flatten()
        .map(|task| task.project_id)
        .collect();
    let names: std::collections::HashMap<i32, String> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::Name)
        .filter(project::Column::Id.is_in(shown))
        .into_tuple()
        .all(&*conn)
        .await?
        .into_iter()
        .collect();
    let with_projects = |tasks: Vec<Task>| {
        tasks
            .into_iter()
            .map(|task| ProjectTask {
                project: names.get(&task.project_id).cloned().unwrap_or_default(),
                task,
            })
            .collect::<Vec<_>>()
    };
    Ok(MyTasks {
        overdue: with_projects(dress(&*conn, overdue).await?),
        due_soon: with_projects(dress(&*conn, due_soon).await?),
        assigned: with_projects(dress(&*conn, assigned).await?),
    })
}
