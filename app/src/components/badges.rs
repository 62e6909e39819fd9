//! What a card or a list row shows besides the title: labels, assignees and checklist progress.

use domain::Task;
use leptos::prelude::*;

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
                <li class=format!("label label-{}", label.colour.as_str())>{label.name.clone()}</li>
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
