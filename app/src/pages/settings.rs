use super::route_id;
use crate::api::projects::{get_project, DeleteProject, RenameProject};
use crate::components::form::{field_error, last_error, typed_or, Field, FormMessage};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::Project;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let project = Resource::new(
        move || params.with(route_id),
        |id| async move {
            match id {
                Some(id) => get_project(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Project settings" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(project) => view! { <SettingsForm project /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(project: Project) -> impl IntoView {
    let rename = ServerAction::<RenameProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    let error = last_error(rename);
    let delete_error = last_error(delete);
    view! {
        <p>
            <a href=format!("/projects/{}", project.id)>"Back to board"</a>
        </p>
        <section class="panel narrow">
            <h1>"Project settings"</h1>
            <ActionForm action=rename attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="id" value=project.id />
                <Field
                    id="project-name"
                    label="Project name"
                    name="name"
                    value=typed_or(error, "name", project.name.clone())
                    error=field_error(error, "name")
                />
                <FormMessage error />
                <button type="submit" class="button">
                    "Rename project"
                </button>
            </ActionForm>
        </section>
        <section class="panel narrow danger-zone">
            <h2>"Delete this project"</h2>
            <p>"Deleting a project deletes all of its tasks. This cannot be undone."</p>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=project.id />
                <FormMessage error=delete_error />
                <button type="submit" class="button danger">
                    "Delete project"
                </button>
            </ActionForm>
        </section>
    }
}
