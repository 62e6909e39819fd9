//! Accounts.

use crate::db::Db;
use crate::entities::user;
use crate::error::{taken_or, StoreError};
use domain::Email;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

pub type UserId = i32;

/// A signed-in person. `Debug` leaves out the password hash so it cannot reach a log.
#[derive(Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub(crate) password_hash: Option<String>,
    /// An instance admin (`taskdeck admin grant EMAIL`): sees the admin page.
    pub is_admin: bool,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self {
            id: model.id,
            email: model.email,
            password_hash: model.password_hash,
            is_admin: model.is_admin,
        }
    }
}

/// Creates an account. Invitations sent to its email wait for their links: an unverified email
/// proves nothing.
pub async fn create(db: &Db, email: &Email, password_hash: String) -> Result<User, StoreError> {
    use sea_orm::TransactionTrait;
    let conn = db.lease().await?;
    let txn = conn.begin().await?;
    let model = insert_account(&txn, email, Some(password_hash)).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Inserts an account (`EmailTaken` when the email has one). Callers run it inside their
/// transaction.
pub(crate) async fn insert_account<C: sea_orm::ConnectionTrait>(
    conn: &C,
    email: &Email,
    password_hash: Option<String>,
) -> Result<user::Model, StoreError> {
    let model = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|err| taken_or(err, StoreError::EmailTaken))?;
    Ok(model)
}

pub async fn find_by_email(db: &Db, email: &Email) -> Result<Option<User>, StoreError> {
    let conn = db.lease().await?;
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&*conn)
        .await?
        .map(User::from))
}

pub async fn find_by_id(db: &Db, id: UserId) -> Result<Option<User>, StoreError> {
    let conn = db.lease().await?;
    Ok(user::Entity::find_by_id(id)
        .one(&*conn)
        .await?
        .map(User::from))
}

/// Replaces the password hash and answers the updated account.
pub async fn set_password_hash(db: &Db, id: UserId, hash: String) -> Result<User, StoreError> {
    use sea_orm::IntoActiveModel;
    let conn = db.lease().await?;
    let Some(model) = user::Entity::find_by_id(id).one(&*conn).await? else {
        return Err(StoreError::Database(sea_orm::DbErr::RecordNotFound(
            format!("user {id}"),
        )));
    };
    let mut active = model.into_active_model();
    active.password_hash = Set(Some(hash));
    Ok(active.update(&*conn).await?.into())
}

/// Makes the account with this email an instance admin, or no longer one; `None` when there is
/// no such account.
pub async fn set_admin(db: &Db, email: &Email, admin: bool) -> Result<Option<User>, StoreError> {
    use sea_orm::IntoActiveModel;
    let conn = db.lease().await?;
    let Some(model) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&*conn)
        .await?
    else {
        return Ok(None);
    };
    let mut active = model.into_active_model();
    active.is_admin = Set(admin);
    Ok(Some(active.update(&*conn).await?.into()))
}
