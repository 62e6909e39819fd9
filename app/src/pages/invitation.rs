//! An invitation's own link, `/invitations/{token}`: the one way to accept an invitation. Signed
//! out, it asks the visitor to sign in (or sign up, then sign in) and comes back here; signed in,
//! it names the project and who sent it, with Accept and Decline (plain forms, so it works with
//! JavaScript off too).

use crate::api::members::{invitation, AcceptInvitation, DeclineInvitation, InvitationPage};
use crate::components::form::{last_error, FormMessage};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::InvitationFor;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitationLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let found = Resource::new(token, invitation);
    view! {
        <Title text="Invitation" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the invitation…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(InvitationPage::SignedOut) => view! { <SignInFirst /> }.into_any(),
                    Ok(InvitationPage::Open(open)) => {
                        view! { <Answer invitation=open token=token() /> }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <NoLongerValid /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInFirst() -> impl IntoView {
    view! {
        <section class="panel narrow" data-testid="invitation">
            <h1>"You have been invited to a project"</h1>
            <p>"Sign in to see the invitation and accept it. You will come back to this page."</p>
            <p>
                <a class="button" href="/login">"Sign in"</a>
            </p>
            <p class="muted">
                "No account yet? " <a href="/signup">"Create an account"</a>
                ", then sign in and you will come back here."
            </p>
        </section>
    }
}

#[component]
fn Answer(invitation: InvitationFor, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let accept_error = last_error(accept);
    let decline_error = last_error(decline);
    let from = invitation
        .invited_by
        .clone()
        .unwrap_or_else(|| "A project owner".to_owned());
    let decline_token = token.clone();
    view! {
        <Title text=format!("Invitation to {}", invitation.project_name) />
        <section class="panel narrow" data-testid="invitation">
            <h1>"Join “" {invitation.project_name.clone()} "”?"</h1>
            <p>
                {format!(
                    "{from} invited you to this project as {}.",
                    invitation.role.label().to_lowercase()
                )}
            </p>
            <FormMessage error=accept_error />
            <FormMessage error=decline_error />
            <div class="inline-fields">
                <ActionForm action=accept attr:class="inline-form">
                    <input type="hidden" name="token" value=token.clone() />
                    <button type="submit" class="button">"Accept"</button>
                </ActionForm>
                <ActionForm action=decline attr:class="inline-form">
                    <input type="hidden" name="token" value=decline_token />
                    <button type="submit" class="button secondary">"Decline"</button>
                </ActionForm>
            </div>
        </section>
    }
}

#[component]
fn NoLongerValid() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_page_status(http::StatusCode::NOT_FOUND);
    view! {
        <section class="panel narrow" data-testid="invitation">
            <h1>"This invitation link is not valid"</h1>
            <p>
                "It was accepted, declined or withdrawn, or a newer link replaced it. Ask the \
                 project's owner for a new one."
            </p>
            <p>
                <a href="/projects">"Go to your projects"</a>
            </p>
        </section>
    }
}
