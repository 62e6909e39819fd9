use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An invitation is accepted through its own secret link, never by signing up with its email.
/// The link's token is kept only as its SHA-256 (so a copy of the database opens nothing), with
/// who sent it. Invitations made before have neither: they wait until the owner makes a new link.
/// Expand-only: two nullable columns and an index, dropped again by `down`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite alters a table one column at a time.
        for column in [
            string_len_null(ProjectInvitations::TokenHash, 64),
            integer_null(ProjectInvitations::InvitedBy),
        ] {
            alter(manager, Table::alter().add_column(column)).await?;
        }
        // Opening a link finds its invitation by the token's hash.
        manager
            .create_index(
                Index::create()
                    .name("idx_project_invitations_token_hash")
                    .table(ProjectInvitations::Table)
                    .col(ProjectInvitations::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_project_invitations_token_hash")
                    .table(ProjectInvitations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [ProjectInvitations::TokenHash, ProjectInvitations::InvitedBy] {
            alter(manager, Table::alter().drop_column(column)).await?;
        }
        Ok(())
    }
}

async fn alter(manager: &SchemaManager<'_>, change: &mut TableAlterStatement) -> Result<(), DbErr> {
    manager
        .alter_table(change.table(ProjectInvitations::Table).to_owned())
        .await
}

#[derive(DeriveIden)]
enum ProjectInvitations {
    Table,
    TokenHash,
    InvitedBy,
}
