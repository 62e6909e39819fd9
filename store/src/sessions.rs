//! A tower-sessions store over SeaORM, so sessions live in the same database (and the same
//! migrations) as everything else, on PostgreSQL and SQLite alike.
//!
//! The database never holds a usable session id: rows are keyed by HMAC-SHA256(SESSION_SECRET,
//! id), and the id is left out of the stored record. Someone who reads the table (a leaked
//! backup, say) cannot sign in as anyone with what they find there.

use crate::db::Db;
use crate::entities::session;
use crate::error::is_unique_violation;
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, Set};
use sha2::Sha256;
use std::sync::Arc;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    key: Arc<[u8]>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore").finish_non_exhaustive()
    }
}

impl DbSessionStore {
    /// `secret` keys the hash of session ids; changing it ends every session.
    pub fn new(db: Db, secret: &[u8]) -> Self {
        Self {
            db,
            key: secret.into(),
        }
    }

    /// The row key of a session id.
    fn row_id(&self, id: &Id) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(id.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn to_row(&self, record: &Record) -> Result<session::ActiveModel, session_store::Error> {
        // The id is the row's key, hashed; the stored copy carries none.
        let mut stored = record.clone();
        stored.id = Id(0);
        let data = serde_json::to_string(&stored)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires_at = chrono::DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
            .ok_or_else(|| {
            session_store::Error::Encode("session expiry out of range".into())
        })?;
        Ok(session::ActiveModel {
            id: Set(self.row_id(&record.id)),
            data: Set(data),
            expires_at: Set(expires_at),
        })
    }
}

fn backend(err: DbErr) -> session_store::Error {
    if crate::error::is_unavailable(&err) {
        return session_store::Error::Backend(format!(
            "{}{err}",
            crate::error::UNAVAILABLE_SESSION_MARK
        ));
    }
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh id that collides with a stored one gets a new id, never the other's session.
        loop {
            match session::Entity::insert(self.to_row(record)?)
                .exec(&*self.db.lease().await.map_err(backend)?)
                .await
            {
                Ok(_) => return Ok(()),
                Err(err) if is_unique_violation(&err) => record.id = Id::default(),
                Err(err) => return Err(backend(err)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::insert(self.to_row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&*self.db.lease().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = session::Entity::find_by_id(self.row_id(id))
            .filter(session::Column::ExpiresAt.gt(chrono::Utc::now()))
            .one(&*self.db.lease().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        row.map(|row| {
            let mut record: Record = serde_json::from_str(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
            record.id = *id;
            Ok(record)
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(self.row_id(id))
            .exec(&*self.db.lease().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl DbSessionStore {
    /// Deletes every session past its expiry and says how many went (for the job's log).
    pub async fn delete_expired_sessions(&self) -> session_store::Result<u64> {
        let deleted = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(chrono::Utc::now()))
            .exec(&*self.db.lease().await.map_err(backend)?)
            .await
            .map_err(backend)?;
        Ok(deleted.rows_affected)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.delete_expired_sessions().await.map(|_| ())
    }
}
