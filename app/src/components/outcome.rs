//! How a page shows a failed load: sign-in redirect, 404, or a readable error.

use super::lazy_links::PAGE_LOAD;
use crate::error::AppError;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_router::components::Redirect;

pub fn failed(error: AppError) -> AnyView {
    match error {
        AppError::Unauthorized => view! { <Redirect path="/login" /> }.into_any(),
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        other => {
            let reference = match &other {
                AppError::Internal { reference } => reference.clone(),
                _ => None,
            };
            // The page failed: its status says so, for people, crawlers and monitoring alike.
            #[cfg(feature = "ssr")]
            crate::server::set_error_status(&other);
            let heading = if other == AppError::Unavailable {
                "Briefly unavailable"
            } else {
                "Something went wrong"
            };
            view! {
            <section class="panel error-panel" role="alert">
                <h1>{heading}</h1>
                <p>{other.to_string()}</p>
                {reference.map(|reference| view! {
                    <p class="muted">"Reference: " <code>{reference.clone()}</code></p>
                    <p>
                        <a href=format!("/feedback?event={reference}") rel=PAGE_LOAD>"Tell us what you were doing"</a>
                    </p>
                })}
            </section>
            }
            .into_any()
        }
    }
}
