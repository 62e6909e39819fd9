//! Email and password sign-in for axum-login, with Argon2id hashes computed off the async runtime.

use crate::db::Db;
use crate::error::StoreError;
use crate::users::{self, User, UserId};
use axum_login::{AuthUser, AuthnBackend};
use domain::{Email, Password};
use std::sync::LazyLock;

impl AuthUser for User {
    type Id = UserId;

    fn id(&self) -> Self::Id {
        self.id
    }

    /// Sessions are bound to the password hash, so changing the password signs out every other
    /// session of that account.
    fn session_auth_hash(&self) -> &[u8] {
        self.password_hash.as_deref().unwrap_or_default().as_bytes()
    }
}

/// What a person types into the sign-in form.
#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug)]
pub struct Backend {
    db: Db,
}

impl Backend {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = StoreError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, StoreError> {
        let user = match Email::parse(&creds.email) {
            Ok(email) => users::find_by_email(&self.db, &email).await?,
            Err(_) => None,
        };
        // Verify against a fixed hash when there is no such account, so the response time does
        // not tell an attacker which emails have accounts.
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = verify_password(creds.password, hash).await?;
        Ok(user.filter(|u| matches && u.password_hash.is_some()))
    }

    async fn get_user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        users::find_by_id(&self.db, *id).await
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Argon2id hash of a new password. Runs on the blocking pool: a hash takes tens of milliseconds
/// of CPU, which would stall every other request on an async worker.
pub async fn hash_password(password: Password) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password.expose()))
        .await
        .map_err(|e| StoreError::Hashing(e.to_string()))
}

async fn verify_password(password: String, hash: String) -> Result<bool, StoreError> {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .map_err(|e| StoreError::Hashing(e.to_string()))
}

/// A hash with the same cost parameters as real ones, of a password nobody types; only ever
/// compared against.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash("taskdeck: no account has this password"));

/// Creates an account with a hashed password.
pub async fn sign_up(db: &Db, email: &Email, password: Password) -> Result<User, StoreError> {
    let hash = hash_password(password).await?;
    users::create(db, email, hash).await
}

/// What became of a password change.
#[derive(Debug)]
pub enum PasswordChange {
    /// Changed; the updated account, whose sessions elsewhere are now void.
    Changed(User),
    WrongCurrentPassword,
}

/// Changes the password, or sets one on an account that so far signs in only through GitHub or
/// Google. The current password must match when there is one.
pub async fn change_password(
    db: &Db,
    user: &User,
    current: &str,
    new: Password,
) -> Result<PasswordChange, StoreError> {
    if let Some(hash) = user.password_hash.clone() {
        if !verify_password(current.to_owned(), hash).await? {
            return Ok(PasswordChange::WrongCurrentPassword);
        }
    }
    let hash = hash_password(new).await?;
    Ok(PasswordChange::Changed(
        users::set_password_hash(db, user.id, hash).await?,
    ))
}

impl User {
    /// False for an account made by signing in with GitHub or Google that has not set a password.
    pub fn has_password(&self) -> bool {
        self.password_hash.is_some()
    }
}

/// The session key holding when the person signed in, for the absolute session lifetime.
pub const SIGNED_IN_AT: &str = "taskdeck.signed_in_at";

/// Signs `user` in on this session. The session gets a new id (an id planted before sign-in is
/// worthless) and the time of sign-in, after which the absolute lifetime counts.
pub async fn start_session(auth: &mut AuthSession, user: &User) -> Result<(), StoreError> {
    auth.login(user)
        .await
        .map_err(|e| StoreError::Session(e.to_string()))?;
    // login() cycles the id only for a session that was anonymous; a session switching accounts,
    // or changing its password, needs a new id too.
    auth.session
        .cycle_id()
        .await
        .map_err(|e| StoreError::Session(e.to_string()))?;
    auth.session
        .insert(SIGNED_IN_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(|e| StoreError::Session(e.to_string()))
}
