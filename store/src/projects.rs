//! Projects, read and changed only by their members, each as far as their role allows.

use crate::access::{access, access_as};
use crate::convert::{parse_role, to_project};
use crate::db::Db;
use crate::entities::{project, project_member};
use crate::error::StoreError;
use crate::users::UserId;
use domain::{Project, ProjectName, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

/// Every project the user is a member of, by name.
pub async fn list(db: &Db, user: UserId) -> Result<Vec<Project>, StoreError> {
    let conn = db.lease().await?;
    let rows = project::Entity::find()
        .find_also_related(project_member::Entity)
        .filter(project_member::Column::UserId.eq(user))
        .order_by_asc(project::Column::Name)
        .order_by_asc(project::Column::Id)
        .all(&*conn)
        .await?;
    rows.into_iter()
        .filter_map(|(project, member)| member.map(|m| (project, m)))
        .map(|(project, member)| Ok(to_project(project, parse_role(&member.role)?)))
        .collect()
}

/// Creates a project with its creator as owner.
pub async fn create(db: &Db, owner: UserId, name: ProjectName) -> Result<Project, StoreError> {
    let conn = db.lease().await?;
    let txn = conn.begin().await?;
    let now = chrono::Utc::now();
    let model = project::ActiveModel {
        owner_id: Set(owner),
        name: Set(name.into_inner()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    project_member::ActiveModel {
        project_id: Set(model.id),
        user_id: Set(owner),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(to_project(model, Role::Owner))
}

pub async fn get(db: &Db, user: UserId, id: i32) -> Result<Option<Project>, StoreError> {
    let conn = db.lease().await?;
    Ok(access(&*conn, user, id)
        .await?
        .map(|(project, role)| to_project(project, role)))
}

/// Renames the project; owners only.
pub async fn rename(
    db: &Db,
    user: UserId,
    id: i32,
    name: ProjectName,
) -> Result<Option<Project>, StoreError> {
    let conn = db.lease().await?;
    let Some((model, role)) = access_as(&*conn, user, id, Role::Owner).await? else {
        return Ok(None);
    };
    let mut active = model.into_active_model();
    active.name = Set(name.into_inner());
    active.updated_at = Set(chrono::Utc::now());
    Ok(Some(to_project(active.update(&*conn).await?, role)))
}

/// Deletes the project and, through the foreign keys, its tasks and memberships; owners only.
/// `false` when there was nothing of the user's to delete.
pub async fn delete(db: &Db, user: UserId, id: i32) -> Result<bool, StoreError> {
    let conn = db.lease().await?;
    let Some((model, _)) = access_as(&*conn, user, id, Role::Owner).await? else {
        return Ok(false);
    };
    model.delete(&*conn).await?;
    Ok(true)
}

/// The project's current revision, when the user may see it.
pub async fn revision(db: &Db, user: UserId, project_id: i32) -> Result<Option<i64>, StoreError> {
    let conn = db.lease().await?;
    Ok(access(&*conn, user, project_id)
        .await?
        .map(|(project, _)| project.revision))
}
