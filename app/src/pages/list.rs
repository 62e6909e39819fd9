//! A project's tasks as a list: filtered by status, priority and due date, searched, sorted.
//! Everything the view shows is in its URL (a plain GET form), so it can be bookmarked and sent
//! to a teammate, and it works with JavaScript off.

use super::route_id;
use crate::api::projects::get_project;
use crate::api::tasks::{list_tasks, TaskList};
use crate::components::live::{follow_project, LiveBoard};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{DueWindow, Priority, SortOrder, Status, TaskFilter};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let project_id = move || params.with(route_id);
    let live = LiveBoard::new();
    follow_project(project_id, live);
    // The controls wait for the project (so a stranger learns nothing, not even the id back),
    // then stay put: a live update re-reads the results and leaves what is being typed alone.
    let project = Resource::new(project_id, |id| async move {
        match id {
            Some(id) => get_project(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text="Tasks" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the tasks…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(project) => {
                        let shown = query
                            .with_untracked(|q| TaskFilter::from_query(|key| q.get(key)));
                        view! {
                            <Title text=format!("Tasks · {}", project.name) />
                            <div class="board-header">
                                <h1>{project.name.clone()}</h1>
                                <ViewSwitch project_id=project.id current="list" />
                            </div>
                            <Filters shown />
                            <Listing project_id=project.id live />
                        }
                            .into_any()
                    }
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

/// The results, read again on every change of the URL's filter or of the project.
#[component]
fn Listing(project_id: i32, live: LiveBoard) -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.with(|q| TaskFilter::from_query(|key| q.get(key)));
    let list = Resource::new(
        move || (filter(), live.version()),
        move |(filter, _)| list_tasks(project_id, filter),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the tasks…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Results list filter=filter() /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Transition>
    }
}

/// The filter form, filled in from the URL. A GET form: submitting it is a new URL.
#[component]
fn Filters(shown: TaskFilter) -> impl IntoView {
    view! {
        <section class="panel">
            <Form method="GET" action="" attr:class="filters" attr:role="search">
                <div class="field">
                    <label for="task-search">"Search"</label>
                    <input
                        id="task-search"
                        name="q"
                        type="search"
                        value=shown.search.clone()
                        maxlength=TaskFilter::MAX_SEARCH_CHARS
                    />
                </div>
                <Choice
                    id="filter-status"
                    label="Status"
                    name="status"
                    any="Any status"
                    options=Status::ALL.map(|s| (s.as_str(), s.label())).to_vec()
                    chosen=shown.status.map(Status::as_str)
                />
                <Choice
                    id="filter-priority"
                    label="Priority"
                    name="priority"
                    any="Any priority"
                    options=Priority::ALL.map(|p| (p.as_str(), p.label())).to_vec()
                    chosen=shown.priority.map(Priority::as_str)
                />
                <Choice
                    id="filter-due"
                    label="Due"
                    name="due"
                    any="Any due date"
                    options=DueWindow::ALL.map(|d| (d.as_str(), d.label())).to_vec()
                    chosen=shown.due.map(DueWindow::as_str)
                />
                <div class="field">
                    <label for="filter-sort">"Sort by"</label>
                    <select id="filter-sort" name="sort">
                        {SortOrder::ALL
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=s == shown.sort>
                                        {s.label()}
                                    </option>
                                }
                            })}
                    </select>
                </div>
                <button type="submit" class="button">
                    "Apply"
                </button>
            </Form>
        </section>
    }
}

/// Links between a project's board and its list.
#[component]
pub fn ViewSwitch(project_id: i32, current: &'static str) -> impl IntoView {
    view! {
        <nav class="view-switch" aria-label="Views">
            <a
                href=format!("/projects/{project_id}")
                aria-current=(current == "board").then_some("page")
            >
                "Board"
            </a>
            <a
                href=format!("/projects/{project_id}/list")
                aria-current=(current == "list").then_some("page")
            >
                "List"
            </a>
        </nav>
    }
}

/// A select with an "any" choice first.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    any: &'static str,
    options: Vec<(&'static str, &'static str)>,
    chosen: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="" selected=chosen.is_none()>
                    {any}
                </option>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        view! {
                            <option value=value selected=chosen == Some(value)>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Results(list: TaskList, filter: TaskFilter) -> impl IntoView {
    let TaskList {
        project: _,
        tasks,
        total,
    } = list;
    let summary = match (total, filter.narrows()) {
        (0, true) => "No task matches these filters.".to_owned(),
        (0, false) => "This project has no tasks yet.".to_owned(),
        (1, _) => "1 task".to_owned(),
        (n, _) if n > tasks.len() as u64 => {
            format!("{n} tasks; the first {} are shown", tasks.len())
        }
        (n, _) => format!("{n} tasks"),
    };
    view! {
        <p class="list-summary" role="status">
            {summary}
        </p>
        {(!tasks.is_empty())
            .then(|| {
                view! {
                    <table class="task-list">
                        <thead>
                            <tr>
                                <th scope="col">"Task"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Priority"</th>
                                <th scope="col">"Due"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {tasks
                                .into_iter()
                                .map(|task| {
                                    view! {
                                        <tr data-task-id=task.id>
                                            <td>
                                                <a class="task-title" href=format!("/tasks/{}", task.id)>
                                                    {task.title}
                                                </a>
                                            </td>
                                            <td>{task.status.label()}</td>
                                            <td>
                                                <span class=format!(
                                                    "priority priority-{}",
                                                    task.priority.as_str(),
                                                )>{task.priority.label()}</span>
                                            </td>
                                            <td>
                                                {task
                                                    .due_date
                                                    .map(|date| {
                                                        view! {
                                                            <time datetime=date.to_string()>{date.to_string()}</time>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
            })}
    }
}
