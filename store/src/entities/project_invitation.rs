use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub email: String,
    pub role: String,
    pub created_at: DateTimeUtc,
    /// The SHA-256 of the link's token, in hex; `None` for invitations made before links.
    pub token_hash: Option<String>,
    /// Who sent it; `None` for invitations made before links.
    pub invited_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
