//! "My tasks": open work across every project the reader is a member of.

use crate::api::tasks::my_tasks;
use crate::components::badges::{task_badges, DueBadge, PriorityBadge};
use crate::components::outcome::failed;
use domain::{MyTasks, ProjectTask};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyTasksPage() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_tasks());
    view! {
        <Title text="My tasks" />
        <h1>"My tasks"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading your tasks…"</p> }>
            {move || Suspend::new(async move {
                match mine.await {
                    Ok(mine) => sections(mine),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

fn sections(mine: MyTasks) -> AnyView {
    let MyTasks {
        overdue,
        due_soon,
        assigned,
    } = mine;
    view! {
        {section("overdue", "Overdue", "Nothing is overdue.", overdue)}
        {section("due-soon", "Due in the next 7 days", "Nothing is due this week.", due_soon)}
        {section("assigned", "Assigned to me", "Nothing open is assigned to you.", assigned)}
    }
    .into_any()
}

fn section(
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    tasks: Vec<ProjectTask>,
) -> impl IntoView {
    let heading_id = format!("{id}-heading");
    let labelled_by = heading_id.clone();
    let count = format!("({})", tasks.len());
    view! {
        <section class="panel" aria-labelledby=labelled_by data-testid=id>
            <h2 id=heading_id>{heading} " " <span class="count">{count}</span></h2>
            {if tasks.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="my-tasks">
                        {tasks
                            .into_iter()
                            .map(|ProjectTask { project, task }| {
                                view! {
                                    <li data-task-id=task.id>
                                        <a class="task-title" href=format!("/tasks/{}", task.id)>{task.title.clone()}</a>
                                        <span class="muted">
                                            " in "
                                            <a href=format!("/projects/{}", task.project_id)>{project}</a>
                                            " · " {task.status.label()}
                                        </span>
                                        <PriorityBadge priority=task.priority />
                                        {task.due_date.map(|date| view! { <DueBadge date /> })}
                                        {task_badges(&task)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
