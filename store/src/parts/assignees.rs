//! Who a task is assigned to: members of its project, chosen by editors and owners.

use crate::access::ProjectWrite;
use crate::db::Db;
use crate::entities::{project_member, task, task_assignee, user};
use crate::error::StoreError;
use crate::parts::activity::record;
use crate::users::UserId;
use domain::{ActivityEvent, Person};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// The project's members, who its tasks can be assigned to, by email.
pub(crate) async fn candidates<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
) -> Result<Vec<Person>, StoreError> {
    let rows = project_member::Entity::find()
        .find_also_related(user::Entity)
        .filter(project_member::Column::ProjectId.eq(project_id))
        .order_by_asc(user::Column::Email)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, user)| user)
        .map(|user| Person {
            user_id: user.id,
            email: user.email,
        })
        .collect())
}

/// Assigns the task to a member (`assigned`) or takes them off it. Someone who is not a member
/// of the task's project cannot be assigned: `None`, as for a missing task. Answers the task's id.
pub async fn set(
    db: &Db,
    user: UserId,
    task_id: i32,
    assignee: UserId,
    assigned: bool,
) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some((write, found)) = ProjectWrite::task(&conn, user, task_id).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    if !candidates(txn, found.project_id)
        .await?
        .iter()
        .any(|p| p.user_id == assignee)
    {
        return Ok(None);
    }
    let already = task_assignee::Entity::find_by_id((task_id, assignee))
        .one(txn)
        .await?
        .is_some();
    if already == assigned {
        return Ok(Some(task_id));
    }
    if assigned {
        task_assignee::ActiveModel {
            task_id: Set(task_id),
            user_id: Set(assignee),
            // The task's fields it carries are the triggers' to fill.
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let event = ActivityEvent::Assigned {
            user_id: Some(assignee),
        };
        record(txn, task_id, user, event).await?;
    } else {
        task_assignee::Entity::delete_by_id((task_id, assignee))
            .exec(txn)
            .await?;
        let event = ActivityEvent::Unassigned {
            user_id: Some(assignee),
        };
        record(txn, task_id, user, event).await?;
    }
    write.commit(db).await?;
    Ok(Some(task_id))
}

/// Takes someone who left a project off all of its tasks.
pub(crate) async fn unassign_from_project<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
    member: UserId,
) -> Result<(), StoreError> {
    task_assignee::Entity::delete_many()
        .filter(task_assignee::Column::UserId.eq(member))
        .filter(
            task_assignee::Column::TaskId.in_subquery(
                Query::select()
                    .column(task::Column::Id)
                    .from(task::Entity)
                    .and_where(task::Column::ProjectId.eq(project_id))
                    .to_owned(),
            ),
        )
        .exec(conn)
        .await?;
    Ok(())
}
