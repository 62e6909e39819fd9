//! Tasks, reached only through a project the user is a member of: any member reads them, editors
//! and owners change them.
//!
//! - [`board`]: the status columns, and one card;
//! - [`list`]: filtered, searched and sorted;
//! - [`mine`]: My tasks, across projects;
//! - [`write`]: create, edit, move, delete;
//! - `placement` and `select`: the position arithmetic and the queries the others share.

mod board;
mod list;
mod mine;
mod placement;
mod select;
mod write;

pub use board::{board, every_task, get};
pub use list::list;
pub use mine::mine;
pub use write::{create, delete, move_to, update, TaskEdit};
