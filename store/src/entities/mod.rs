//! SeaORM entities, one per table. Private to the crate: callers use the typed queries.

pub mod feedback;
pub mod identity;
pub mod project;
pub mod project_invitation;
pub mod project_member;
pub mod session;
pub mod task;
pub mod user;
