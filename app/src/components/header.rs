use super::lazy_links::PAGE_LOAD;
use super::session::use_session;
use super::theme::ThemeSwitch;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                "Taskdeck"
            </a>
            <nav aria-label="Account">
                <Transition>
                    {move || Suspend::new(async move {
                        match session.user.await {
                            Ok(Some(user)) => {
                                view! {
                                    <A href="/projects" attr:class="nav-link">
                                        "Projects"
                                    </A>
                                    <A href="/my-tasks" attr:class="nav-link">
                                        "My tasks"
                                    </A>
                                    <A href="/feedback" attr:class="nav-link" attr:rel=PAGE_LOAD>
                                        "Send feedback"
                                    </A>
                                    {user
                                        .is_admin
                                        .then(|| {
                                            view! {
                                                <A href="/admin/flags" attr:class="nav-link" attr:rel=PAGE_LOAD>
                                                    "Admin"
                                                </A>
                                            }
                                        })}
                                    <A
                                        href="/account"
                                        attr:class="nav-link current-user"
                                        attr:data-testid="current-user"
                                        attr:rel=PAGE_LOAD
                                    >
                                        {user.email}
                                    </A>
                                    <ActionForm action=session.sign_out attr:class="inline-form">
                                        <button type="submit" class="button secondary">
                                            "Sign out"
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <A href="/login" attr:class="nav-link">
                                        "Sign in"
                                    </A>
                                    <A href="/signup" attr:class="button">
                                        "Sign up"
                                    </A>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </nav>
            <ThemeSwitch />
        </header>
    }
}
