//! Who people are, for showing them: email addresses by user id, read for a whole page at once.

use crate::entities::user;
use crate::error::StoreError;
use crate::users::UserId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// Ids per `IN (…)`: far below what either database allows in one statement.
pub(crate) const CHUNK: usize = 900;

/// The email addresses of these users, by id.
pub(crate) async fn emails_of<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = UserId>,
) -> Result<HashMap<UserId, String>, StoreError> {
    let mut ids: Vec<UserId> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut emails = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i32, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Email)
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        emails.extend(rows);
    }
    Ok(emails)
}
