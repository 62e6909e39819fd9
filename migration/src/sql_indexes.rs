//! Indexes written as SQL (expressions and partial indexes, which the schema builder cannot write
//! for both databases), each set taking the place of an older index it serves in full.

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// An index's name and what follows its `ON`.
pub(crate) type Index = (&'static str, &'static str);

/// Creates `indexes`, then drops `replaced`. IF NOT EXISTS: SQLite runs migrations outside a
/// transaction, so a failed run can leave some of them behind for the next one.
pub(crate) async fn swap_in<C: ConnectionTrait>(
    conn: &C,
    indexes: &[Index],
    replaced: Index,
) -> Result<(), DbErr> {
    for (name, on) in indexes {
        conn.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"))
            .await?;
    }
    conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {}", replaced.0))
        .await?;
    Ok(())
}

/// The way back: `replaced` made again, then `indexes` dropped.
pub(crate) async fn swap_out<C: ConnectionTrait>(
    conn: &C,
    indexes: &[Index],
    replaced: Index,
) -> Result<(), DbErr> {
    let (name, on) = replaced;
    conn.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"))
        .await?;
    for (name, _) in indexes {
        conn.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    Ok(())
}
