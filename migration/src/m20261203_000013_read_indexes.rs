use crate::sql_indexes::{swap_in, swap_out, Index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Indexes in the orders the list view and My tasks read in, so a page of a large project is read
/// in order and stops at its limit instead of sorting every task. The expressions are written
/// exactly as `store::tasks::select` writes them: both databases only use an expression index for
/// the same expression. The old release keeps working beside it: it only gains indexes, and loses
/// `idx_task_assignees_user`, which the new `(user_id, task_id)` index serves in full. On
/// PostgreSQL the migration runs in a transaction, so writes to tasks wait while the indexes are
/// built, seconds at a million tasks (`CONCURRENTLY` cannot run in a transaction).
const INDEXES: [Index; 6] = [
    (
        "idx_tasks_list_manual",
        "tasks (project_id, (CASE status WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END), position, id)",
    ),
    (
        "idx_tasks_list_priority",
        "tasks (project_id, (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), id)",
    ),
    ("idx_tasks_list_created", "tasks (project_id, created_at, id)"),
    (
        "idx_tasks_list_due",
        "tasks (project_id, (due_date IS NULL), due_date, id)",
    ),
    // My tasks across every project: open tasks by due date, most urgent first.
    (
        "idx_tasks_open_due",
        "tasks (due_date, (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), id) WHERE status <> 'done'",
    ),
    // A person's assignments as task ids without reading the table (and the user foreign key's
    // index, in place of `idx_task_assignees_user`).
    ("idx_task_assignees_user_task", "task_assignees (user_id, task_id)"),
];

/// The index on the person alone, which `idx_task_assignees_user_task` serves in full.
const REPLACED: Index = ("idx_task_assignees_user", "task_assignees (user_id)");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        swap_in(manager.get_connection(), &INDEXES, REPLACED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        swap_out(manager.get_connection(), &INDEXES, REPLACED).await
    }
}
