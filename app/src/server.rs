//! What server functions need from the server: the database, the signed-in user, and a way to
//! answer errors with the right status. Compiled only into the server.

use crate::error::AppError;
use domain::FieldError;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use store::auth::AuthSession;
use store::{Db, StoreError, User};

/// Put on sign-in and password-change requests by the server's rate limits. The server function
/// marks it when the password was wrong, so that only failures count towards locking an account.
#[derive(Clone, Debug, Default)]
pub struct PasswordCheck(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl PasswordCheck {
    /// Whether the request's password turned out to be wrong.
    pub fn failed(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Says that this request's password was wrong (see [`PasswordCheck`]).
pub fn password_was_wrong() {
    let check = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PasswordCheck>().cloned());
    if let Some(check) = check {
        check.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

pub fn db() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| {
        tracing::error!("the database handle was not provided to the Leptos context");
        AppError::Internal { reference: None }
    })
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>()
        .await
        .map_err(|err| internal(&err))
}

/// The process's feature flags (`store::flags::Flags`, provided by the router).
pub fn flags() -> Result<store::flags::Flags, AppError> {
    use_context::<store::flags::Flags>().ok_or_else(|| {
        tracing::error!("the feature flags were not provided to the Leptos context");
        AppError::Internal { reference: None }
    })
}

/// The signed-in instance admin; anyone else is told the page does not exist.
pub async fn require_admin() -> Result<User, AppError> {
    let user = require_user().await?;
    if user.is_admin {
        Ok(user)
    } else {
        Err(AppError::NotFound)
    }
}

/// The signed-in user, or `Unauthorized`.
pub async fn require_user() -> Result<User, AppError> {
    auth_session().await?.user.ok_or(AppError::Unauthorized)
}

/// Logs the whole cause chain and answers a message that reveals nothing of it.
pub fn internal(err: &(dyn std::error::Error + 'static)) -> AppError {
    let chain = error_chain(err);
    // Server functions run on tasks of their own, outside the request's tracing span and Sentry
    // scope, so the request they serve is named here. The path only: a query string can carry
    // what someone typed.
    let request = use_context::<http::request::Parts>();
    let method = request
        .as_ref()
        .map(|r| r.method.to_string())
        .unwrap_or_default();
    let path = request
        .as_ref()
        .map(|r| r.uri.path().to_owned())
        .unwrap_or_default();
    let request_id = request
        .as_ref()
        .and_then(|r| r.headers.get("x-request-id"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // Captured here rather than from the log line, so the page can quote the event's id and
    // feedback can point at it. The log line's target keeps it from being captured twice.
    let mut extra = std::collections::BTreeMap::new();
    extra.insert("error".to_owned(), chain.clone().into());
    extra.insert("http.method".to_owned(), method.clone().into());
    extra.insert("url.path".to_owned(), path.clone().into());
    extra.insert("request_id".to_owned(), request_id.clone().into());
    let event_id = sentry::capture_event(sentry::protocol::Event {
        level: sentry::Level::Error,
        logger: Some("taskdeck::internal".to_owned()),
        message: Some("internal error in a server function".to_owned()),
        extra,
        ..Default::default()
    });
    let reference = (!event_id.is_nil()).then(|| event_id.simple().to_string());
    tracing::error!(
        target: INTERNAL_ERROR_TARGET,
        error = %chain,
        http.method = %method,
        url.path = %path,
        request_id = %request_id,
        sentry_event_id = reference.as_deref().unwrap_or_default(),
        "internal error in a server function"
    );
    AppError::Internal { reference }
}

/// The error and every cause below it, on one line.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// The log target of internal errors, which are sent to the error tracker directly.
pub const INTERNAL_ERROR_TARGET: &str = "taskdeck::internal";

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::EmailTaken => FieldError::new(
                domain::Email::FIELD,
                "An account with this email already exists.",
            )
            .into(),
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::LabelTaken => FieldError::new(
                domain::LabelName::FIELD,
                "This project already has a label with that name.",
            )
            .into(),
            StoreError::LastOwner => FieldError::new(
                crate::error::FORM,
                "A project needs at least one owner. Make someone else an owner first.",
            )
            .into(),
            StoreError::AlreadyMember => FieldError::new(
                domain::Email::FIELD,
                "This person is already a member of the project.",
            )
            .into(),
            StoreError::OwnerCannotLeave => FieldError::new(
                crate::error::FORM,
                "An owner cannot leave the project. Make another member an owner and step down \
                 to editor first, or delete the project.",
            )
            .into(),
            StoreError::IdentityTaken => FieldError::new(
                crate::error::FORM,
                "That account is already linked to a Taskdeck account.",
            )
            .into(),
            other if other.is_unavailable() => {
                tracing::warn!(error = %error_chain(&other), "database unavailable; answering 503");
                AppError::Unavailable
            }
            other => internal(&other),
        }
    }
}

fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Request(_) => StatusCode::BAD_REQUEST,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Gives an error answer its HTTP status. A plain form post (JavaScript off) is left alone: it is
/// redirected back to its form with the error in the URL, and a 4xx would stop that redirect.
pub fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        let form_post = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
            .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
            .unwrap_or(false);
        if !form_post {
            set_error_status(error);
        }
    }
    result
}

/// Sets the status an error is answered with, and when to retry if the database was the trouble.
pub fn set_error_status(error: &AppError) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status_of(error));
        if matches!(error, AppError::Unavailable) {
            response.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(crate::error::RETRY_AFTER_SECS),
            );
        }
    }
}

/// Sets the status of a page rendered on the server (404 for a missing project, say).
pub fn set_page_status(status: StatusCode) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
}

/// Sends feedback to the error tracker as a user-feedback envelope; nothing happens when Sentry is
/// off. The person's id goes with it, never their email address.
pub fn forward_feedback(
    user: store::UserId,
    message: &domain::FeedbackMessage,
    about: Option<&str>,
) {
    let Some(client) = sentry::Hub::current().client() else {
        return;
    };
    let event_id = uuid::Uuid::new_v4().simple().to_string();
    let mut feedback = serde_json::json!({ "message": message.as_str(), "source": "taskdeck" });
    if let Some(about) = about {
        feedback["associated_event_id"] = about.into();
    }
    let header = serde_json::json!({ "event_id": event_id });
    let item = serde_json::json!({ "type": "feedback" });
    let payload = serde_json::json!({
        "event_id": event_id,
        "timestamp": chrono::Utc::now().timestamp_millis() as f64 / 1000.0,
        "platform": "other",
        "level": "info",
        "user": { "id": user.to_string() },
        "contexts": { "feedback": feedback },
    });
    let raw = format!("{header}\n{item}\n{payload}\n").into_bytes();
    match sentry::Envelope::from_bytes_raw(raw) {
        Ok(envelope) => client.send_envelope(envelope),
        Err(err) => tracing::warn!(error = %err, "could not build a feedback envelope"),
    }
}

/// The value of one of the request's cookies.
pub fn request_cookie(name: &str) -> Option<String> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    })
}

/// Sets a short-lived cookie only the server reads (`HttpOnly`, `Secure` when the app is on
/// https); `None` removes it. `value` must be cookie-safe (the callers' are hex and digits).
pub fn set_private_cookie(name: &str, value: Option<&str>, max_age_secs: u32) {
    let secure = use_context::<crate::SecureCookies>().unwrap_or_default().0;
    let cookie = format!(
        "{name}={}; Path=/; Max-Age={}; SameSite=Lax; HttpOnly{}",
        value.unwrap_or_default(),
        if value.is_some() { max_age_secs } else { 0 },
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The cookie that brings someone who opened an invitation's link signed out back to it after
/// signing in (or signing up and then in): the link's token.
pub const RETURN_TO_INVITATION: &str = "taskdeck_invitation";

/// Where a sign-in goes next: back to the invitation link opened before signing in, if any (the
/// cookie is then removed), else the projects page.
pub fn after_sign_in() -> String {
    match request_cookie(RETURN_TO_INVITATION).filter(|t| domain::is_invitation_token(t)) {
        Some(token) => {
            set_private_cookie(RETURN_TO_INVITATION, None, 0);
            format!("{}{token}", domain::InvitationLink::PREFIX)
        }
        None => "/projects".to_owned(),
    }
}

/// The address people reach the app at (APP_URL, without a trailing `/`), for links that leave
/// the app: an invitation's link is copied and sent to someone. Given by the server.
#[derive(Clone, Debug, Default)]
pub struct AppUrl(pub String);

/// `path` as a whole URL, on the app's address.
pub fn absolute(path: &str) -> String {
    let base = use_context::<AppUrl>().unwrap_or_default().0;
    format!("{}{path}", base.trim_end_matches('/'))
}
