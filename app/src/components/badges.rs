//! What a card or a list row shows besides the title: priority, due date, labels, assignees and
//! checklist progress. Every page uses these, so a card, a list row and My tasks look alike and
//! the style sheet and end-to-end tests find the same classes everywhere.

use chrono::NaiveDate;
use domain::{LabelColour, Priority, Task};
use leptos::prelude::*;

/// The priority pill: `<span class="priority priority-high">High</span>`.
#[component]
pub fn PriorityBadge(priority: Priority) -> impl IntoView {
    view! { <span class=format!("priority priority-{}", priority.as_str())>{priority.label()}</span> }
}

/// "Due 2026-12-01", with the date readable by machines.
#[component]
pub fn DueBadge(date: NaiveDate) -> impl IntoView {
    view! {
        <span class="due">"Due " <DueOn date /></span>
    }
}

/// The bare date, for a column already headed "Due".
#[component]
pub fn DueOn(date: NaiveDate) -> impl IntoView {
    view! { <time datetime=date.to_string()>{date.to_string()}</time> }
}

/// The classes of a label chip in `colour`; the style sheet pairs each with a dark-mode colour.
pub fn label_class(colour: LabelColour) -> String {
    format!("label label-{}", colour.as_str())
}

/// Nothing when the task has no labels, assignees or checklist.
pub fn task_badges(task: &Task) -> Option<AnyView> {
    if task.labels.is_empty() && task.assignees.is_empty() && task.progress.is_empty() {
        return None;
    }
    let labels = task
        .labels
        .iter()
        .map(|label| {
            view! {
                <li class=label_class(label.colour)>{label.name.clone()}</li>
            }
        })
        .collect_view();
    let assignees = task
        .assignees
        .iter()
        .map(|person| {
            view! {
                <li class="assignee" title=person.email.clone()>
                    <span class="visually-hidden">"Assigned to "</span>
                    {person.short_name().to_owned()}
                </li>
            }
        })
        .collect_view();
    let progress = (!task.progress.is_empty()).then(|| {
        let p = task.progress;
        let text = format!("{} of {} subtasks done", p.done, p.total);
        let title = text.clone();
        view! {
            <li class="checklist-progress" title=title>
                <progress max=p.total value=p.done aria-label=text></progress>
                <span aria-hidden="true">{format!("{}/{}", p.done, p.total)}</span>
            </li>
        }
    });
    Some(
        view! {
            <ul class="badges" aria-label="Labels, assignees and checklist">
                {labels}
                {assignees}
                {progress}
            </ul>
        }
        .into_any(),
    )
}
