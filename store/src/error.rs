use sea_orm::{DbErr, SqlErr};

/// What went wrong below the web layer. `EmailTaken`, `IdentityTaken`, `LabelTaken`, `Forbidden`,
/// `LastOwner`, `AlreadyMember` and `OwnerCannotLeave` are the person's doing; the rest mean
/// something broke and keep their cause for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("this provider account is already linked")]
    IdentityTaken,
    /// A member asked for something their role does not allow.
    #[error("your role in this project does not allow this")]
    Forbidden,
    /// The project already has a label with that name.
    #[error("a label with this name already exists")]
    LabelTaken,
    /// The change would leave a project without an owner.
    #[error("a project needs at least one owner")]
    LastOwner,
    /// The email invited is already a member's (the owner sees the members, so this tells nothing).
    #[error("this person is already a member")]
    AlreadyMember,
    /// An owner asked to leave their project.
    #[error("an owner cannot leave the project")]
    OwnerCannotLeave,
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("no random numbers for a secret: {0}")]
    Random(String),
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

/// A unique-constraint violation becomes `taken` (the person's mistake); anything else stays a
/// database error.
pub(crate) fn taken_or(err: DbErr, taken: StoreError) -> StoreError {
    if is_unique_violation(&err) {
        taken
    } else {
        StoreError::Database(err)
    }
}
