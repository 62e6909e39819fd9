//! The routes: `POST /auth/{provider}/start` signs in (or signs up) and
//! `POST /auth/{provider}/link` links the provider to the signed-in account; both are ordinary
//! same-origin form posts, so the CSRF guard covers them and no GET changes anything. The
//! provider sends the browser back to `GET /auth/{provider}/callback`, which only acts when its
//! `state` matches the one this session started, once. Failures go back to the page the person
//! came from with a failure code ([`OAuthFailure`]), never with the provider's own words.

use super::client::{OAuth, Pending, PENDING_KEY, PENDING_LIFETIME};
use super::github::github_client;
use super::policy;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::{OAuthFailure, Provider};
use oauth2::{CsrfToken, PkceCodeChallenge, Scope};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::Nonce;
use serde::Deserialize;
use store::auth::AuthSession;
use store::UserId;

impl OAuth {
    pub fn routes<S>(&self) -> Router<S> {
        Router::new()
            .route("/auth/{provider}/start", post(start))
            .route("/auth/{provider}/link", post(link))
            .route("/auth/{provider}/callback", get(callback))
            .with_state(self.clone())
    }
}

/// The path's `{provider}` when it is one Taskdeck knows; any other answers 404.
struct KnownProvider(Provider);

impl<S: Send + Sync> FromRequestParts<S> for KnownProvider {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Provider::parse(&raw)
            .map(KnownProvider)
            .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
    }
}

/// Where a failure is shown: the sign-in page, or the account page when linking.
fn failed(provider: Provider, linking: bool, failure: OAuthFailure) -> Response {
    metrics::counter!("taskdeck_sign_ins_total", "method" => provider.as_str(), "result" => "failure")
        .increment(1);
    tracing::info!(
        provider = provider.as_str(),
        failure = failure.code(),
        "sign-in with a provider failed"
    );
    let page = if linking { "/account" } else { "/login" };
    Redirect::to(&format!(
        "{page}?provider={}&oauth_error={}",
        provider.as_str(),
        failure.code()
    ))
    .into_response()
}

async fn start(
    State(oauth): State<OAuth>,
    KnownProvider(provider): KnownProvider,
    auth: AuthSession,
) -> Response {
    begin(&oauth, provider, auth, None).await
}

async fn link(
    State(oauth): State<OAuth>,
    KnownProvider(provider): KnownProvider,
    auth: AuthSession,
) -> Response {
    let Some(user) = auth.user.clone() else {
        return Redirect::to("/login").into_response();
    };
    begin(&oauth, provider, auth, Some(user.id)).await
}

/// Remembers a fresh state, PKCE verifier and nonce in the session and sends the browser to the
/// provider.
async fn begin(
    oauth: &OAuth,
    provider: Provider,
    auth: AuthSession,
    link_to: Option<UserId>,
) -> Response {
    let linking = link_to.is_some();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random();
    let nonce = Nonce::new_random();
    let redirect_uri = oauth.redirect_uri(provider);
    let authorize_url = match provider {
        Provider::GitHub => {
            let Some(github) = &oauth.inner.settings.github else {
                return failed(provider, linking, OAuthFailure::NotConfigured);
            };
            match github_client(github, &redirect_uri) {
                Ok(client) => {
                    client
                        .authorize_url(|| state.clone())
                        .add_scope(Scope::new("read:user".to_owned()))
                        .add_scope(Scope::new("user:email".to_owned()))
                        .set_pkce_challenge(challenge)
                        .url()
                        .0
                }
                Err(err) => {
                    tracing::error!(%err, "GitHub's endpoints are misconfigured");
                    return failed(provider, linking, OAuthFailure::NotConfigured);
                }
            }
        }
        Provider::Google => {
            let client = match oauth.google_client(&redirect_uri).await {
                Ok(client) => client,
                Err(failure) => return failed(provider, linking, failure),
            };
            let (state, nonce) = (state.clone(), nonce.clone());
            client
                .authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    move || state,
                    move || nonce,
                )
                .add_scope(openidconnect::Scope::new("email".to_owned()))
                .add_scope(openidconnect::Scope::new("profile".to_owned()))
                .set_pkce_challenge(challenge)
                .url()
                .0
        }
    };
    let pending = Pending {
        provider: provider.as_str().to_owned(),
        state: state.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        link_to,
        started_at: chrono::Utc::now().timestamp(),
    };
    if let Err(err) = auth.session.insert(PENDING_KEY, pending).await {
        tracing::error!(%err, "could not keep the sign-in's state in the session");
        return failed(provider, linking, OAuthFailure::Unavailable);
    }
    Redirect::to(authorize_url.as_str()).into_response()
}

#[derive(Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(oauth): State<OAuth>,
    KnownProvider(provider): KnownProvider,
    Query(params): Query<CallbackParams>,
    mut auth: AuthSession,
) -> Response {
    // Taken out at once: a state is good for one callback only, even a failed one.
    let pending: Option<Pending> = match auth.session.remove(PENDING_KEY).await {
        Ok(pending) => pending,
        Err(err) => {
            tracing::error!(%err, "could not read the sign-in's state from the session");
            return failed(provider, false, OAuthFailure::Unavailable);
        }
    };
    let Some(pending) = pending.filter(|p| {
        p.provider == provider.as_str()
            && params
                .state
                .as_deref()
                .is_some_and(|state| constant_time_eq(state, &p.state))
    }) else {
        return failed(provider, false, OAuthFailure::Expired);
    };
    let linking = pending.link_to.is_some();
    let age = chrono::Utc::now().timestamp() - pending.started_at;
    if !(0..=PENDING_LIFETIME.as_secs() as i64).contains(&age) {
        return failed(provider, linking, OAuthFailure::Expired);
    }
    if let Some(error) = params.error.as_deref() {
        let failure = if error == "access_denied" {
            OAuthFailure::Denied
        } else {
            OAuthFailure::Refused
        };
        return failed(provider, linking, failure);
    }
    let Some(code) = params.code else {
        return failed(provider, linking, OAuthFailure::Refused);
    };
    let identity = match provider {
        Provider::GitHub => oauth.github_identity(code, &pending).await,
        Provider::Google => oauth.google_identity(code, &pending).await,
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(failure) => return failed(provider, linking, failure),
    };
    match pending.link_to {
        Some(user_id) => {
            match policy::link_identity(&oauth.inner.db, &auth, user_id, &identity).await {
                Ok(()) => {
                    Redirect::to(&format!("/account?linked={}", provider.as_str())).into_response()
                }
                Err(failure) => failed(provider, true, failure),
            }
        }
        None => match policy::sign_in(&oauth.inner.db, &mut auth, &identity).await {
            Ok(()) => Redirect::to("/projects").into_response(),
            Err(failure) => failed(provider, false, failure),
        },
    }
}

/// Compares secrets without an early exit, so timing does not reveal how much of a guess matched.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
