use crate::components::form::{
    emptied_after_submit, field_error, last_error, typed_or, Field, FormMessage,
};
use crate::components::providers::ProviderButtons;
use crate::components::session::use_session;
use domain::{Email, Password};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = use_session();
    let error = last_error(session.sign_up);
    view! {
        <Title text="Create your account" />
        <Suspense>
            {move || Suspend::new(async move {
                matches!(session.user.await, Ok(Some(_)))
                    .then(|| view! { <Redirect path="/projects" /> })
            })}
        </Suspense>
        <section class="panel narrow">
            <h1>"Create your account"</h1>
            <ActionForm action=session.sign_up attr:class="stack" attr:novalidate=true>
                <Field
                    id="signup-email"
                    label="Email"
                    name=Email::FIELD
                    kind="email"
                    autocomplete="email"
                    value=typed_or(error, Email::FIELD, String::new())
                    error=field_error(error, Email::FIELD)
                />
                <Field
                    id="signup-password"
                    label="Password"
                    name=Password::FIELD
                    kind="password"
                    autocomplete="new-password"
                    value=emptied_after_submit(session.sign_up)
                    error=field_error(error, Password::FIELD)
                />
                <p class="hint">"At least 8 characters."</p>
                <FormMessage error />
                <button type="submit" class="button">
                    "Create account"
                </button>
            </ActionForm>
            <ProviderButtons />
            <p class="muted">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
