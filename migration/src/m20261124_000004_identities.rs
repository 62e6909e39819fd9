use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Accounts at GitHub and Google linked to a Taskdeck account. The provider's own id (`subject`)
/// identifies the person, never the email, which they can change there.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Identities::Table)
                    .col(pk_auto(Identities::Id))
                    .col(integer(Identities::UserId))
                    .col(string_len(Identities::Provider, 16))
                    .col(string_len(Identities::Subject, 255))
                    // The email the provider vouched for when the identity was linked, to show.
                    .col(string_len(Identities::Email, 320))
                    .col(timestamp_with_time_zone(Identities::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_identities_user")
                            .from(Identities::Table, Identities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_identities_provider_subject")
                    .table(Identities::Table)
                    .col(Identities::Provider)
                    .col(Identities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One identity per provider per account keeps "unlink GitHub" unambiguous.
        manager
            .create_index(
                Index::create()
                    .name("idx_identities_user_provider")
                    .table(Identities::Table)
                    .col(Identities::UserId)
                    .col(Identities::Provider)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Identities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Identities {
    Table,
    Id,
    UserId,
    Provider,
    Subject,
    Email,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
