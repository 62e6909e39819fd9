use crate::m20261124_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Feature flags and the instance admins who may see them on the admin page. A flag's row says
/// whether it is on for everyone; its accounts are the ones it is on for first. A flag with no
/// row is off. Expand-only: a column with a default (the previous release's inserts still work)
/// and two new tables, all removed again by `down`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(boolean(Admin::IsAdmin).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FeatureFlags::Table)
                    .col(string_len(FeatureFlags::Name, 40).primary_key())
                    .col(boolean(FeatureFlags::Everyone).default(false))
                    .col(timestamp_with_time_zone(FeatureFlags::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FeatureFlagAccounts::Table)
                    .col(string_len(FeatureFlagAccounts::Flag, 40))
                    .col(integer(FeatureFlagAccounts::UserId))
                    .primary_key(
                        Index::create()
                            .col(FeatureFlagAccounts::Flag)
                            .col(FeatureFlagAccounts::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_feature_flag_accounts_flag")
                            .from(FeatureFlagAccounts::Table, FeatureFlagAccounts::Flag)
                            .to(FeatureFlags::Table, FeatureFlags::Name)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_feature_flag_accounts_user")
                            .from(FeatureFlagAccounts::Table, FeatureFlagAccounts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FeatureFlagAccounts::Table.into_iden(),
            FeatureFlags::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Admin::IsAdmin)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Admin {
    IsAdmin,
}

#[derive(DeriveIden)]
enum FeatureFlags {
    Table,
    Name,
    Everyone,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FeatureFlagAccounts {
    Table,
    Flag,
    UserId,
}
