//! The task page's one read: the task and every part of it, gathered from `parts`.

use crate::access::access;
use crate::db::Db;
use crate::entities::task;
use crate::error::StoreError;
use crate::parts::{activity, assignees, cards::dress, checklists, comments, labels};
use crate::users::UserId;
use domain::TaskDetails;
use sea_orm::EntityTrait;

/// Everything the task's page shows, when the user is a member of its project.
pub async fn get(db: &Db, user: UserId, task_id: i32) -> Result<Option<TaskDetails>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = task::Entity::find_by_id(task_id).one(&*conn).await? else {
        return Ok(None);
    };
    let Some((project, role)) = access(&*conn, user, model.project_id).await? else {
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
        subtasks: checklists::of_task(&*conn, task_id).await?,
        comments: comments::of_task(&*conn, task_id).await?,
        activity: activity::history(&*conn, task_id).await?,
        labels: labels::of_project(&*conn, project_id).await?,
        members: assignees::candidates(&*conn, project_id).await?,
    }))
}
