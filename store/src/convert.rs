//! Rows into domain values, in one place. A stored value outside the domain's enums can only come
//! from outside Taskdeck; the conversions say so rather than guess (or, where it is harmless,
//! fall back to a default).

use crate::entities::{label, project, saved_view, subtask, task, task_activity};
use crate::error::StoreError;
use domain::{
    ActivityEvent, Label, LabelColour, Priority, Project, Role, SavedView, Status, Subtask, Task,
};

/// A database value Taskdeck would never have written.
fn corrupt(what: String) -> StoreError {
    StoreError::Database(sea_orm::DbErr::Type(what))
}

/// The task's own fields; the card dressing (`parts::cards`) adds what its card shows.
pub(crate) fn to_task(model: task::Model) -> Result<Task, StoreError> {
    let unknown = |what: &str, value: &str| {
        corrupt(format!("task {} has unknown {what} {value:?}", model.id))
    };
    let status = Status::parse(&model.status).map_err(|_| unknown("status", &model.status))?;
    let priority =
        Priority::parse(&model.priority).map_err(|_| unknown("priority", &model.priority))?;
    Ok(Task {
        id: model.id,
        project_id: model.project_id,
        title: model.title,
        description: model.description,
        status,
        priority,
        due_date: model.due_date,
        position: model.position,
        labels: Vec::new(),
        assignees: Vec::new(),
        progress: domain::Progress::default(),
    })
}

pub(crate) fn to_label(model: label::Model) -> Label {
    Label {
        id: model.id,
        name: model.name,
        // A colour outside the palette can only come from outside Taskdeck; grey is harmless.
        colour: LabelColour::parse(&model.colour).unwrap_or_default(),
    }
}

pub(crate) fn to_project(model: project::Model, role: Role) -> Project {
    Project {
        id: model.id,
        name: model.name,
        role,
    }
}

pub(crate) fn parse_role(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).map_err(|_| corrupt(format!("unknown project role {raw:?}")))
}

pub(crate) fn to_subtask(model: subtask::Model) -> Subtask {
    Subtask {
        id: model.id,
        title: model.title,
        done: model.done,
    }
}

pub(crate) fn to_view(model: saved_view::Model) -> SavedView {
    SavedView {
        id: model.id,
        name: model.name,
        query: model.query,
    }
}

/// An event as its `task_activities` columns: kind, subject id, old value, new value.
pub(crate) struct EventRow {
    pub kind: &'static str,
    pub subject_id: Option<i32>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub(crate) fn event_row(event: &ActivityEvent) -> EventRow {
    use ActivityEvent as E;
    let row = |kind, subject_id, old: Option<&str>, new: Option<&str>| EventRow {
        kind,
        subject_id,
        old_value: old.map(str::to_owned),
        new_value: new.map(str::to_owned),
    };
    match event {
        E::Created => row("created", None, None, None),
        E::Renamed { title } => row("renamed", None, None, Some(title)),
        E::DescriptionEdited => row("description_edited", None, None, None),
        E::Moved { from, to } => row("moved", None, Some(from.as_str()), Some(to.as_str())),
        E::PriorityChanged { from, to } => row(
            "priority_changed",
            None,
            Some(from.as_str()),
            Some(to.as_str()),
        ),
        E::DueDateSet { date } => row("due_date_set", None, None, Some(&date.to_string())),
        E::DueDateRemoved => row("due_date_removed", None, None, None),
        E::SubtaskAdded { subtask_id, title } => {
            row("subtask_added", *subtask_id, None, Some(title))
        }
        E::SubtaskChecked { subtask_id, title } => {
            row("subtask_checked", *subtask_id, None, Some(title))
        }
        E::SubtaskUnchecked { subtask_id, title } => {
            row("subtask_unchecked", *subtask_id, None, Some(title))
        }
        E::SubtaskRemoved { subtask_id, title } => {
            row("subtask_removed", *subtask_id, None, Some(title))
        }
        E::Commented { comment_id } => row("commented", *comment_id, None, None),
        E::CommentDeleted { comment_id } => row("comment_deleted", *comment_id, None, None),
        E::LabelAdded { label_id, name } => row("label_added", *label_id, None, Some(name)),
        E::LabelRemoved { label_id, name } => row("label_removed", *label_id, None, Some(name)),
        E::Assigned { user_id } => row("assigned", *user_id, None, None),
        E::Unassigned { user_id } => row("unassigned", *user_id, None, None),
        E::Legacy { text } => row("legacy", None, None, Some(text)),
    }
}

/// The event a history row keeps. A row Taskdeck could not have written is shown as it is
/// (its kind and values) rather than refused: one odd line must not hide a task's page.
pub(crate) fn to_event(row: &task_activity::Model) -> ActivityEvent {
    use ActivityEvent as E;
    let subject = row.subject_id;
    let new = row.new_value.clone();
    let text = || new.clone().unwrap_or_default();
    let statuses = || {
        Some((
            Status::parse(row.old_value.as_deref()?).ok()?,
            Status::parse(row.new_value.as_deref()?).ok()?,
        ))
    };
    let priorities = || {
        Some((
            Priority::parse(row.old_value.as_deref()?).ok()?,
            Priority::parse(row.new_value.as_deref()?).ok()?,
        ))
    };
    let known = match row.kind.as_str() {
        "created" => Some(E::Created),
        "renamed" => Some(E::Renamed { title: text() }),
        "description_edited" => Some(E::DescriptionEdited),
        "moved" => statuses().map(|(from, to)| E::Moved { from, to }),
        "priority_changed" => priorities().map(|(from, to)| E::PriorityChanged { from, to }),
        "due_date_set" => new
            .as_deref()
            .and_then(|d| d.parse().ok())
            .map(|date| E::DueDateSet { date }),
        "due_date_removed" => Some(E::DueDateRemoved),
        "subtask_added" => Some(E::SubtaskAdded {
            subtask_id: subject,
            title: text(),
        }),
        "subtask_checked" => Some(E::SubtaskChecked {
            subtask_id: subject,
            title: text(),
        }),
        "subtask_unchecked" => Some(E::SubtaskUnchecked {
            subtask_id: subject,
            title: text(),
        }),
        "subtask_removed" => Some(E::SubtaskRemoved {
            subtask_id: subject,
            title: text(),
        }),
        "commented" => Some(E::Commented {
            comment_id: subject,
        }),
        "comment_deleted" => Some(E::CommentDeleted {
            comment_id: subject,
        }),
        "label_added" => Some(E::LabelAdded {
            label_id: subject,
            name: text(),
        }),
        "label_removed" => Some(E::LabelRemoved {
            label_id: subject,
            name: text(),
        }),
        "assigned" => Some(E::Assigned { user_id: subject }),
        "unassigned" => Some(E::Unassigned { user_id: subject }),
        "legacy" => Some(E::Legacy { text: text() }),
        _ => None,
    };
    known.unwrap_or_else(|| E::Legacy {
        text: format!(
            "{} {}",
            row.kind,
            [row.old_value.as_deref(), row.new_value.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" → ")
        )
        .trim()
        .to_owned(),
    })
}
