//! Saved list views: each member's own named filters in a project. Saving is not a change to
//! the project, so viewers may save views too.

use crate::access::access;
use crate::convert::to_view;
use crate::db::Db;
use crate::entities::saved_view;
use crate::error::{is_unique_violation, StoreError};
use crate::users::UserId;
use domain::{SavedView, TaskFilter, ViewName};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, Set,
};

/// The most views one person keeps in one project.
pub const MAX_VIEWS: usize = 50;

pub(crate) async fn of_member<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    project_id: i32,
) -> Result<Vec<SavedView>, StoreError> {
    Ok(saved_view::Entity::find()
        .filter(saved_view::Column::ProjectId.eq(project_id))
        .filter(saved_view::Column::UserId.eq(user))
        .order_by_asc(saved_view::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(to_view)
        .collect())
}

/// What came of saving a view.
#[derive(Debug)]
pub enum Saved {
    Saved(SavedView),
    /// The person already keeps [`MAX_VIEWS`] in this project.
    Full,
}

/// Saves the filter under `name`; saving again under a name already used replaces that view.
pub async fn save(
    db: &Db,
    user: UserId,
    project_id: i32,
    name: ViewName,
    filter: &TaskFilter,
) -> Result<Option<Saved>, StoreError> {
    let conn = db.lease().await?;
    if access(&*conn, user, project_id).await?.is_none() {
        return Ok(None);
    }
    let name = name.into_inner();
    let query = filter.to_query();
    let saved = match named(&*conn, user, project_id, &name).await? {
        Some(model) => replace_query(&*conn, model, query).await?,
        None => {
            if of_member(&*conn, user, project_id).await?.len() >= MAX_VIEWS {
                return Ok(Some(Saved::Full));
            }
            let inserted = saved_view::ActiveModel {
                project_id: Set(project_id),
                user_id: Set(user),
                name: Set(name.clone()),
                query: Set(query.clone()),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&*conn)
            .await;
            match inserted {
                Ok(model) => model,
                // Saved under the same name by another request a moment ago: this one replaces
                // it, as saving again does, rather than failing on the unique index.
                Err(err) if is_unique_violation(&err) => {
                    let Some(model) = named(&*conn, user, project_id, &name).await? else {
                        return Err(err.into());
                    };
                    replace_query(&*conn, model, query).await?
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    Ok(Some(Saved::Saved(to_view(saved))))
}

/// The person's view of the project saved under `name`.
async fn named<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    project_id: i32,
    name: &str,
) -> Result<Option<saved_view::Model>, StoreError> {
    Ok(saved_view::Entity::find()
        .filter(saved_view::Column::ProjectId.eq(project_id))
        .filter(saved_view::Column::UserId.eq(user))
        .filter(saved_view::Column::Name.eq(name))
        .one(conn)
        .await?)
}

async fn replace_query<C: ConnectionTrait>(
    conn: &C,
    model: saved_view::Model,
    query: String,
) -> Result<saved_view::Model, StoreError> {
    let mut active = model.into_active_model();
    active.query = Set(query);
    Ok(active.update(conn).await?)
}

/// Deletes one of the person's own views; answers its project.
pub async fn delete(db: &Db, user: UserId, view_id: i32) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let Some(model) = saved_view::Entity::find_by_id(view_id)
        .filter(saved_view::Column::UserId.eq(user))
        .one(&*conn)
        .await?
    else {
        return Ok(None);
    };
    // A member who left the project keeps no way in through an old view.
    if access(&*conn, user, model.project_id).await?.is_none() {
        return Ok(None);
    }
    let project_id = model.project_id;
    model.delete(&*conn).await?;
    Ok(Some(project_id))
}
