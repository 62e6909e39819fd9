use crate::sql_indexes::{swap_in, swap_out, Index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, date_null, integer, small_integer};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each assignment carries a copy of what My tasks and the list filter and sort its task by
/// (project, open or done, due date, priority rank), so a person's open assignments are read in
/// due order from one index and stop at the page's limit. Without the copy, a person with
/// thousands of assignments had every one of their tasks read and sorted (215 ms at a million
/// tasks). Triggers keep the copy, so no write path, restore or hand-written SQL has to know
/// of it; on PostgreSQL a new assignment reads its task `FOR SHARE`, so a task changed by another
/// transaction at the same moment cannot leave the copy behind.
/// The rank is the one `store::tasks::select::priority_rank` writes (most urgent 0).
///
/// The old release keeps working beside it: it never names the new columns, and the triggers
/// fill them whatever it writes. On PostgreSQL the migration holds writes to tasks, and all use of
/// task_assignees, until it commits (about 5 s at 500,000 assignments): writes made between the
/// copy and the trigger's creation would otherwise be missed.
const RANK: &str =
    "CASE {p} WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

const INDEXES: [Index; 3] = [
    // My tasks: a person's open assignments in due order (no date last), most urgent first.
    (
        "idx_task_assignees_open_due",
        "task_assignees (user_id, is_open, (due_date IS NULL), due_date, priority_rank, task_id)",
    ),
    // The list's "assigned to" filters, inside one project; also what the person-and-task
    // index served (that index is dropped).
    (
        "idx_task_assignees_user_project",
        "task_assignees (user_id, project_id, task_id)",
    ),
    // "Assigned to nobody": a project's assigned tasks, hashed against its tasks in one pass
    // instead of one lookup per task.
    (
        "idx_task_assignees_project",
        "task_assignees (project_id, task_id)",
    ),
];

/// The person-and-task index of migration 13, which `idx_task_assignees_user_project` serves.
const REPLACED: Index = (
    "idx_task_assignees_user_task",
    "task_assignees (user_id, task_id)",
);

fn rank(of: &str) -> String {
    RANK.replace("{p}", of)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = conn.get_database_backend();
        if backend == DatabaseBackend::Postgres {
            // Taken first, before task_assignees: an old release's task delete (which cascades
            // to task_assignees) then waits here instead of deadlocking with CREATE TRIGGER; and
            // no task changes between the copy below and its trigger. SQLite has one writer.
            conn.execute_unprepared("LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        // One column at a time (SQLite alters one per statement), each only when absent: SQLite
        // runs migrations outside a transaction, so a failed run can leave some behind.
        let columns = [
            (
                TaskAssignees::ProjectId,
                integer(TaskAssignees::ProjectId).default(0).to_owned(),
            ),
            (
                TaskAssignees::IsOpen,
                boolean(TaskAssignees::IsOpen).default(true).to_owned(),
            ),
            (TaskAssignees::DueDate, date_null(TaskAssignees::DueDate)),
            (
                TaskAssignees::PriorityRank,
                small_integer(TaskAssignees::PriorityRank)
                    .default(3)
                    .to_owned(),
            ),
        ];
        for (name, mut column) in columns {
            if !manager
                .has_column("task_assignees", &name.to_string())
                .await?
            {
                manager
                    .alter_table(
                        Table::alter()
                            .table(TaskAssignees::Table)
                            .add_column(&mut column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        // Assignments of a task that is gone (SQLite enforces foreign keys only on connections
        // that ask) have nothing to copy and could never be shown; the copy would fail on them.
        conn.execute_unprepared(
            "DELETE FROM task_assignees
             WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = task_assignees.task_id)",
        )
        .await?;
        conn.execute_unprepared(&format!(
            "UPDATE task_assignees SET (project_id, is_open, due_date, priority_rank) =
               (SELECT t.project_id, t.status <> 'done', t.due_date, {}
                FROM tasks t WHERE t.id = task_assignees.task_id)",
            rank("t.priority")
        ))
        .await?;
        for statement in triggers(backend) {
            conn.execute_unprepared(&statement).await?;
        }
        swap_in(conn, &INDEXES, REPLACED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        swap_out(conn, &INDEXES, REPLACED).await?;
        for statement in dropped_triggers(conn.get_database_backend()) {
            conn.execute_unprepared(statement).await?;
        }
        for name in [
            TaskAssignees::PriorityRank,
            TaskAssignees::DueDate,
            TaskAssignees::IsOpen,
            TaskAssignees::ProjectId,
        ] {
            if manager
                .has_column("task_assignees", &name.to_string())
                .await?
            {
                manager
                    .alter_table(
                        Table::alter()
                            .table(TaskAssignees::Table)
                            .drop_column(name)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

/// The triggers: a new assignment (or one moved to another task) copies its task's fields, and a
/// change to those fields is copied to the task's assignments. In each database's own dialect.
fn triggers(backend: DatabaseBackend) -> Vec<String> {
    let changed = "OLD.project_id IS DISTINCT FROM NEW.project_id
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.due_date IS DISTINCT FROM NEW.due_date
        OR OLD.priority IS DISTINCT FROM NEW.priority";
    match backend {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION task_assignees_copy_task() RETURNS trigger
                 LANGUAGE plpgsql AS $$
                 BEGIN
                   SELECT t.project_id, t.status <> 'done', t.due_date, {}
                     INTO NEW.project_id, NEW.is_open, NEW.due_date, NEW.priority_rank
                     FROM tasks t WHERE t.id = NEW.task_id FOR SHARE;
                   RETURN NEW;
                 END $$",
                rank("t.priority")
            ),
            // Dropped and made again rather than CREATE OR REPLACE, which PostgreSQL 13 lacks.
            "DROP TRIGGER IF EXISTS task_assignees_copy_task ON task_assignees".to_owned(),
            "CREATE TRIGGER task_assignees_copy_task
             BEFORE INSERT OR UPDATE OF task_id ON task_assignees
             FOR EACH ROW EXECUTE FUNCTION task_assignees_copy_task()"
                .to_owned(),
            format!(
                "CREATE OR REPLACE FUNCTION tasks_copy_to_assignees() RETURNS trigger
                 LANGUAGE plpgsql AS $$
                 BEGIN
                   UPDATE task_assignees
                     SET project_id = NEW.project_id, is_open = NEW.status <> 'done',
                         due_date = NEW.due_date, priority_rank = {}
                     WHERE task_id = NEW.id;
                   RETURN NULL;
                 END $$",
                rank("NEW.priority")
            ),
            "DROP TRIGGER IF EXISTS tasks_copy_to_assignees ON tasks".to_owned(),
            format!(
                "CREATE TRIGGER tasks_copy_to_assignees
                 AFTER UPDATE OF project_id, status, due_date, priority ON tasks
                 FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION tasks_copy_to_assignees()"
            ),
        ],
        // SQLite has no multi-event triggers: one for a new assignment, one for a moved one.
        _ => [
            ("task_assignees_copy_task", "INSERT"),
            ("task_assignees_copy_moved_task", "UPDATE OF task_id"),
        ]
        .into_iter()
        .map(|(name, event)| {
            format!(
                "CREATE TRIGGER IF NOT EXISTS {name}
                 AFTER {event} ON task_assignees FOR EACH ROW
                 BEGIN
                   UPDATE task_assignees SET (project_id, is_open, due_date, priority_rank) =
                     (SELECT t.project_id, t.status <> 'done', t.due_date, {}
                      FROM tasks t WHERE t.id = NEW.task_id)
                   WHERE task_id = NEW.task_id AND user_id = NEW.user_id;
                 END",
                rank("t.priority")
            )
        })
        .chain([format!(
            "CREATE TRIGGER IF NOT EXISTS tasks_copy_to_assignees
                 AFTER UPDATE OF project_id, status, due_date, priority ON tasks FOR EACH ROW
                 WHEN {}
                 BEGIN
                   UPDATE task_assignees
                     SET project_id = NEW.project_id, is_open = NEW.status <> 'done',
                         due_date = NEW.due_date, priority_rank = {}
                     WHERE task_id = NEW.id;
                 END",
            changed.replace("IS DISTINCT FROM", "IS NOT"),
            rank("NEW.priority")
        )])
        .collect(),
    }
}

fn dropped_triggers(backend: DatabaseBackend) -> &'static [&'static str] {
    match backend {
        DatabaseBackend::Postgres => &[
            "DROP TRIGGER IF EXISTS tasks_copy_to_assignees ON tasks",
            "DROP TRIGGER IF EXISTS task_assignees_copy_task ON task_assignees",
            "DROP FUNCTION IF EXISTS tasks_copy_to_assignees()",
            "DROP FUNCTION IF EXISTS task_assignees_copy_task()",
        ],
        _ => &[
            "DROP TRIGGER IF EXISTS tasks_copy_to_assignees",
            "DROP TRIGGER IF EXISTS task_assignees_copy_moved_task",
            "DROP TRIGGER IF EXISTS task_assignees_copy_task",
        ],
    }
}

#[derive(DeriveIden)]
enum TaskAssignees {
    Table,
    ProjectId,
    IsOpen,
    DueDate,
    PriorityRank,
}
