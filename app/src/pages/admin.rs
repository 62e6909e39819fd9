//! The instance admin's feature flags page: each flag of this release, where it is on, and forms
//! to turn it on or off for everyone or for chosen accounts first. Anyone who is not an admin
//! gets "not found".

use crate::api::admin::{admin_flags, SetFlag, SetFlagAccount, FLAG_FIELD};
use crate::components::form::{
    field_error, last_error, typed_until_saved, FieldMessage, FormMessage,
};
use crate::components::outcome::failed;
use domain::{Email, FlagState};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminFlagsPage() -> impl IntoView {
    let set = ServerAction::<SetFlag>::new();
    let set_account = ServerAction::<SetFlagAccount>::new();
    let flags = Resource::new(
        move || (set.version().get(), set_account.version().get()),
        |_| admin_flags(),
    );
    view! {
        <Title text="Feature flags · Admin" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match flags.await {
                    Ok(flags) => view! { <FlagsView flags set set_account /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FlagsView(
    flags: Vec<FlagState>,
    set: ServerAction<SetFlag>,
    set_account: ServerAction<SetFlagAccount>,
) -> impl IntoView {
    let set_error = last_error(set);
    let account_error = last_error(set_account);
    view! {
        <section class="panel narrow">
            <h1>"Feature flags"</h1>
            <p class="muted">
                "A flag turns one feature of this release on or off without a redeploy. Turn it on \
                 for a few accounts first, then for everyone; \"Off for everyone\" is the kill \
                 switch. Every server sees a change within FEATURE_FLAGS_REFRESH_SECONDS; the \
                 same flags are set with "
                <code>"taskdeck flags"</code>
                "."
            </p>
            <FormMessage error=set_error />
            // An account form's trouble other than its email (the database, an expired
            // session) is said here; the email's own message stays beside the box.
            <FormMessage error=account_error />
        </section>
        {flags
            .into_iter()
            .map(|state| {
                let name = state.feature.as_str();
                let heading_id = format!("flag-{name}");
                let labelled_by = heading_id.clone();
                let email_id = format!("flag-{name}-email");
                let message_id = format!("{email_id}-error");
                let described_by = message_id.clone();
                let email_error = field_error(account_error, Email::FIELD);
                let typed = typed_until_saved(set_account, Email::FIELD);
                let next = if state.everyone { "off" } else { "on" };
                let summary = state.summary();
                let accounts = state.accounts;
                view! {
                    <section
                        class="panel narrow flag"
                        aria-labelledby=labelled_by
                        data-testid=format!("flag-{name}")
                    >
                        <h2 id=heading_id>
                            <code>{name}</code>
                        </h2>
                        <p>{state.feature.description()}</p>
                        <p>
                            <strong data-testid="flag-summary">{summary}</strong>
                        </p>
                        <ActionForm action=set attr:class="inline-form">
                            <input type="hidden" name=FLAG_FIELD value=name />
                            <input type="hidden" name="everyone" value=next />
                            <button
                                type="submit"
                                class=if state.everyone { "button danger" } else { "button" }
                            >
                                {if state.everyone { "Off for everyone" } else { "On for everyone" }}
                            </button>
                        </ActionForm>
                        <h3>"On for these accounts first"</h3>
                        {if accounts.is_empty() {
                            view! { <p class="muted">"No accounts."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="flag-accounts">
                                    {accounts
                                        .into_iter()
                                        .map(|email| {
                                            view! {
                                                <li>
                                                    <span>{email.clone()}</span>
                                                    <ActionForm action=set_account attr:class="inline-form">
                                                        <input type="hidden" name=FLAG_FIELD value=name />
                                                        <input type="hidden" name=Email::FIELD value=email.clone() />
                                                        <input type="hidden" name="on" value="off" />
                                                        <button type="submit" class="button secondary">
                                                            {format!("Remove {email}")}
                                                        </button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                        <ActionForm action=set_account attr:class="stack" attr:novalidate=true>
                            <input type="hidden" name=FLAG_FIELD value=name />
                            <input type="hidden" name="on" value="on" />
                            <div class="field" class:has-error=move || email_error.get().is_some()>
                                <label for=email_id.clone()>"Account's email"</label>
                                <input
                                    id=email_id
                                    name=Email::FIELD
                                    type="email"
                                    autocomplete="off"
                                    prop:value=move || typed.get()
                                    value=move || typed.get()
                                    aria-invalid=move || email_error.get().is_some().then_some("true")
                                    aria-describedby=move || {
                                        email_error.get().is_some().then(|| described_by.clone())
                                    }
                                />
                                <FieldMessage id=message_id error=email_error />
                            </div>
                            <button type="submit" class="button secondary">
                                "Turn on for this account"
                            </button>
                        </ActionForm>
                    </section>
                }
            })
            .collect_view()}
    }
}
