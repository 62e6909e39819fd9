use super::route_id;
use crate::api::projects::get_project;
use crate::api::tasks::{get_task, DeleteTask, UpdateTask};
use crate::components::form::{
    field_error, last_error, typed_or, Field, FieldMessage, FormMessage, TextArea,
};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{Priority, Role, Status, Task};
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
            let task = get_task(id).await?;
            // The role decides whether the form can be used at all.
            let role = get_project(task.project_id).await?.role;
            Ok((task, role))
        },
    );
    view! {
        <Title text="Task" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the task…"</p> }>
            {move || Suspend::new(async move {
                match task.await {
                    Ok((task, role)) => view! { <TaskForm task role /> }.into_any(),
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
    let description = typed_or(error, "description", task.description.clone());
    let status = typed_or(error, "status", task.status.as_str().to_owned());
    let priority = typed_or(error, "priority", task.priority.as_str().to_owned());
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
                    name="title"
                    value=typed_or(error, "title", task.title.clone())
                    error=field_error(error, "title")
                />
                <TextArea
                    id="task-description"
                    label="Description"
                    name="description"
                    value=description
                    error=field_error(error, "description")
                />
                <div class="field-row">
                    <div class="field">
                        <label for="task-status">"Status"</label>
                        <select id="task-status" name="status">
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
                            error=field_error(error, "status")
                        />
                    </div>
                    <div class="field">
                        <label for="task-priority">"Priority"</label>
                        <select id="task-priority" name="priority">
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
                            error=field_error(error, "priority")
                        />
                    </div>
                    <Field
                        id="task-due-date"
                        label="Due date"
                        name="due_date"
                        kind="date"
                        value=typed_or(error, "due_date", due)
                        error=field_error(error, "due_date")
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
