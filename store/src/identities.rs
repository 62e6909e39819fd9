//! Accounts at outside providers (GitHub, Google) linked to Taskdeck accounts.

use crate::db::Db;
use crate::entities::{identity, user};
use crate::error::taken_or;
use crate::error::StoreError;
use crate::users::{User, UserId};
use domain::{Email, Provider};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

/// Who the provider says signed in: its own stable id for the person and the email it verified.
#[derive(Clone, Debug)]
pub struct ProviderIdentity {
    pub provider: Provider,
    pub subject: String,
    pub email: Email,
}

/// A linked identity, as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub provider: Provider,
    pub email: String,
}

/// The account this provider identity is linked to, if any.
pub async fn user_for(
    db: &Db,
    provider: Provider,
    subject: &str,
) -> Result<Option<User>, StoreError> {
    let conn = db.lease().await?;
    let Some(link) = find(&conn, provider, subject).await? else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(link.user_id)
        .one(&*conn)
        .await?
        .map(User::from))
}

async fn find(
    conn: &DatabaseConnection,
    provider: Provider,
    subject: &str,
) -> Result<Option<identity::Model>, StoreError> {
    Ok(identity::Entity::find()
        .filter(identity::Column::Provider.eq(provider.as_str()))
        .filter(identity::Column::Subject.eq(subject))
        .one(conn)
        .await?)
}

pub async fn list(db: &Db, user: UserId) -> Result<Vec<LinkedIdentity>, StoreError> {
    let conn = db.lease().await?;
    let rows = identity::Entity::find()
        .filter(identity::Column::UserId.eq(user))
        .order_by_asc(identity::Column::Provider)
        .all(&*conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Provider::parse(&row.provider).map(|provider| LinkedIdentity {
                provider,
                email: row.email,
            })
        })
        .collect())
}

fn new_row(user: UserId, identity: &ProviderIdentity) -> identity::ActiveModel {
    identity::ActiveModel {
        user_id: Set(user),
        provider: Set(identity.provider.as_str().to_owned()),
        subject: Set(identity.subject.clone()),
        email: Set(identity.email.as_str().to_owned()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

/// Links the identity to a signed-in account. `IdentityTaken` when it is already linked to an
/// account (this one or another) or the account already has one from this provider.
pub async fn link(db: &Db, user: UserId, identity: &ProviderIdentity) -> Result<(), StoreError> {
    let conn = db.lease().await?;
    new_row(user, identity)
        .insert(&*conn)
        .await
        .map_err(|err| taken_or(err, StoreError::IdentityTaken))?;
    Ok(())
}

/// Creates an account, with no password, for a person's first sign-in through a provider.
/// `EmailTaken` when an account already has that email: it must sign in and link instead.
pub async fn sign_up(db: &Db, identity: &ProviderIdentity) -> Result<User, StoreError> {
    let conn = db.lease().await?;
    let txn = conn.begin().await?;
    let created = crate::users::insert_account(&txn, &identity.email, None).await?;
    new_row(created.id, identity)
        .insert(&txn)
        .await
        .map_err(|err| taken_or(err, StoreError::IdentityTaken))?;
    txn.commit().await?;
    Ok(created.into())
}

/// What became of a request to unlink a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlinked {
    Done,
    NotLinked,
    /// Refused: without it the account would have no password and no provider to sign in with.
    LastWayIn,
}

pub async fn unlink(db: &Db, user: UserId, provider: Provider) -> Result<Unlinked, StoreError> {
    let conn = db.lease().await?;
    // One transaction, so two unlinks at once cannot both pass the last-way-in check.
    let txn = conn.begin().await?;
    let Some(account) = user::Entity::find_by_id(user).one(&txn).await? else {
        return Ok(Unlinked::NotLinked);
    };
    let mine = identity::Entity::find().filter(identity::Column::UserId.eq(user));
    let Some(row) = mine
        .clone()
        .filter(identity::Column::Provider.eq(provider.as_str()))
        .one(&txn)
        .await?
    else {
        return Ok(Unlinked::NotLinked);
    };
    let others = mine.count(&txn).await? - 1;
    if account.password_hash.is_none() && others == 0 {
        return Ok(Unlinked::LastWayIn);
    }
    identity::Entity::delete_by_id(row.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(Unlinked::Done)
}
