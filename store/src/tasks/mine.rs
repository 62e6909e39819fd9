//! My tasks: open tasks across every project the reader is a member of.

use crate::db::Db;
use crate::entities::{project, project_member, task, task_assignee};
use crate::error::StoreError;
use crate::parts::cards::dress;
use crate::tasks::select::{assigned_to, assigned_to_nobody, priority_rank};
use crate::users::UserId;
use chrono::NaiveDate;
use domain::{MyTasks, ProjectTask, Task};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, Order, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select,
};

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
            // Written out, not bound: a prepared statement's generic plan can only use the
            // partial index `idx_tasks_open_due` when its condition is in the text.
            .filter(Expr::cust("status <> 'done'"))
    };
    let mine_or_nobodys = || {
        Condition::any()
            .add(assigned_to(user))
            .add(assigned_to_nobody())
    };
    // Dated tasks need no "no date last" term, which lets `idx_tasks_open_due` give the order.
    let dated_soonest_first = |select: Select<task::Entity>| {
        select
            .order_by_asc(task::Column::DueDate)
            .order_by(priority_rank(), Order::Asc)
            .order_by_asc(task::Column::Id)
            .limit(MINE_LIMIT)
    };
    let overdue = dated_soonest_first(
        open_in_my_projects()
            .filter(mine_or_nobodys())
            .filter(task::Column::DueDate.lt(today)),
    )
    .all(&*conn)
    .await?;
    let due_soon = dated_soonest_first(
        open_in_my_projects()
            .filter(mine_or_nobodys())
            .filter(task::Column::DueDate.gte(today))
            .filter(task::Column::DueDate.lte(today + chrono::Days::new(6))),
    )
    .all(&*conn)
    .await?;
    // A person's open assignments, read in order from `idx_task_assignees_open_due`: the dated
    // order behind "no date last", from the copies of the task's fields each assignment carries.
    let assigned = open_in_my_projects()
        .join(
            JoinType::InnerJoin,
            task_assignee::Relation::Task.def().rev(),
        )
        .filter(task_assignee::Column::UserId.eq(user))
        .filter(task_assignee::Column::IsOpen.eq(true))
        .order_by(
            Expr::col((task_assignee::Entity, task_assignee::Column::DueDate)).is_null(),
            Order::Asc,
        )
        .order_by_asc(task_assignee::Column::DueDate)
        .order_by_asc(task_assignee::Column::PriorityRank)
        .order_by_asc(task_assignee::Column::TaskId)
        .limit(MINE_LIMIT)
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
