//! Signing in with GitHub or Google: plain form posts to the server's `/auth/...` routes, so they
//! work with JavaScript off and pass the same-origin check like every other form.

use crate::api::accounts::sign_in_providers;
use domain::{OAuthFailure, Provider};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// "Continue with GitHub" and the like, for each provider this server offers.
#[component]
pub fn ProviderButtons() -> impl IntoView {
    let offered = Resource::new(|| (), |_| sign_in_providers());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let providers = offered.await.unwrap_or_default();
                (!providers.is_empty())
                    .then(|| {
                        view! {
                            <div class="providers stack">
                                <p class="muted divider">"or"</p>
                                {providers
                                    .into_iter()
                                    .map(|provider| {
                                        view! {
                                            <form
                                                method="post"
                                                action=format!("/auth/{}/start", provider.as_str())
                                            >
                                                <button type="submit" class="button secondary wide">
                                                    {format!("Continue with {provider}")}
                                                </button>
                                            </form>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })
            })}
        </Suspense>
    }
}

/// The reason a sign-in through a provider failed, from `?provider=…&oauth_error=…`. Only known
/// codes are shown, as Taskdeck's own sentences.
#[component]
pub fn ProviderFailure() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        query.with(|q| {
            let provider = q.get("provider").as_deref().and_then(Provider::parse)?;
            let failure = q
                .get("oauth_error")
                .as_deref()
                .and_then(OAuthFailure::parse)?;
            Some(failure.message(provider))
        })
    };
    move || {
        message().map(|message| {
            view! {
                <p class="form-error" role="alert" data-testid="oauth-error">
                    {message}
                </p>
            }
        })
    }
}
