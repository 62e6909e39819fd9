use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Full-text search over task titles and descriptions on PostgreSQL: a GIN index on the very
/// expression the list view's search uses (`store::tasks::list`). SQLite searches with LIKE and
/// gets no index: it has no equivalent, and it serves one team's instance.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_tasks_search ON tasks \
                 USING GIN (to_tsvector('english', title || ' ' || description))",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_tasks_search")
            .await
            .map(|_| ())
    }
}
