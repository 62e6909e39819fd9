use crate::m20261124_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(pk_auto(Projects::Id))
                    .col(integer(Projects::OwnerId))
                    .col(string_len(Projects::Name, 100))
                    .col(timestamp_with_time_zone(Projects::CreatedAt))
                    .col(timestamp_with_time_zone(Projects::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_projects_owner")
                            .from(Projects::Table, Projects::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The projects page lists one owner's projects by name.
        manager
            .create_index(
                Index::create()
                    .name("idx_projects_owner_name")
                    .table(Projects::Table)
                    .col(Projects::OwnerId)
                    .col(Projects::Name)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    .col(pk_auto(Tasks::Id))
                    .col(integer(Tasks::ProjectId))
                    .col(string_len(Tasks::Title, 200))
                    .col(text(Tasks::Description))
                    .col(string_len(Tasks::Status, 16))
                    .col(string_len(Tasks::Priority, 16))
                    .col(date_null(Tasks::DueDate))
                    // Order within a status column; gaps leave room to insert between neighbours.
                    .col(big_integer(Tasks::Position))
                    .col(timestamp_with_time_zone(Tasks::CreatedAt))
                    .col(timestamp_with_time_zone(Tasks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tasks_project")
                            .from(Tasks::Table, Tasks::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The board reads one project's tasks column by column in position order.
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_project_status_position")
                    .table(Tasks::Table)
                    .col(Tasks::ProjectId)
                    .col(Tasks::Status)
                    .col(Tasks::Position)
                    .to_owned(),
            )
            .await?;
        // Lists filter and sort by due date.
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_project_due_date")
                    .table(Tasks::Table)
                    .col(Tasks::ProjectId)
                    .col(Tasks::DueDate)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tasks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Projects::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    OwnerId,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    ProjectId,
    Title,
    Description,
    Status,
    Priority,
    DueDate,
    Position,
    CreatedAt,
    UpdatedAt,
}
