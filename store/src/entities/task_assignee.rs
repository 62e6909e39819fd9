use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_assignees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// The task's, copied by the database's triggers (migration 14) so a person's assignments are
    /// read in order from their own index: never written here.
    pub project_id: i32,
    /// Whether the task is not done (a trigger's copy).
    pub is_open: bool,
    /// The task's due date (a trigger's copy).
    pub due_date: Option<Date>,
    /// The task's priority as `tasks::select::priority_rank` ranks it (a trigger's copy).
    pub priority_rank: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::task::Entity",
        from = "Column::TaskId",
        to = "super::task::Column::Id",
        on_delete = "Cascade"
    )]
    Task,
}

impl ActiveModelBehavior for ActiveModel {}
