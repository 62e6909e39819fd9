use sea_orm::{DbErr, RuntimeErr, SqlErr};

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

impl StoreError {
    /// True when the database, not the request, is the trouble and the same request may well
    /// succeed in a moment: the database is unreachable or shutting down, the pool is exhausted,
    /// the disk is full, or a lock or serialisation conflict got in the way. The web layer answers
    /// these 503 with `Retry-After` instead of a 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(err) => is_unavailable(err),
            StoreError::Session(message) => message.contains(UNAVAILABLE_SESSION_MARK),
            _ => false,
        }
    }
}

/// What a session-store error caused by an unavailable database says, so that it can still be
/// told apart once tower-sessions and axum-login have turned it into text.
pub(crate) const UNAVAILABLE_SESSION_MARK: &str = "database unavailable: ";

/// See [`StoreError::is_unavailable`].
pub fn is_unavailable(err: &DbErr) -> bool {
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(sqlx))
        | DbErr::Exec(RuntimeErr::SqlxError(sqlx))
        | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => sqlx,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    use sea_orm::sqlx::Error;
    match sqlx {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::Protocol(_) => true,
        Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// SQLite's result codes (extended codes keep the primary one in the low byte) and PostgreSQL's
/// SQLSTATEs that mean "not now" rather than "not this".
fn unavailable_code(code: &str) -> bool {
    if let Ok(sqlite) = code.parse::<u32>() {
        const BUSY: u32 = 5;
        const LOCKED: u32 = 6;
        const NOMEM: u32 = 7;
        const READONLY: u32 = 8;
        const IOERR: u32 = 10;
        const FULL: u32 = 13;
        const CANTOPEN: u32 = 14;
        return matches!(
            sqlite & 0xff,
            BUSY | LOCKED | NOMEM | READONLY | IOERR | FULL | CANTOPEN
        );
    }
    // 08: connection exception; 53: insufficient resources (disk full, out of memory, too many
    // connections); 57P01-57P03: shutting down or starting up; 40001 and 40P01: a serialisation
    // failure or deadlock, which a retry resolves.
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "40001" | "40P01")
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
