use crate::components::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Plan your team's work" />
        <Suspense>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => view! { <Redirect path="/projects" /> }.into_any(),
                    _ => view! { <Landing /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Taskdeck"</h1>
            <p class="lead">
                "Plan projects, track tasks from to-do to done, and keep your team's work in one place you run yourself."
            </p>
            <p class="actions">
                <a class="button" href="/signup">
                    "Sign up"
                </a>
                <a class="button secondary" href="/login">
                    "Sign in"
                </a>
            </p>
        </section>
    }
}
