use sea_orm::{DbErr, SqlErr};

/// What went wrong below the web layer. `EmailTaken` is the person's doing; the rest mean
/// something broke and keep their cause for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("password hashing failed: {0}")]
    Hashing(String),
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
