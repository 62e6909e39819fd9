use super::route_id;
use crate::api::checklists::{AddSubtask, CheckSubtask, DeleteSubtask};
use crate::api::comments::{AddComment, DeleteComment};
use crate::api::labels::SetTaskLabel;
use crate::api::tasks::{task_details, DeleteTask, SetAssignee, UpdateTask};
use crate::components::badges::label_class;
use crate::components::form::{
    field_error, last_error, typed_or, typed_until_saved, Field, FieldMessage, FormMessage,
    TextArea,
};
use crate::components::history::sentence;
use crate::components::lazy_links::PAGE_LOAD;
use crate::components::live::{follow_project, LiveBoard};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{
    CommentBody, Description, DueDate, Priority, Role, Status, SubtaskTitle, Task, TaskDetails,
    TaskTitle,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let task = Resource::new(
        move || params.with(route_id),
        |id| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound);
            };
            task_details(id).await
        },
    );
    view! {
        <Title text="Task" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the task…"</p> }>
            {move || Suspend::new(async move {
                match task.await {
                    Ok(details) => {
                        // The role decides whether the form can be used at all.
                        let (task, role) = (details.task.clone(), details.role);
                        view! {
                            <TaskForm task role />
                            <TaskExtras first=details />
                        }
                            .into_any()
                    }
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TaskForm(task: Task, role: Role) -> impl IntoView {
    let read_only = !role.can_edit();
    let update = ServerAction::<UpdateTask>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let error = last_error(update);
    let delete_error = last_error(delete);
    let description = typed_or(error, Description::FIELD, task.description.clone());
    let status = typed_or(error, Status::FIELD, task.status.as_str().to_owned());
    let priority = typed_or(error, Priority::FIELD, task.priority.as_str().to_owned());
    let due = task.due_date.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <p>
            <a href=format!("/projects/{}", task.project_id)>"Back to board"</a>
        </p>
        <section class="panel">
            <h1>{if read_only { "Task" } else { "Edit task" }}</h1>
            <Show when=move || read_only>
                <p class="notice" role="status">"You can view this project but not change it."</p>
            </Show>
            <ActionForm action=update attr:class="stack" attr:novalidate=true>
                <fieldset class="plain" disabled=read_only>
                <input type="hidden" name="id" value=task.id />
                <Field
                    id="task-title"
                    label="Title"
                    name=TaskTitle::FIELD
                    value=typed_or(error, TaskTitle::FIELD, task.title.clone())
                    error=field_error(error, TaskTitle::FIELD)
                />
                <TextArea
                    id="task-description"
                    label="Description"
                    name=Description::FIELD
                    value=description
                    error=field_error(error, Description::FIELD)
                />
                <div class="field-row">
                    <div class="field">
                        <label for="task-status">"Status"</label>
                        <select id="task-status" name=Status::FIELD>
                            {Status::ALL
                                .map(|s| {
                                    view! {
                                        <option
                                            value=s.as_str()
                                            selected=move || status.get() == s.as_str()
                                        >
                                            {s.label()}
                                        </option>
                                    }
                                })}
                        </select>
                        <FieldMessage
                            id="task-status-error".to_owned()
                            error=field_error(error, Status::FIELD)
                        />
                    </div>
                    <div class="field">
                        <label for="task-priority">"Priority"</label>
                        <select id="task-priority" name=Priority::FIELD>
                            {Priority::ALL
                                .map(|p| {
                                    view! {
                                        <option
                                            value=p.as_str()
                                            selected=move || priority.get() == p.as_str()
                                        >
                                            {p.label()}
                                        </option>
                                    }
                                })}
                        </select>
                        <FieldMessage
                            id="task-priority-error".to_owned()
                            error=field_error(error, Priority::FIELD)
                        />
                    </div>
                    <Field
                        id="task-due-date"
                        label="Due date"
                        name=DueDate::FIELD
                        kind="date"
                        value=typed_or(error, DueDate::FIELD, due)
                        error=field_error(error, DueDate::FIELD)
                    />
                </div>
                <FormMessage error />
                <Show when=move || !read_only>
                    <button type="submit" class="button">
                        "Save task"
                    </button>
                </Show>
                </fieldset>
            </ActionForm>
        </section>
        <Show when=move || !read_only>
            <section class="panel danger-zone">
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=task.id />
                    <FormMessage error=delete_error />
                    <button type="submit" class="button danger">
                        "Delete task"
                    </button>
                </ActionForm>
            </section>
        </Show>
    }
}

/// Every action on the task's labels, assignees, checklist and comments; each one makes the
/// extras read again.
#[derive(Clone, Copy)]
struct ExtraActions {
    label: ServerAction<SetTaskLabel>,
    assignee: ServerAction<SetAssignee>,
    add_subtask: ServerAction<AddSubtask>,
    check_subtask: ServerAction<CheckSubtask>,
    delete_subtask: ServerAction<DeleteSubtask>,
    add_comment: ServerAction<AddComment>,
    delete_comment: ServerAction<DeleteComment>,
}

impl ExtraActions {
    fn new() -> Self {
        Self {
            label: ServerAction::new(),
            assignee: ServerAction::new(),
            add_subtask: ServerAction::new(),
            check_subtask: ServerAction::new(),
            delete_subtask: ServerAction::new(),
            add_comment: ServerAction::new(),
            delete_comment: ServerAction::new(),
        }
    }

    fn versions(self) -> [usize; 7] {
        [
            self.label.version().get(),
            self.assignee.version().get(),
            self.add_subtask.version().get(),
            self.check_subtask.version().get(),
            self.delete_subtask.version().get(),
            self.add_comment.version().get(),
            self.delete_comment.version().get(),
        ]
    }
}

/// Labels, assignees, checklist, comments and history. Each change is a small plain form, so
/// all of it works with JavaScript off. Hydrated, the lists read themselves again after each
/// change, here or by anyone else (the page follows the project live), while the forms stay put:
/// a comment or subtask being typed survives a teammate's change.
///
/// `first` is what the page read to render the form: the lists start from it and read again only
/// after a change, so a page render reads the task once.
#[component]
fn TaskExtras(first: TaskDetails) -> impl IntoView {
    let (task_id, project_id, role) = (first.task.id, first.task.project_id, first.role);
    let actions = ExtraActions::new();
    let live = LiveBoard::new();
    follow_project(move || Some(project_id), live);
    let changes = move || (actions.versions(), live.version());
    let unchanged = untrack(changes);
    let first = StoredValue::new(first);
    let details = Resource::new(changes, move |seen| {
        let known = (seen == unchanged).then(|| first.get_value());
        async move {
            match known {
                Some(details) => Ok(details),
                None => task_details(task_id).await,
            }
        }
    });
    let can_edit = role.can_edit();
    let subtask_error = last_error(actions.add_subtask);
    let comment_error = last_error(actions.add_comment);
    // Each list reads the same answer; a failure (the task was deleted meanwhile) is told once.
    let fresh = move |render: fn(TaskDetails, ExtraActions) -> AnyView,
                      on_error: fn(AppError) -> AnyView| {
        view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => {
                            live.showing(details.revision);
                            render(details, actions)
                        }
                        Err(e) => on_error(e),
                    }
                })}
            </Transition>
        }
    };
    view! {
        <div class="task-extras">
            <section class="panel" aria-labelledby="labels-heading">
                <h2 id="labels-heading">"Labels"</h2>
                {fresh(labels_of, failed)}
                <FormMessage error=last_error(actions.label) />
            </section>
            <section class="panel" aria-labelledby="assignees-heading">
                <h2 id="assignees-heading">"Assignees"</h2>
                {fresh(assignees_of, said_once)}
                <FormMessage error=last_error(actions.assignee) />
            </section>
            <section class="panel" aria-labelledby="checklist-heading">
                <h2 id="checklist-heading">"Checklist"</h2>
                {fresh(checklist_of, said_once)}
                <FormMessage error=last_error(actions.check_subtask) />
                <FormMessage error=last_error(actions.delete_subtask) />
                {can_edit.then(|| view! {
                    <ActionForm action=actions.add_subtask attr:class="inline-form add-subtask" attr:novalidate=true>
                        <input type="hidden" name="task_id" value=task_id />
                        <Field
                            id="subtask-title"
                            label="Add a subtask"
                            name=SubtaskTitle::FIELD
                            value=typed_until_saved(actions.add_subtask, SubtaskTitle::FIELD)
                            error=field_error(subtask_error, SubtaskTitle::FIELD)
                        />
                        <button type="submit" class="button secondary">"Add"</button>
                    </ActionForm>
                    <FormMessage error=subtask_error />
                })}
            </section>
            <section class="panel" aria-labelledby="comments-heading">
                <h2 id="comments-heading">"Comments"</h2>
                {fresh(comments_of, said_once)}
                <FormMessage error=last_error(actions.delete_comment) />
                {can_edit.then(|| view! {
                    <ActionForm action=actions.add_comment attr:class="stack" attr:novalidate=true>
                        <input type="hidden" name="task_id" value=task_id />
                        <TextArea
                            id="comment-body"
                            label="Add a comment"
                            name=CommentBody::FIELD
                            rows=4
                            value=typed_until_saved(actions.add_comment, CommentBody::FIELD)
                            error=field_error(comment_error, CommentBody::FIELD)
                        />
                        <p class="muted">"Markdown works: **bold**, _italic_, `code`, lists and links."</p>
                        <FormMessage error=comment_error />
                        <button type="submit" class="button">"Comment"</button>
                    </ActionForm>
                })}
            </section>
            <section class="panel" aria-labelledby="activity-heading">
                <h2 id="activity-heading">"Activity"</h2>
                {fresh(history_of, said_once)}
            </section>
        </div>
    }
}

/// Renders nothing for an error the first list already shows.
fn said_once(_: AppError) -> AnyView {
    ().into_any()
}

fn labels_of(details: TaskDetails, actions: ExtraActions) -> AnyView {
    let TaskDetails {
        task, role, labels, ..
    } = details;
    if labels.is_empty() {
        return view! {
            <p class="muted">
                "This project has no labels yet. "
                {role.can_edit().then(|| view! {
                    <a href=format!("/projects/{}/settings#labels", task.project_id) rel=PAGE_LOAD>"Make some in the project settings."</a>
                })}
            </p>
        }
        .into_any();
    }
    let items = labels
        .into_iter()
        .map(|label| {
            let on = task.labels.iter().any(|l| l.id == label.id);
            let class = label_class(label.colour);
            if !role.can_edit() {
                return on
                    .then(|| view! { <li class=class>{label.name}</li> })
                    .into_any();
            }
            view! {
                <li>
                    <ActionForm action=actions.label attr:class="inline-form">
                        <input type="hidden" name="id" value=task.id />
                        <input type="hidden" name="label_id" value=label.id />
                        <input type="hidden" name="applied" value=(!on).to_string() />
                        <button type="submit" class=format!("{class} toggle") aria-pressed=on.to_string()>
                            {label.name}
                        </button>
                    </ActionForm>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! { <ul class="badges" data-testid="task-labels">{items}</ul> }.into_any()
}

fn assignees_of(details: TaskDetails, actions: ExtraActions) -> AnyView {
    let TaskDetails {
        task,
        role,
        members,
        ..
    } = details;
    if !role.can_edit() {
        if task.assignees.is_empty() {
            return view! { <p class="muted">"Nobody is assigned."</p> }.into_any();
        }
        let names = task
            .assignees
            .into_iter()
            .map(|person| view! { <li class="assignee">{person.email}</li> })
            .collect_view();
        return view! { <ul class="badges" data-testid="task-assignees">{names}</ul> }.into_any();
    }
    let items = members
        .into_iter()
        .map(|person| {
            let on = task.assignees.iter().any(|p| p.user_id == person.user_id);
            view! {
                <li>
                    <ActionForm action=actions.assignee attr:class="inline-form">
                        <input type="hidden" name="id" value=task.id />
                        <input type="hidden" name="user_id" value=person.user_id />
                        <input type="hidden" name="assigned" value=(!on).to_string() />
                        <button type="submit" class="chip toggle" aria-pressed=on.to_string()>
                            {person.email}
                        </button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="badges" data-testid="task-assignees">{items}</ul> }.into_any()
}

fn checklist_of(details: TaskDetails, actions: ExtraActions) -> AnyView {
    let TaskDetails {
        task,
        role,
        subtasks,
        ..
    } = details;
    let progress = task.progress;
    let bar = (!progress.is_empty()).then(|| {
        let text = format!("{} of {} done", progress.done, progress.total);
        let label = text.clone();
        view! {
            <p class="checklist-progress">
                <progress max=progress.total value=progress.done aria-label=label></progress>
                " " {text}
            </p>
        }
    });
    let items = subtasks
        .into_iter()
        .map(|subtask| {
            let mark = if subtask.done { "☑" } else { "☐" };
            let title = subtask.title.clone();
            if !role.can_edit() {
                return view! {
                    <li class:done=subtask.done>
                        <span aria-hidden="true">{mark}" "</span>
                        <span class="visually-hidden">{if subtask.done { "Done: " } else { "To do: " }}</span>
                        {title}
                    </li>
                }
                .into_any();
            }
            let delete_label = format!("Delete the subtask “{title}”");
            view! {
                <li class:done=subtask.done data-testid="subtask">
                    <ActionForm action=actions.check_subtask attr:class="inline-form">
                        <input type="hidden" name="id" value=subtask.id />
                        <input type="hidden" name="done" value=(!subtask.done).to_string() />
                        <button type="submit" class="check" aria-pressed=subtask.done.to_string()>
                            <span aria-hidden="true">{mark}" "</span>
                            {title}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.delete_subtask attr:class="inline-form">
                        <input type="hidden" name="id" value=subtask.id />
                        <button type="submit" class="chip" aria-label=delete_label>
                            "×"
                        </button>
                    </ActionForm>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        {bar}
        <ul class="checklist">{items}</ul>
    }
    .into_any()
}

fn comments_of(details: TaskDetails, actions: ExtraActions) -> AnyView {
    let TaskDetails {
        role,
        reader,
        comments,
        ..
    } = details;
    if comments.is_empty() {
        return view! { <p class="muted">"No comments yet."</p> }.into_any();
    }
    let items = comments
        .into_iter()
        .map(|comment| {
            let mine = comment.author_id == Some(reader);
            let may_delete = role.can_edit() && (mine || role.can_manage());
            view! {
                <li class="comment" data-testid="comment">
                    <p class="comment-meta">
                        <strong>{comment.author.clone().unwrap_or_else(|| "A former member".to_owned())}</strong>
                        " · "
                        {when(comment.created_at)}
                    </p>
                    <div class="comment-body" inner_html=comment.html></div>
                    {may_delete.then(|| view! {
                        <ActionForm action=actions.delete_comment attr:class="inline-form">
                            <input type="hidden" name="id" value=comment.id />
                            <button type="submit" class="chip">"Delete comment"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="comments">{items}</ol> }.into_any()
}

fn history_of(details: TaskDetails, _: ExtraActions) -> AnyView {
    let items = details
        .activity
        .into_iter()
        .map(|line| {
            let said = sentence(&line);
            view! {
                <li>
                    <strong>{line.actor.unwrap_or_else(|| "A former member".to_owned())}</strong>
                    " " {said} " · " {when(line.at)}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="activity" data-testid="activity">{items}</ol> }.into_any()
}

/// A moment as people read it, with the exact time for machines.
fn when(at: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339()>{at.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
}
