//! The account page: how this person signs in (password, GitHub, Google), linking and unlinking
//! providers, and changing or setting the password.

use crate::api::accounts::{account_details, Account, ChangePassword, UnlinkProvider};
use crate::components::form::{emptied_after_submit, field_error, last_error, Field, FormMessage};
use crate::components::outcome::failed;
use crate::components::providers::ProviderFailure;
use domain::{Password, Provider};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let unlink = ServerAction::<UnlinkProvider>::new();
    let change = ServerAction::<ChangePassword>::new();
    let account = Resource::new(
        move || (unlink.version().get(), change.version().get()),
        |_| account_details(),
    );
    view! {
        <Title text="Your account" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(account) => view! { <AccountView account unlink change /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountView(
    account: Account,
    unlink: ServerAction<UnlinkProvider>,
    change: ServerAction<ChangePassword>,
) -> impl IntoView {
    let query = use_query_map();
    let linked_now = move || {
        query.with(|q| {
            q.get("linked")
                .as_deref()
                .and_then(Provider::parse)
                .map(|p| format!("{p} is now linked to your account."))
        })
    };
    let password_changed = move || query.with(|q| q.get("password").is_some());
    let unlink_error = last_error(unlink);
    let change_error = last_error(change);
    let has_password = account.has_password;
    view! {
        <section class="panel narrow">
            <h1>"Your account"</h1>
            <p>"Signed in as " <strong>{account.email.clone()}</strong></p>
        </section>
        <section class="panel narrow" aria-labelledby="sign-in-methods">
            <h2 id="sign-in-methods">"Ways to sign in"</h2>
            {move || linked_now().map(|m| view! { <p class="notice" role="status">{m}</p> })}
            <ProviderFailure />
            <FormMessage error=unlink_error />
            <ul class="sign-in-methods">
                <li>
                    <span>"Password"</span>
                    <span class="muted">{if has_password { "Set" } else { "Not set" }}</span>
                </li>
                {account
                    .linked
                    .iter()
                    .map(|linked| {
                        let provider = linked.provider;
                        view! {
                            <li data-testid=format!("linked-{}", provider.as_str())>
                                <span>
                                    {provider.display_name()} " "
                                    <span class="muted">{linked.email.clone()}</span>
                                </span>
                                <ActionForm action=unlink attr:class="inline-form">
                                    <input type="hidden" name=Provider::FIELD value=provider.as_str() />
                                    <button type="submit" class="button secondary">
                                        {format!("Unlink {provider}")}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
                {account
                    .linkable
                    .iter()
                    .map(|provider| {
                        view! {
                            <li>
                                <span>{provider.display_name()}</span>
                                <form
                                    method="post"
                                    action=format!("/auth/{}/link", provider.as_str())
                                    class="inline-form"
                                >
                                    <button type="submit" class="button secondary">
                                        {format!("Link {provider}")}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="panel narrow" aria-labelledby="password-heading">
            <h2 id="password-heading">
                {if has_password { "Change your password" } else { "Set a password" }}
            </h2>
            <Show when=password_changed>
                <p class="notice" role="status">
                    "Your password was changed. Every other session of your account has been signed out."
                </p>
            </Show>
            <ActionForm action=change attr:class="stack" attr:novalidate=true>
                {if has_password {
                    view! {
                        <Field
                            id="current-password"
                            label="Current password"
                            name=Password::CURRENT_FIELD
                            kind="password"
                            autocomplete="current-password"
                            value=emptied_after_submit(change)
                            error=field_error(change_error, Password::CURRENT_FIELD)
                        />
                    }
                        .into_any()
                } else {
                    view! { <input type="hidden" name=Password::CURRENT_FIELD value="" /> }.into_any()
                }}
                <Field
                    id="new-password"
                    label="New password"
                    name=Password::NEW_FIELD
                    kind="password"
                    autocomplete="new-password"
                    value=emptied_after_submit(change)
                    error=field_error(change_error, Password::NEW_FIELD)
                />
                <FormMessage error=change_error />
                <button type="submit" class="button">
                    {if has_password { "Change password" } else { "Set password" }}
                </button>
            </ActionForm>
        </section>
    }
}
