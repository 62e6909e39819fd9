use super::route_id;
use crate::api::labels::{list_labels, CreateLabel, DeleteLabel, UpdateLabel};
use crate::api::members::{
    list_members, new_invitation_link, CancelInvitation, ChangeMemberRole, InviteMember,
    LeaveProject, RemoveMember,
};
use crate::api::projects::{get_project, DeleteProject, RenameProject};
use crate::components::badges::label_class;
use crate::components::form::{field_error, last_error, typed_or, Field, FormMessage};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{Email, LabelColour, LabelName, Project, ProjectName, Role};
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
    let owner = project.role.can_manage();
    let project_id = project.id;
    view! {
        <p>
            <a href=format!("/projects/{}", project.id)>"Back to board"</a>
        </p>
        {(!owner).then(|| view! {
            <section class="panel narrow">
                <h1>"Project settings"</h1>
                <p class="notice" role="status">
                    {format!(
                        "You are {} of this project. Only its owners can rename it, delete it or change who has access.",
                        if project.role == Role::Editor { "an editor" } else { "a viewer" },
                    )}
                </p>
            </section>
        })}
        {owner.then(|| view! {
        <section class="panel narrow">
            <h1>"Project settings"</h1>
            <ActionForm action=rename attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="id" value=project.id />
                <Field
                    id="project-name"
                    label="Project name"
                    name=ProjectName::FIELD
                    value=typed_or(error, ProjectName::FIELD, project.name.clone())
                    error=field_error(error, ProjectName::FIELD)
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
        })}
        <MembersPanel project_id owner />
        <LabelsPanel project_id can_edit=project.role.can_edit() />
        <LeavePanel project_id owner />
    }
}

/// Leaving the project: editors and viewers may; an owner is told why not.
#[component]
fn LeavePanel(project_id: i32, owner: bool) -> impl IntoView {
    let leave = ServerAction::<LeaveProject>::new();
    let error = last_error(leave);
    view! {
        <section class="panel narrow" aria-labelledby="leave-heading">
            <h2 id="leave-heading">"Leave this project"</h2>
            {if owner {
                view! {
                    <p class="muted" data-testid="owner-cannot-leave">
                        "As an owner you cannot leave the project. Make another member an owner \
                         and step down to editor first, or delete the project."
                    </p>
                }.into_any()
            } else {
                view! {
                    <p>"You lose access to its tasks at once. To come back, you need a new invitation."</p>
                    <ActionForm action=leave>
                        <input type="hidden" name="project_id" value=project_id />
                        <FormMessage error />
                        <button type="submit" class="button danger">"Leave project"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

/// The project's labels. Editors and owners make, rename, recolour and delete them; viewers see
/// the list.
#[component]
fn LabelsPanel(project_id: i32, can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreateLabel>::new();
    let update = ServerAction::<UpdateLabel>::new();
    let delete = ServerAction::<DeleteLabel>::new();
    let labels = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        move |_| list_labels(project_id),
    );
    let create_error = last_error(create);
    let update_error = last_error(update);
    let delete_error = last_error(delete);
    let colour_options = move |current: LabelColour| {
        LabelColour::ALL
            .map(|colour| {
                view! {
                    <option value=colour.as_str() selected=colour == current>
                        {colour.label()}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel narrow" id="labels" aria-labelledby="labels-heading">
            <h2 id="labels-heading">"Labels"</h2>
            <FormMessage error=update_error />
            <FormMessage error=delete_error />
            <Suspense fallback=|| view! { <p class="loading">"Loading labels…"</p> }>
                {move || Suspend::new(async move {
                    match labels.await {
                        Err(e) => failed(e),
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No labels yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="label-list" data-testid="labels">
                                {list.into_iter().map(|label| {
                                    let chip = view! {
                                        <span class=label_class(label.colour)>{label.name.clone()}</span>
                                    };
                                    if !can_edit {
                                        return view! { <li>{chip}</li> }.into_any();
                                    }
                                    let name_label = format!("Name of the label “{}”", label.name);
                                    let colour_label = format!("Colour of the label “{}”", label.name);
                                    let delete_text = format!("Delete “{}”", label.name);
                                    view! {
                                        <li data-testid="label">
                                            {chip}
                                            <ActionForm action=update attr:class="inline-form">
                                                <input type="hidden" name="id" value=label.id />
                                                <input name=LabelName::FIELD value=label.name.clone() aria-label=name_label maxlength=LabelName::MAX_CHARS />
                                                <select name=LabelColour::FIELD aria-label=colour_label>
                                                    {colour_options(label.colour)}
                                                </select>
                                                <button type="submit" class="button secondary">"Save"</button>
                                            </ActionForm>
                                            <ActionForm action=delete attr:class="inline-form">
                                                <input type="hidden" name="id" value=label.id />
                                                <button type="submit" class="button secondary">
                                                    {delete_text}
                                                </button>
                                            </ActionForm>
                                        </li>
                                    }.into_any()
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
            {can_edit.then(|| view! {
                <h3>"New label"</h3>
                <ActionForm action=create attr:class="stack" attr:novalidate=true>
                    <input type="hidden" name="project_id" value=project_id />
                    <Field
                        id="label-name"
                        label="Name"
                        name=LabelName::FIELD
                        value=typed_or(create_error, LabelName::FIELD, String::new())
                        error=field_error(create_error, LabelName::FIELD)
                    />
                    <div class="field">
                        <label for="label-colour">"Colour"</label>
                        <select id="label-colour" name=LabelColour::FIELD>
                            {colour_options(LabelColour::default())}
                        </select>
                    </div>
                    <FormMessage error=create_error />
                    <button type="submit" class="button">"Add label"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Who has access. Owners invite by email (and get a link to pass on, shown once), change roles
/// and remove members; everyone else sees the list. Every invitation shows as pending the same
/// way, whether or not its email has an account.
#[component]
fn MembersPanel(project_id: i32, owner: bool) -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let members = Resource::new(
        move || {
            (
                invite.version().get(),
                change.version().get(),
                remove.version().get(),
                cancel.version().get(),
            )
        },
        move |_| list_members(project_id),
    );
    let new_link = Resource::new(
        move || invite.version().get(),
        move |_| async move {
            if owner {
                new_invitation_link(project_id).await
            } else {
                Ok(None)
            }
        },
    );
    let invite_error = last_error(invite);
    let change_error = last_error(change);
    let remove_error = last_error(remove);
    let role_options = move |current: Role| {
        Role::ALL
            .map(|role| {
                view! {
                    <option value=role.as_str() selected=role == current>
                        {role.label()}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel narrow" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <FormMessage error=change_error />
            <FormMessage error=remove_error />
            <Suspense fallback=|| view! { <p class="loading">"Loading members…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(e) => failed(e),
                        Ok(list) => view! {
                            <ul class="sign-in-methods" data-testid="members">
                                {list.members.into_iter().map(|member| {
                                    let label = format!("Role of {}", member.email);
                                    view! {
                                        <li data-testid="member">
                                            <span>{member.email.clone()}</span>
                                            {if owner {
                                                view! {
                                                    <ActionForm action=change attr:class="inline-form">
                                                        <input type="hidden" name="project_id" value=project_id />
                                                        <input type="hidden" name="user_id" value=member.user_id />
                                                        <select name=Role::FIELD aria-label=label>
                                                            {role_options(member.role)}
                                                        </select>
                                                        <button type="submit" class="button secondary">"Change role"</button>
                                                    </ActionForm>
                                                    <ActionForm action=remove attr:class="inline-form">
                                                        <input type="hidden" name="project_id" value=project_id />
                                                        <input type="hidden" name="user_id" value=member.user_id />
                                                        <button type="submit" class="button secondary">
                                                            {format!("Remove {}", member.email)}
                                                        </button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! { <span class="muted">{member.role.label()}</span> }.into_any()
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                                {list.invitations.into_iter().map(|invitation| {
                                    let again = invitation.email.clone();
                                    let withdraw = invitation.email.clone();
                                    view! {
                                    <li data-testid="invitation">
                                        <span>
                                            {invitation.email.clone()} " "
                                            <span class="muted">{format!("invited as {}, waiting for them to accept", invitation.role.label().to_lowercase())}</span>
                                        </span>
                                        {owner.then(|| view! {
                                            // A new link replaces the old one, which stops working.
                                            <ActionForm action=invite attr:class="inline-form">
                                                <input type="hidden" name="project_id" value=project_id />
                                                <input type="hidden" name=Email::FIELD value=again />
                                                <input type="hidden" name=Role::FIELD value=invitation.role.as_str() />
                                                <button type="submit" class="button secondary">"New link"</button>
                                            </ActionForm>
                                            <ActionForm action=cancel attr:class="inline-form">
                                                <input type="hidden" name="project_id" value=project_id />
                                                <input type="hidden" name=Email::FIELD value=withdraw />
                                                <button type="submit" class="button secondary">"Cancel invitation"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense>
                {move || Suspend::new(async move {
                    new_link.await.ok().flatten().map(|link| view! {
                        <div class="notice" role="status" data-testid="invitation-link">
                            <p>
                                {format!("Invitation for {} is ready. Copy this link and send it to them yourself: ", link.email)}
                                "whoever opens it can join, and it is shown only this once."
                            </p>
                            <input
                                readonly=true
                                aria-label="Invitation link"
                                value=link.url.clone()
                            />
                        </div>
                    })
                })}
            </Suspense>
            {owner.then(|| view! {
                <h3>"Invite someone"</h3>
                <ActionForm action=invite attr:class="stack" attr:novalidate=true>
                    <input type="hidden" name="project_id" value=project_id />
                    <Field
                        id="invite-email"
                        label="Email"
                        name=Email::FIELD
                        kind="email"
                        value=typed_or(invite_error, Email::FIELD, String::new())
                        error=field_error(invite_error, Email::FIELD)
                    />
                    <div class="field">
                        <label for="invite-role">"Role"</label>
                        <select id="invite-role" name=Role::FIELD>
                            <option value="editor" selected=true>"Editor: can change tasks"</option>
                            <option value="viewer">"Viewer: can only look"</option>
                            <option value="owner">"Owner: can also manage the project"</option>
                        </select>
                    </div>
                    <FormMessage error=invite_error />
                    <button type="submit" class="button">"Invite"</button>
                </ActionForm>
            })}
        </section>
    }
}
