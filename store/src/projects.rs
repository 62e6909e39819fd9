//! Projects, always read and changed on behalf of their owner.

use crate::entities::project;
use crate::{Db, StoreError, UserId};
use domain::{Project, ProjectName};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, Set,
};

pub(crate) fn to_project(model: project::Model) -> Project {
    Project {
        id: model.id,
        name: model.name,
    }
}

pub async fn list(db: &Db, owner: UserId) -> Result<Vec<Project>, StoreError> {
    let conn = db.lease().await?;
    Ok(project::Entity::find()
        .filter(project::Column::OwnerId.eq(owner))
        .order_by_asc(project::Column::Name)
        .order_by_asc(project::Column::Id)
        .all(&*conn)
        .await?
        .into_iter()
        .map(to_project)
        .collect())
}

pub async fn create(db: &Db, owner: UserId, name: ProjectName) -> Result<Project, StoreError> {
    let conn = db.lease().await?;
    let now = chrono::Utc::now();
    let model = project::ActiveModel {
        owner_id: Set(owner),
        name: Set(name.into_inner()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*conn)
    .await?;
    Ok(to_project(model))
}

/// The project row, only when `owner` owns it.
pub(crate) async fn find_owned(
    conn: &DatabaseConnection,
    owner: UserId,
    id: i32,
) -> Result<Option<project::Model>, StoreError> {
    Ok(project::Entity::find_by_id(id)
        .filter(project::Column::OwnerId.eq(owner))
        .one(conn)
        .await?)
}

pub async fn get(db: &Db, owner: UserId, id: i32) -> Result<Option<Project>, StoreError> {
    let conn = db.lease().await?;
    Ok(find_owned(&conn, owner, id).await?.map(to_project))
}

pub async fn rename(
    db: &Db,
    owner: UserId,
    id: i32,
    name: ProjectName,
) -> Result<Option<Project>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_owned(&conn, owner, id).await? else {
        return Ok(None);
    };
    let mut active = model.into_active_model();
    active.name = Set(name.into_inner());
    active.updated_at = Set(chrono::Utc::now());
    Ok(Some(to_project(active.update(&*conn).await?)))
}

/// Deletes the project and, through the foreign key, its tasks. `false` when there was nothing of
/// the owner's to delete.
pub async fn delete(db: &Db, owner: UserId, id: i32) -> Result<bool, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = find_owned(&conn, owner, id).await? else {
        return Ok(false);
    };
    model.delete(&*conn).await?;
    Ok(true)
}
