use crate::m20261124_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Projects shared with roles: every member, the owner included, is a row of `project_members`;
/// an invitation to an email without an account waits in `project_invitations` until that person
/// signs up. Existing projects get their owner as the first member.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectMembers::Table)
                    .col(integer(ProjectMembers::ProjectId))
                    .col(integer(ProjectMembers::UserId))
                    .col(string_len(ProjectMembers::Role, 16))
                    .col(timestamp_with_time_zone(ProjectMembers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ProjectMembers::ProjectId)
                            .col(ProjectMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_members_project")
                            .from(ProjectMembers::Table, ProjectMembers::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_members_user")
                            .from(ProjectMembers::Table, ProjectMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The projects page: every project one person is a member of.
        manager
            .create_index(
                Index::create()
                    .name("idx_project_members_user")
                    .table(ProjectMembers::Table)
                    .col(ProjectMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectInvitations::Table)
                    .col(pk_auto(ProjectInvitations::Id))
                    .col(integer(ProjectInvitations::ProjectId))
                    .col(string_len(ProjectInvitations::Email, 320))
                    .col(string_len(ProjectInvitations::Role, 16))
                    .col(timestamp_with_time_zone(ProjectInvitations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_invitations_project")
                            .from(ProjectInvitations::Table, ProjectInvitations::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_project_invitations_project_email")
                    .table(ProjectInvitations::Table)
                    .col(ProjectInvitations::ProjectId)
                    .col(ProjectInvitations::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Signing up looks for invitations by email.
        manager
            .create_index(
                Index::create()
                    .name("idx_project_invitations_email")
                    .table(ProjectInvitations::Table)
                    .col(ProjectInvitations::Email)
                    .to_owned(),
            )
            .await?;
        let backfill = Query::insert()
            .into_table(ProjectMembers::Table)
            .columns([
                ProjectMembers::ProjectId,
                ProjectMembers::UserId,
                ProjectMembers::Role,
                ProjectMembers::CreatedAt,
            ])
            .select_from(
                Query::select()
                    .column(Projects::Id)
                    .column(Projects::OwnerId)
                    .expr(Expr::val("owner"))
                    .column(Projects::CreatedAt)
                    .from(Projects::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProjectInvitations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProjectMembers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProjectMembers {
    Table,
    ProjectId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProjectInvitations {
    Table,
    Id,
    ProjectId,
    Email,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    OwnerId,
    CreatedAt,
}
