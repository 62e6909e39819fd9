use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub task_id: i32,
    pub actor_id: Option<i32>,
    /// What happened, e.g. `moved`; the store's conversions say which values each kind keeps.
    pub kind: String,
    /// The subtask, comment, label or person the event is about.
    pub subject_id: Option<i32>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
