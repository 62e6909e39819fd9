use sea_orm::{DbErr, SqlErr};

/// What went wrong below the web layer. `EmailTaken` and `IdentityTaken` are the person's doing; the rest mean
/// something broke and keep their cause for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("this provider account is already linked")]
    IdentityTaken,
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("session store failed: {0}")]
    Session(String),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::Database(err)
    }
}

/// True when the error is a unique-constraint violation, on either database.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
