use crate::components::form::{
    emptied_after_submit, field_error, last_error, typed_or, Field, FormMessage,
};
use crate::components::providers::{ProviderButtons, ProviderFailure};
use crate::components::session::use_session;
use domain::{Email, Password};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let error = last_error(session.sign_in);
    view! {
        <Title text="Sign in" />
        <Suspense>
            // Someone who opens this page signed in goes to their projects. One who signs in here
            // goes where the sign-in sends them (a link they opened first, say), which can take a
            // moment to load: the session changing meanwhile must not send them elsewhere.
            {move || Suspend::new(async move {
                let signed_in_here = session.sign_in.version().get_untracked() > 0;
                (matches!(session.user.await, Ok(Some(_))) && !signed_in_here)
                    .then(|| view! { <Redirect path="/projects" /> })
            })}
        </Suspense>
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <SignedUpNotice />
            <ProviderFailure />
            <ActionForm action=session.sign_in attr:class="stack" attr:novalidate=true>
                <Field
                    id="signin-email"
                    label="Email"
                    name=Email::FIELD
                    kind="email"
                    autocomplete="username"
                    value=typed_or(error, Email::FIELD, String::new())
                    error=field_error(error, Email::FIELD)
                />
                <Field
                    id="signin-password"
                    label="Password"
                    name=Password::FIELD
                    kind="password"
                    autocomplete="current-password"
                    value=emptied_after_submit(session.sign_in)
                    error=field_error(error, Password::FIELD)
                />
                <FormMessage error />
                <button type="submit" class="button">
                    "Sign in"
                </button>
            </ActionForm>
            <ProviderButtons />
            <p class="muted">"New to Taskdeck? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

/// Shown after signing up (`?signed_up=1`): the same words whether the address was new or not.
#[component]
fn SignedUpNotice() -> impl IntoView {
    let query = use_query_map();
    move || {
        query
            .with(|q| q.get("signed_up").is_some_and(|flag| flag == "1"))
            .then(|| {
                view! {
                    <p class="notice" role="status" data-testid="signed-up">
                        "Your account is ready. Sign in with the email and password you chose."
                    </p>
                }
            })
    }
}
