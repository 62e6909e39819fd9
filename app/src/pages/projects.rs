use crate::api::members::{my_invitations, DeclineMyInvitation};
use crate::api::projects::{list_projects, CreateProject};
use crate::components::form::{field_error, last_error, typed_or, Field, FormMessage};
use crate::components::outcome::failed;
use domain::{Project, ProjectName};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let error = last_error(create);
    let projects = Resource::new(move || create.version().get(), |_| list_projects());
    view! {
        <Title text="Projects" />
        <Suspense fallback=|| view! { <p class="loading">"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) => view! { <ProjectList projects=list /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
        <InvitationsForYou />
        <section class="panel">
            <h2>"New project"</h2>
            <ActionForm action=create attr:class="inline-fields" attr:novalidate=true>
                <Field
                    id="new-project-name"
                    label="Project name"
                    name=ProjectName::FIELD
                    value=typed_or(error, ProjectName::FIELD, String::new())
                    error=field_error(error, ProjectName::FIELD)
                />
                <button type="submit" class="button">
                    "Create project"
                </button>
            </ActionForm>
            <FormMessage error />
        </section>
    }
}

#[component]
fn ProjectList(projects: Vec<Project>) -> impl IntoView {
    view! {
        <h1>"Projects"</h1>
        {if projects.is_empty() {
            view! { <p class="empty">"No projects yet."</p> }.into_any()
        } else {
            view! {
                <ul class="project-list" data-testid="project-list">
                    {projects
                        .into_iter()
                        .map(|project| {
                            view! {
                                <li>
                                    <a href=format!("/projects/{}", project.id)>{project.name}</a>
                                    {(project.role != domain::Role::Owner)
                                        .then(|| view! {
                                            <span class="muted">{format!(" shared with you as {}", project.role.label().to_lowercase())}</span>
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

/// The invitations sent to this account's email. Declining works from here; accepting takes the
/// invitation's link, which its sender passes on: an email address that was never verified does
/// not prove whose account this is.
#[component]
fn InvitationsForYou() -> impl IntoView {
    let decline = ServerAction::<DeclineMyInvitation>::new();
    let error = last_error(decline);
    let invitations = Resource::new(move || decline.version().get(), |_| my_invitations());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let list = invitations.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="panel" aria-labelledby="invitations-heading">
                        <h2 id="invitations-heading">"Invitations for you"</h2>
                        <p class="muted">
                            "To accept one, open the invitation link its sender gave you."
                        </p>
                        <FormMessage error />
                        <ul class="sign-in-methods" data-testid="my-invitations">
                            {list.into_iter().map(|invitation| {
                                let from = invitation.invited_by.clone()
                                    .unwrap_or_else(|| "A project owner".to_owned());
                                view! {
                                    <li data-testid="my-invitation">
                                        <span>
                                            {format!(
                                                "{from} invited you to “{}” as {}.",
                                                invitation.project_name,
                                                invitation.role.label().to_lowercase(),
                                            )}
                                        </span>
                                        <ActionForm action=decline attr:class="inline-form">
                                            <input type="hidden" name="id" value=invitation.id />
                                            <button type="submit" class="button secondary">
                                                {format!("Decline “{}”", invitation.project_name)}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}
