use crate::error::AppError;
use leptos::prelude::*;

/// Files feedback: kept in the database, and sent to the error tracker (linked to the error it is
/// about, when there is one) if one is configured. Answers with a redirect to the thank-you view.
#[server(endpoint = "send_feedback")]
pub async fn send_feedback(message: String, event: String) -> Result<(), AppError> {
    use crate::server::{answer, db, forward_feedback, require_user};
    use domain::{sentry_event_id, FeedbackMessage};
    answer(
        async move {
            let user = require_user().await?;
            let parsed = FeedbackMessage::parse(&message).map_err(|e| {
                AppError::from(e).with_values([
                    (FeedbackMessage::FIELD, message.as_str()),
                    (FeedbackMessage::EVENT_FIELD, event.as_str()),
                ])
            })?;
            let event = sentry_event_id(&event);
            store::feedback::save(&db()?, user.id, &parsed, event.clone()).await?;
            forward_feedback(user.id, &parsed, event.as_deref());
            leptos_axum::redirect("/feedback?sent=1");
            Ok(())
        }
        .await,
    )
}
