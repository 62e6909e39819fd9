//! Feedback people send from the app, kept in the database whatever happens to Sentry.

use crate::db::Db;
use crate::entities::feedback;
use crate::error::StoreError;
use crate::users::UserId;
use domain::FeedbackMessage;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

/// Saves feedback and returns its id.
pub async fn save(
    db: &Db,
    user: UserId,
    message: &FeedbackMessage,
    sentry_event_id: Option<String>,
) -> Result<i32, StoreError> {
    let conn = db.lease().await?;
    let saved = feedback::ActiveModel {
        user_id: Set(Some(user)),
        message: Set(message.as_str().to_owned()),
        sentry_event_id: Set(sentry_event_id),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&*conn)
    .await?;
    Ok(saved.id)
}

/// The most recent feedback first: (user, message, Sentry event). For operators and tests.
pub async fn recent(
    db: &Db,
    limit: u64,
) -> Result<Vec<(Option<UserId>, String, Option<String>)>, StoreError> {
    let conn = db.lease().await?;
    use sea_orm::QuerySelect;
    let rows = feedback::Entity::find()
        .order_by_desc(feedback::Column::Id)
        .limit(limit)
        .all(&*conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.user_id, row.message, row.sentry_event_id))
        .collect())
}
