use crate::m20261124_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a task carries besides its own fields: the project's labels and which tasks wear them,
/// assignees (members of the project), a checklist of subtasks, comments, and the history of who
/// changed what. Everything hangs off a task or project and goes with it when it is deleted.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Labels::Table)
                    .col(pk_auto(Labels::Id))
                    .col(integer(Labels::ProjectId))
                    .col(string_len(Labels::Name, 40))
                    .col(string_len(Labels::Colour, 16))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_labels_project")
                            .from(Labels::Table, Labels::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_labels_project_name")
                    .table(Labels::Table)
                    .col(Labels::ProjectId)
                    .col(Labels::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaskLabels::Table)
                    .col(integer(TaskLabels::TaskId))
                    .col(integer(TaskLabels::LabelId))
                    .primary_key(
                        Index::create()
                            .col(TaskLabels::TaskId)
                            .col(TaskLabels::LabelId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_labels_task")
                            .from(TaskLabels::Table, TaskLabels::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_labels_label")
                            .from(TaskLabels::Table, TaskLabels::LabelId)
                            .to(Labels::Table, Labels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The list view's label filter.
        manager
            .create_index(
                Index::create()
                    .name("idx_task_labels_label")
                    .table(TaskLabels::Table)
                    .col(TaskLabels::LabelId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaskAssignees::Table)
                    .col(integer(TaskAssignees::TaskId))
                    .col(integer(TaskAssignees::UserId))
                    .primary_key(
                        Index::create()
                            .col(TaskAssignees::TaskId)
                            .col(TaskAssignees::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_assignees_task")
                            .from(TaskAssignees::Table, TaskAssignees::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_assignees_user")
                            .from(TaskAssignees::Table, TaskAssignees::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "My tasks": everything assigned to one person.
        manager
            .create_index(
                Index::create()
                    .name("idx_task_assignees_user")
                    .table(TaskAssignees::Table)
                    .col(TaskAssignees::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Subtasks::Table)
                    .col(pk_auto(Subtasks::Id))
                    .col(integer(Subtasks::TaskId))
                    .col(string_len(Subtasks::Title, 200))
                    .col(boolean(Subtasks::Done).default(false))
                    .col(timestamp_with_time_zone(Subtasks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subtasks_task")
                            .from(Subtasks::Table, Subtasks::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subtasks_task")
                    .table(Subtasks::Table)
                    .col(Subtasks::TaskId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(pk_auto(Comments::Id))
                    .col(integer(Comments::TaskId))
                    .col(integer_null(Comments::AuthorId))
                    .col(text(Comments::Body))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_task")
                            .from(Comments::Table, Comments::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A comment outlives its author's account; it then shows no author.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_author")
                            .from(Comments::Table, Comments::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_task")
                    .table(Comments::Table)
                    .col(Comments::TaskId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaskActivities::Table)
                    .col(pk_auto(TaskActivities::Id))
                    .col(integer(TaskActivities::TaskId))
                    .col(integer_null(TaskActivities::ActorId))
                    .col(string_len(TaskActivities::Summary, 500))
                    .col(timestamp_with_time_zone(TaskActivities::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_activities_task")
                            .from(TaskActivities::Table, TaskActivities::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_task_activities_actor")
                            .from(TaskActivities::Table, TaskActivities::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_task_activities_task")
                    .table(TaskActivities::Table)
                    .col(TaskActivities::TaskId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TaskActivities::Table.into_iden(),
            Comments::Table.into_iden(),
            Subtasks::Table.into_iden(),
            TaskAssignees::Table.into_iden(),
            TaskLabels::Table.into_iden(),
            Labels::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Labels {
    Table,
    Id,
    ProjectId,
    Name,
    Colour,
}

#[derive(DeriveIden)]
enum TaskLabels {
    Table,
    TaskId,
    LabelId,
}

#[derive(DeriveIden)]
enum TaskAssignees {
    Table,
    TaskId,
    UserId,
}

#[derive(DeriveIden)]
enum Subtasks {
    Table,
    Id,
    TaskId,
    Title,
    Done,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    TaskId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TaskActivities {
    Table,
    Id,
    TaskId,
    ActorId,
    Summary,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
}
