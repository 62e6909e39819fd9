use sea_orm_migration::sea_orm::{ConnectionTrait, QueryResult};
use sea_orm_migration::{prelude::*, schema::*};
use std::collections::HashMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A task's history keeps events (a kind, the subtask, comment, label or person it is about,
/// the values before and after) instead of English sentences with email addresses in them.
/// Existing lines are read back into events; a line this cannot read is kept word for word as a
/// `legacy` event. `down` writes the sentences again, with each person's current email.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite alters a table one column at a time.
        for column in [
            string_len(TaskActivities::Kind, 40)
                .default("legacy")
                .to_owned(),
            integer_null(TaskActivities::SubjectId),
            text_null(TaskActivities::OldValue),
            text_null(TaskActivities::NewValue),
        ] {
            alter(manager, Table::alter().add_column(column)).await?;
        }
        let db = manager.get_connection();
        let mut users = HashMap::new();
        for row in all(manager, TaskActivities::Summary).await? {
            let id: i32 = row.try_get("", "id")?;
            let summary: String = row.try_get("", "summary")?;
            let mut event = parse(&summary);
            if let Some(email) = event.email.take() {
                event.subject_id = user_by_email(db, &mut users, &email).await?;
            }
            let update = Query::update()
                .table(TaskActivities::Table)
                .values([
                    (TaskActivities::Kind, event.kind.into()),
                    (TaskActivities::SubjectId, event.subject_id.into()),
                    (TaskActivities::OldValue, event.old_value.into()),
                    (TaskActivities::NewValue, event.new_value.into()),
                ])
                .and_where(Expr::col(TaskActivities::Id).eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        alter(manager, Table::alter().drop_column(TaskActivities::Summary)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let summary = string_len(TaskActivities::Summary, 500)
            .default("")
            .to_owned();
        alter(manager, Table::alter().add_column(summary)).await?;
        let db = manager.get_connection();
        let mut emails = HashMap::new();
        for row in all(manager, TaskActivities::Kind).await? {
            let id: i32 = row.try_get("", "id")?;
            let kind: String = row.try_get("", "kind")?;
            let subject_id: Option<i32> = row.try_get("", "subject_id")?;
            let old_value: Option<String> = row.try_get("", "old_value")?;
            let new_value: Option<String> = row.try_get("", "new_value")?;
            let email = match subject_id {
                Some(user) if kind == "assigned" || kind == "unassigned" => {
                    email_of(db, &mut emails, user).await?
                }
                _ => None,
            };
            let event = Event {
                kind,
                subject_id,
                old_value,
                new_value,
                email,
            };
            let text: String = sentence(&event).chars().take(500).collect();
            let update = Query::update()
                .table(TaskActivities::Table)
                .value(TaskActivities::Summary, text)
                .and_where(Expr::col(TaskActivities::Id).eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        for column in [
            TaskActivities::Kind,
            TaskActivities::SubjectId,
            TaskActivities::OldValue,
            TaskActivities::NewValue,
        ] {
            alter(manager, Table::alter().drop_column(column)).await?;
        }
        Ok(())
    }
}

async fn alter(manager: &SchemaManager<'_>, change: &mut TableAlterStatement) -> Result<(), DbErr> {
    manager
        .alter_table(change.table(TaskActivities::Table).to_owned())
        .await
}

/// Every history row: its id, and the other columns a direction of this migration reads.
async fn all(
    manager: &SchemaManager<'_>,
    first: TaskActivities,
) -> Result<Vec<QueryResult>, DbErr> {
    let mut select = Query::select();
    select
        .column(TaskActivities::Id)
        .from(TaskActivities::Table);
    match first {
        TaskActivities::Summary => {
            select.column(TaskActivities::Summary);
        }
        _ => {
            select.columns([
                TaskActivities::Kind,
                TaskActivities::SubjectId,
                TaskActivities::OldValue,
                TaskActivities::NewValue,
            ]);
        }
    }
    let db = manager.get_connection();
    db.query_all(db.get_database_backend().build(&select)).await
}

async fn user_by_email<C: ConnectionTrait>(
    db: &C,
    known: &mut HashMap<String, Option<i32>>,
    email: &str,
) -> Result<Option<i32>, DbErr> {
    if let Some(id) = known.get(email) {
        return Ok(*id);
    }
    let select = Query::select()
        .column(Users::Id)
        .from(Users::Table)
        .and_where(Expr::col(Users::Email).eq(email))
        .to_owned();
    let found = db
        .query_one(db.get_database_backend().build(&select))
        .await?;
    let id = found.map(|row| row.try_get::<i32>("", "id")).transpose()?;
    known.insert(email.to_owned(), id);
    Ok(id)
}

async fn email_of<C: ConnectionTrait>(
    db: &C,
    known: &mut HashMap<i32, Option<String>>,
    user: i32,
) -> Result<Option<String>, DbErr> {
    if let Some(email) = known.get(&user) {
        return Ok(email.clone());
    }
    let select = Query::select()
        .column(Users::Email)
        .from(Users::Table)
        .and_where(Expr::col(Users::Id).eq(user))
        .to_owned();
    let found = db
        .query_one(db.get_database_backend().build(&select))
        .await?;
    let email = found
        .map(|row| row.try_get::<String>("", "email"))
        .transpose()?;
    known.insert(user, email.clone());
    Ok(email)
}

/// A history line as columns; `email` is the person an assignment names, looked up to an id.
#[derive(Debug, Default, PartialEq, Eq)]
struct Event {
    kind: String,
    subject_id: Option<i32>,
    old_value: Option<String>,
    new_value: Option<String>,
    email: Option<String>,
}

/// The statuses and priorities by the words the sentences used, with their stored keys.
const STATUSES: &[(&str, &str)] = &[
    ("To do", "todo"),
    ("In progress", "in_progress"),
    ("Done", "done"),
];
const PRIORITIES: &[(&str, &str)] = &[
    ("Low", "low"),
    ("Medium", "medium"),
    ("High", "high"),
    ("Urgent", "urgent"),
];

fn key_of(words: &str, table: &[(&str, &str)]) -> Option<String> {
    table
        .iter()
        .find(|(label, _)| *label == words)
        .map(|(_, key)| (*key).to_owned())
}

fn words_of(key: Option<&str>, table: &[(&str, &str)]) -> String {
    let key = key.unwrap_or_default();
    table
        .iter()
        .find(|(_, k)| *k == key)
        .map_or_else(|| key.to_owned(), |(label, _)| (*label).to_owned())
}

/// Reads one of the sentences Taskdeck wrote before events.
fn parse(summary: &str) -> Event {
    let event = |kind: &str, old: Option<String>, new: Option<String>| Event {
        kind: kind.to_owned(),
        old_value: old,
        new_value: new,
        ..Event::default()
    };
    let quoted = |prefix: &str| {
        summary
            .strip_prefix(prefix)?
            .strip_prefix('“')?
            .strip_suffix('”')
            .map(str::to_owned)
    };
    let between = |prefix: &str, table: &[(&str, &str)]| {
        let (from, to) = summary.strip_prefix(prefix)?.split_once(" to ")?;
        Some((key_of(from, table)?, key_of(to, table)?))
    };
    let fixed = match summary {
        "created the task" => Some(event("created", None, None)),
        "edited the description" => Some(event("description_edited", None, None)),
        "removed the due date" => Some(event("due_date_removed", None, None)),
        "commented" => Some(event("commented", None, None)),
        "deleted a comment" => Some(event("comment_deleted", None, None)),
        _ => None,
    };
    let titled = [
        ("renamed it to ", "renamed"),
        ("added the subtask ", "subtask_added"),
        ("unchecked ", "subtask_unchecked"),
        ("checked ", "subtask_checked"),
        ("removed the subtask ", "subtask_removed"),
        ("added the label ", "label_added"),
        ("removed the label ", "label_removed"),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| quoted(prefix).map(|text| event(kind, None, Some(text))));
    let changed = || {
        between("moved it from ", STATUSES)
            .map(|(from, to)| event("moved", Some(from), Some(to)))
            .or_else(|| {
                between("changed the priority from ", PRIORITIES)
                    .map(|(from, to)| event("priority_changed", Some(from), Some(to)))
            })
    };
    let dated = || {
        let date = summary.strip_prefix("set the due date to ")?;
        let shape = date.len() == 10
            && date.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                _ => c.is_ascii_digit(),
            });
        shape.then(|| event("due_date_set", None, Some(date.to_owned())))
    };
    let person = || {
        let (kind, email) = match summary.split_once(' ')? {
            ("assigned", email) => ("assigned", email),
            ("unassigned", email) => ("unassigned", email),
            _ => return None,
        };
        (!email.contains(' ') && email.contains('@')).then(|| Event {
            email: Some(email.to_owned()),
            ..event(kind, None, None)
        })
    };
    fixed
        .or(titled)
        .or_else(changed)
        .or_else(dated)
        .or_else(person)
        .unwrap_or_else(|| event("legacy", None, Some(summary.to_owned())))
}

/// The sentence Taskdeck wrote for an event before events.
fn sentence(event: &Event) -> String {
    let new = event.new_value.clone().unwrap_or_default();
    let person = || event.email.clone().unwrap_or_else(|| "someone".to_owned());
    match event.kind.as_str() {
        "created" => "created the task".to_owned(),
        "renamed" => format!("renamed it to “{new}”"),
        "description_edited" => "edited the description".to_owned(),
        "moved" => format!(
            "moved it from {} to {}",
            words_of(event.old_value.as_deref(), STATUSES),
            words_of(event.new_value.as_deref(), STATUSES)
        ),
        "priority_changed" => format!(
            "changed the priority from {} to {}",
            words_of(event.old_value.as_deref(), PRIORITIES),
            words_of(event.new_value.as_deref(), PRIORITIES)
        ),
        "due_date_set" => format!("set the due date to {new}"),
        "due_date_removed" => "removed the due date".to_owned(),
        "subtask_added" => format!("added the subtask “{new}”"),
        "subtask_checked" => format!("checked “{new}”"),
        "subtask_unchecked" => format!("unchecked “{new}”"),
        "subtask_removed" => format!("removed the subtask “{new}”"),
        "commented" => "commented".to_owned(),
        "comment_deleted" => "deleted a comment".to_owned(),
        "label_added" => format!("added the label “{new}”"),
        "label_removed" => format!("removed the label “{new}”"),
        "assigned" => format!("assigned {}", person()),
        "unassigned" => format!("unassigned {}", person()),
        _ => new,
    }
}

#[derive(DeriveIden)]
enum TaskActivities {
    Table,
    Id,
    Summary,
    Kind,
    SubjectId,
    OldValue,
    NewValue,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentence_taskdeck_wrote_reads_back_into_an_event_and_out_again() {
        for summary in [
            "created the task",
            "renamed it to “Ship it”",
            "edited the description",
            "moved it from To do to Done",
            "moved it from In progress to To do",
            "changed the priority from Low to Urgent",
            "set the due date to 2026-12-01",
            "removed the due date",
            "added the subtask “Write “quoted” tests”",
            "checked “Write tests”",
            "unchecked “Write tests”",
            "removed the subtask “Write tests”",
            "commented",
            "deleted a comment",
            "added the label “bug”",
            "removed the label “bug”",
            "assigned ana@example.com",
            "unassigned ana@example.com",
        ] {
            let event = parse(summary);
            assert_ne!(event.kind, "legacy", "{summary}");
            assert_eq!(sentence(&event), summary);
        }
    }

    #[test]
    fn assignments_keep_the_person_apart_and_unknown_lines_stay_as_written() {
        let event = parse("assigned ana@example.com");
        assert_eq!(event.kind, "assigned");
        assert_eq!(event.email.as_deref(), Some("ana@example.com"));
        assert_eq!(event.new_value, None);
        for odd in [
            "moved it from Doing to Done",
            "set the due date to soon",
            "waved",
        ] {
            let event = parse(odd);
            assert_eq!(
                (event.kind.as_str(), sentence(&event)),
                ("legacy", odd.to_owned())
            );
        }
        assert_eq!(parse("checked “x”").kind, "subtask_checked");
        assert_eq!(parse("unchecked “x”").kind, "subtask_unchecked");
    }
}
