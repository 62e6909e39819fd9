//! A project's tasks as a list: filtered by status, priority, label, assignee and due date,
//! searched, sorted, and saved as named views.
//! Everything the view shows is in its URL (a plain GET form), so it can be bookmarked and sent
//! to a teammate, and it works with JavaScript off.

use super::route_id;
use crate::api::tasks::list_tasks;
use crate::api::views::{DeleteView, SaveView};
use crate::components::badges::{task_badges, DueOn, PriorityBadge};
use crate::components::form::{field_error, last_error, typed_or, Field, FormMessage};
use crate::components::live::{follow_project, LiveBoard};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{
    AssigneeFilter, DueWindow, Label, Person, Priority, SavedView, SortOrder, Status, TaskFilter,
    TaskList, ViewName,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ListPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let project_id = move || params.with(route_id);
    let live = LiveBoard::new();
    follow_project(project_id, live);
    // One read gives the page everything (so a stranger learns nothing, not even the id
    // back); the controls then stay put: a live update re-reads the results and leaves what is
    // being typed alone.
    let first = Resource::new(project_id, move |id| {
        let filter = query.with_untracked(|q| TaskFilter::from_query(|key| q.get(key)));
        async move {
            match id {
                Some(id) => list_tasks(id, filter).await,
                None => Err(AppError::NotFound),
            }
        }
    });
    view! {
        <Title text="Tasks" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the tasks…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(first) => {
                        let shown = query
                            .with_untracked(|q| TaskFilter::from_query(|key| q.get(key)));
                        let project = first.project.clone();
                        let (labels, members) = (first.labels.clone(), first.members.clone());
                        view! {
                            <Title text=format!("Tasks · {}", project.name) />
                            <div class="board-header">
                                <h1>{project.name.clone()}</h1>
                                <ViewSwitch project_id=project.id current="list" />
                            </div>
                            <Filters shown labels members />
                            <Listing project_id=project.id live first />
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
///
/// `first` is the page's own read: the first listing shows it rather than reading it again.
#[component]
fn Listing(project_id: i32, live: LiveBoard, first: TaskList) -> impl IntoView {
    let first = StoredValue::new(Some(first));
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| TaskFilter::from_query(|key| q.get(key))));
    let save = ServerAction::<SaveView>::new();
    let delete = ServerAction::<DeleteView>::new();
    // Filters change by page loads (see `Filters`); back and forward still change the URL in
    // place. A new filter then gets a listing (and a read) of its own rather than changing the
    // source of a read that may be under way, which Leptos 0.8 can leave unread.
    move || {
        let filter = filter.get();
        let first = first.try_update_value(Option::take).flatten();
        view! { <FilteredListing project_id live filter save delete first /> }
    }
}

/// One filter's results, read again on every change of the project or of the saved views.
#[component]
fn FilteredListing(
    project_id: i32,
    live: LiveBoard,
    filter: TaskFilter,
    save: ServerAction<SaveView>,
    delete: ServerAction<DeleteView>,
    first: Option<TaskList>,
) -> impl IntoView {
    let asked = filter.clone();
    let changes = move || (live.version(), save.version().get(), delete.version().get());
    let unchanged = untrack(changes);
    let first = StoredValue::new(first);
    let list = Resource::new(changes, move |seen| {
        let known = if seen == unchanged {
            first.get_value()
        } else {
            None
        };
        let asked = asked.clone();
        async move {
            match known {
                Some(list) => Ok(list),
                None => list_tasks(project_id, asked).await,
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the tasks…"</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(list) => {
                            // Known to be current: the stream's first event (this same
                            // revision) then asks for nothing.
                            live.showing(list.revision);
                            let views = list.views.clone();
                            view! {
                                <SavedViews project_id views filter=filter.clone() save delete />
                                <Results list filter />
                            }
                                .into_any()
                        }
                        Err(e) => failed(e),
                    }
                })
            }}
        </Transition>
    }
}

/// The reader's saved views of this project, and a form that saves the one on screen.
#[component]
fn SavedViews(
    project_id: i32,
    views: Vec<SavedView>,
    filter: TaskFilter,
    save: ServerAction<SaveView>,
    delete: ServerAction<DeleteView>,
) -> impl IntoView {
    let save_error = last_error(save);
    let delete_error = last_error(delete);
    let current = filter.to_query();
    let here = format!("/projects/{project_id}/list");
    view! {
        <section class="panel saved-views" aria-labelledby="saved-views-heading">
            <h2 id="saved-views-heading">"Saved views"</h2>
            {if views.is_empty() {
                view! { <p class="muted">"None yet. Save the filters on screen to come back to them."</p> }
                    .into_any()
            } else {
                view! {
                    <ul class="view-list">
                        {views
                            .into_iter()
                            .map(|view| {
                                let href = if view.query.is_empty() {
                                    here.clone()
                                } else {
                                    format!("{here}?{}", view.query)
                                };
                                let current_view = view.query == current;
                                view! {
                                    <li data-testid="saved-view">
                                        // A page load, like the filter form's.
                                        <a
                                            href=href
                                            rel="external"
                                            aria-current=current_view.then_some("page")
                                        >
                                            {view.name.clone()}
                                        </a>
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="id" value=view.id />
                                            <button
                                                type="submit"
                                                class="chip"
                                                aria-label=format!("Delete the view “{}”", view.name)
                                            >
                                                "×"
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <FormMessage error=delete_error />
            <ActionForm action=save attr:class="inline-form save-view" attr:novalidate=true>
                <input type="hidden" name="project_id" value=project_id />
                <input type="hidden" name="query" value=current.clone() />
                <Field
                    id="view-name"
                    label="Save these filters as"
                    name=ViewName::FIELD
                    value=typed_or(save_error, ViewName::FIELD, String::new())
                    error=field_error(save_error, ViewName::FIELD)
                />
                <button type="submit" class="button secondary">
                    "Save view"
                </button>
            </ActionForm>
            <FormMessage error=save_error />
        </section>
    }
}

/// The filter form, filled in from the URL. A GET form: submitting it is a new URL.
#[component]
fn Filters(shown: TaskFilter, labels: Vec<Label>, members: Vec<Person>) -> impl IntoView {
    let by_label = shown.label.map(|id| id.to_string());
    let by_assignee = shown.assignee.map(AssigneeFilter::as_param);
    let labels: Vec<(String, String)> = labels
        .into_iter()
        .map(|l| (l.id.to_string(), l.name))
        .collect();
    let mut people = vec![
        ("me".to_owned(), "Me".to_owned()),
        ("none".to_owned(), "Nobody".to_owned()),
    ];
    people.extend(
        members
            .into_iter()
            .map(|m| (m.user_id.to_string(), m.email)),
    );
    view! {
        <section class="panel">
            // A plain GET form: every filter is a page load of its own, rendered on the server.
            // (Filtering by client-side navigation raced the list's own hydration: a filter
            // applied before the results had hydrated kept the old results.)
            <form method="get" action="" class="filters" role="search">
                <div class="field">
                    <label for="task-search">"Search"</label>
                    <input
                        id="task-search"
                        name=TaskFilter::SEARCH_FIELD
                        type="search"
                        value=shown.search.clone()
                        maxlength=TaskFilter::MAX_SEARCH_CHARS
                    />
                </div>
                <Choice
                    id="filter-status"
                    label="Status"
                    name=Status::FIELD
                    any="Any status"
                    options=owned(Status::ALL.map(|s| (s.as_str(), s.label())))
                    chosen=shown.status.map(|s| s.as_str().to_owned())
                />
                <Choice
                    id="filter-priority"
                    label="Priority"
                    name=Priority::FIELD
                    any="Any priority"
                    options=owned(Priority::ALL.map(|p| (p.as_str(), p.label())))
                    chosen=shown.priority.map(|p| p.as_str().to_owned())
                />
                <Choice
                    id="filter-due"
                    label="Due"
                    name=DueWindow::FIELD
                    any="Any due date"
                    options=owned(DueWindow::ALL.map(|d| (d.as_str(), d.label())))
                    chosen=shown.due.map(|d| d.as_str().to_owned())
                />
                <Choice
                    id="filter-label"
                    label="Label"
                    name=TaskFilter::LABEL_FIELD
                    any="Any label"
                    options=labels
                    chosen=by_label
                />
                <Choice
                    id="filter-assignee"
                    label="Assignee"
                    name=AssigneeFilter::FIELD
                    any="Anyone"
                    options=people
                    chosen=by_assignee
                />
                <div class="field">
                    <label for="filter-sort">"Sort by"</label>
                    <select id="filter-sort" name=SortOrder::FIELD>
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
            </form>
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

fn owned<const N: usize>(options: [(&str, &str); N]) -> Vec<(String, String)> {
    options
        .into_iter()
        .map(|(value, text)| (value.to_owned(), text.to_owned()))
        .collect()
}

/// A select with an "any" choice first.
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    chosen: Option<String>,
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
                            <option value=value.clone() selected=chosen.as_ref() == Some(&value)>
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
        revision: _,
        tasks,
        total,
        views: _,
        labels: _,
        members: _,
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
                                <th scope="col">"Details"</th>
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
                                                    {task.title.clone()}
                                                </a>
                                            </td>
                                            <td>{task.status.label()}</td>
                                            <td>
                                                <PriorityBadge priority=task.priority />
                                            </td>
                                            <td>{task.due_date.map(|date| view! { <DueOn date /> })}</td>
                                            <td>{task_badges(&task)}</td>
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
