use crate::api::feedback::SendFeedback;
use crate::components::form::{field_error, last_error, typed_or, FormMessage, TextArea};
use crate::components::session::use_session;
use domain::FeedbackMessage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// "Send feedback": what someone tells us lands in the database and, when Sentry is configured,
/// in Sentry next to the error it is about (`?event=` carries that error's reference).
#[component]
pub fn FeedbackPage() -> impl IntoView {
    let session = use_session();
    let send = ServerAction::<SendFeedback>::new();
    let error = last_error(send);
    let query = use_query_map();
    let sent = move || query.with(|q| q.get("sent").is_some());
    let about = query.with_untracked(|q| q.get("event")).unwrap_or_default();
    let event = typed_or(error, FeedbackMessage::EVENT_FIELD, about);
    let message = typed_or(error, FeedbackMessage::FIELD, String::new());
    view! {
        <Title text="Send feedback" />
        <Suspense>
            {move || Suspend::new(async move {
                matches!(session.user.await, Ok(None) | Err(_))
                    .then(|| view! { <Redirect path="/login" /> })
            })}
        </Suspense>
        <section class="panel narrow">
            <h1>"Send feedback"</h1>
            <Show when=sent>
                <p class="notice" role="status">"Thank you. Your feedback was sent."</p>
            </Show>
            <p class="muted">
                "Something broken, slow or confusing? Tell us what you were doing and what you expected."
            </p>
            <ActionForm action=send attr:class="stack" attr:novalidate=true>
                <input type="hidden" name=FeedbackMessage::EVENT_FIELD prop:value=move || event.get() value=event.get_untracked() />
                <TextArea
                    id="feedback-message"
                    label="What happened?"
                    name=FeedbackMessage::FIELD
                    value=message
                    error=field_error(error, FeedbackMessage::FIELD)
                />
                <FormMessage error />
                <button type="submit" class="button">
                    "Send feedback"
                </button>
            </ActionForm>
        </section>
    }
}
