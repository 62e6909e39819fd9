//! A task's history in words: the store keeps events, this says each as the sentence the task
//! page shows ("moved it from To do to Done").

use domain::{Activity, ActivityEvent};

/// What the actor did, as a sentence that follows their name.
pub fn sentence(line: &Activity) -> String {
    use ActivityEvent as E;
    // Someone whose account is gone is still someone; their old address is not kept.
    let person = || {
        line.person
            .clone()
            .unwrap_or_else(|| "a former member".to_owned())
    };
    match &line.event {
        E::Created => "created the task".to_owned(),
        E::Renamed { title } => format!("renamed it to “{title}”"),
        E::DescriptionEdited => "edited the description".to_owned(),
        E::Moved { from, to } => format!("moved it from {} to {}", from.label(), to.label()),
        E::PriorityChanged { from, to } => format!(
            "changed the priority from {} to {}",
            from.label(),
            to.label()
        ),
        E::DueDateSet { date } => format!("set the due date to {date}"),
        E::DueDateRemoved => "removed the due date".to_owned(),
        E::SubtaskAdded { title, .. } => format!("added the subtask “{title}”"),
        E::SubtaskChecked { title, .. } => format!("checked “{title}”"),
        E::SubtaskUnchecked { title, .. } => format!("unchecked “{title}”"),
        E::SubtaskRemoved { title, .. } => format!("removed the subtask “{title}”"),
        E::Commented { .. } => "commented".to_owned(),
        E::CommentDeleted { .. } => "deleted a comment".to_owned(),
        E::LabelAdded { name, .. } => format!("added the label “{name}”"),
        E::LabelRemoved { name, .. } => format!("removed the label “{name}”"),
        E::Assigned { .. } => format!("assigned {}", person()),
        E::Unassigned { .. } => format!("unassigned {}", person()),
        E::Legacy { text } => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Status;

    fn line(event: ActivityEvent, person: Option<&str>) -> Activity {
        Activity {
            actor: Some("ana@example.com".to_owned()),
            event,
            person: person.map(str::to_owned),
            at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn events_read_as_the_sentences_the_page_always_showed() {
        let moved = ActivityEvent::Moved {
            from: Status::Todo,
            to: Status::Done,
        };
        assert_eq!(sentence(&line(moved, None)), "moved it from To do to Done");
        let assigned = ActivityEvent::Assigned { user_id: Some(7) };
        assert_eq!(
            sentence(&line(assigned.clone(), Some("bo@example.com"))),
            "assigned bo@example.com"
        );
        assert_eq!(sentence(&line(assigned, None)), "assigned a former member");
    }
}
