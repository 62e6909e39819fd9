//! Signing in with GitHub (OAuth 2 authorization code) and Google (OpenID Connect), both with
//! `state` and PKCE (S256) kept in the person's session.
//!
//! `POST /auth/{provider}/start` signs in (or signs up) and `POST /auth/{provider}/link` links the
//! provider to the signed-in account; both are ordinary same-origin form posts, so the CSRF guard
//! covers them and no GET changes anything. The provider sends the browser back to
//! `GET /auth/{provider}/callback`, which only acts when its `state` matches the one this session
//! started, once. Failures go back to the page the person came from with a failure code
//! ([`OAuthFailure`]), never with the provider's own words.

use crate::config::Secret;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::{Email, OAuthFailure, Provider};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{IssuerUrl, Nonce};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::auth::AuthSession;
use store::identities::{self, ProviderIdentity};
use store::{Db, StoreError, UserId};
use tokio::sync::RwLock;

/// GitHub's endpoints; each can be pointed elsewhere (tests use a local stand-in).
#[derive(Clone, Debug)]
pub struct GitHubSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_url: String,
    pub token_url: String,
    pub api_url: String,
}

/// Google, found through OpenID Connect discovery at the issuer.
#[derive(Clone, Debug)]
pub struct GoogleSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub issuer_url: String,
}

/// The providers this server offers; one whose variables are unset is simply absent.
#[derive(Clone, Debug, Default)]
pub struct OAuthSettings {
    pub github: Option<GitHubSettings>,
    pub google: Option<GoogleSettings>,
}

impl OAuthSettings {
    /// Where browsers are sent to sign in: GitHub's authorization URL, Google's issuer (whose
    /// authorization endpoint is on the same origin). For the pages' CSP `form-action`.
    pub fn authorization_origins(&self) -> Vec<String> {
        let urls = [
            self.github.as_ref().map(|g| g.auth_url.as_str()),
            self.google.as_ref().map(|g| g.issuer_url.as_str()),
        ];
        urls.into_iter()
            .flatten()
            .filter_map(|url| reqwest::Url::parse(url).ok())
            .map(|url| url.origin().ascii_serialization())
            .filter(|origin| origin != "null")
            .collect()
    }

    pub fn offered(&self) -> Vec<Provider> {
        let mut offered = Vec::new();
        if self.github.is_some() {
            offered.push(Provider::GitHub);
        }
        if self.google.is_some() {
            offered.push(Provider::Google);
        }
        offered
    }
}

/// How long a person has between leaving for the provider and coming back.
const PENDING_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Discovery documents (and the signing keys in them) are fetched again after this long, so a
/// key rotation at the provider does not need a restart.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(60 * 60);
const PENDING_KEY: &str = "taskdeck.oauth_pending";

/// A sign-in that left for the provider and has not come back yet. Lives in the session only.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    state: String,
    pkce_verifier: String,
    nonce: String,
    /// Set when a signed-in person is linking the provider to their account.
    link_to: Option<UserId>,
    started_at: i64,
}

#[derive(Clone)]
pub struct OAuth {
    inner: Arc<Inner>,
}

struct Inner {
    settings: OAuthSettings,
    app_url: String,
    db: Db,
    http: reqwest::Client,
    google_metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

impl OAuth {
    pub fn new(settings: OAuthSettings, app_url: &str, db: Db) -> Self {
        // No redirects: a token endpoint that redirects is misconfigured or hostile (and the
        // openidconnect crate requires it).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Taskdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                settings,
                app_url: app_url.trim_end_matches('/').to_owned(),
                db,
                http,
                google_metadata: RwLock::new(None),
            }),
        }
    }

    pub fn routes<S>(&self) -> Router<S> {
        Router::new()
            .route("/auth/{provider}/start", post(start))
            .route("/auth/{provider}/link", post(link))
            .route("/auth/{provider}/callback", get(callback))
            .with_state(self.clone())
    }

    fn redirect_uri(&self, provider: Provider) -> String {
        format!("{}/auth/{}/callback", self.inner.app_url, provider.as_str())
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
    Path(provider): Path<String>,
    auth: AuthSession,
) -> Response {
    let Some(provider) = Provider::parse(&provider) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    begin(&oauth, provider, auth, None).await
}

async fn link(
    State(oauth): State<OAuth>,
    Path(provider): Path<String>,
    auth: AuthSession,
) -> Response {
    let Some(provider) = Provider::parse(&provider) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
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
    Path(provider): Path<String>,
    Query(params): Query<CallbackParams>,
    mut auth: AuthSession,
) -> Response {
    let Some(provider) = Provider::parse(&provider) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
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
        Some(user_id) => link_identity(&oauth.inner.db, &auth, user_id, &identity).await,
        None => sign_in(&oauth.inner.db, &mut auth, &identity).await,
    }
}

/// Links the identity to the signed-in account that asked for it.
async fn link_identity(
    db: &Db,
    auth: &AuthSession,
    user_id: UserId,
    identity: &ProviderIdentity,
) -> Response {
    let provider = identity.provider;
    // The person who started linking must still be the one signed in.
    if auth.user.as_ref().map(|u| u.id) != Some(user_id) {
        return failed(provider, true, OAuthFailure::Expired);
    }
    match identities::user_for(db, provider, &identity.subject).await {
        Ok(Some(owner)) if owner.id == user_id => {}
        Ok(Some(_)) => return failed(provider, true, OAuthFailure::LinkedElsewhere),
        Ok(None) => match identities::link(db, user_id, identity).await {
            Ok(()) => tracing::info!(user_id, provider = provider.as_str(), "provider linked"),
            Err(StoreError::IdentityTaken) => {
                return failed(provider, true, OAuthFailure::LinkedElsewhere)
            }
            Err(err) => return internal(provider, true, &err),
        },
        Err(err) => return internal(provider, true, &err),
    }
    Redirect::to(&format!("/account?linked={}", provider.as_str())).into_response()
}

/// Signs in the account linked to the identity, or creates one on a first sign-in. An account
/// that merely has the same email is never taken over: its owner must sign in and link.
async fn sign_in(db: &Db, auth: &mut AuthSession, identity: &ProviderIdentity) -> Response {
    let provider = identity.provider;
    let user = match identities::user_for(db, provider, &identity.subject).await {
        Ok(Some(user)) => user,
        Ok(None) => match identities::sign_up(db, identity).await {
            Ok(user) => {
                tracing::info!(
                    user_id = user.id,
                    provider = provider.as_str(),
                    "account created"
                );
                user
            }
            Err(StoreError::EmailTaken) => {
                return failed(provider, false, OAuthFailure::EmailInUse)
            }
            Err(StoreError::IdentityTaken) => {
                return failed(provider, false, OAuthFailure::Expired)
            }
            Err(err) => return internal(provider, false, &err),
        },
        Err(err) => return internal(provider, false, &err),
    };
    if let Err(err) = store::auth::start_session(auth, &user).await {
        return internal(provider, false, &err);
    }
    metrics::counter!("taskdeck_sign_ins_total", "method" => provider.as_str(), "result" => "success")
        .increment(1);
    tracing::info!(user_id = user.id, provider = provider.as_str(), "signed in");
    Redirect::to("/projects").into_response()
}

fn internal(provider: Provider, linking: bool, err: &StoreError) -> Response {
    tracing::error!(error = %err, provider = provider.as_str(), "sign-in with a provider broke");
    failed(provider, linking, OAuthFailure::Unavailable)
}

/// Compares secrets without an early exit, so timing does not reveal how much of a guess matched.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn github_client(
    github: &GitHubSettings,
    redirect_uri: &str,
) -> Result<
    BasicClient<
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
    oauth2::url::ParseError,
> {
    Ok(BasicClient::new(ClientId::new(github.client_id.clone()))
        .set_client_secret(ClientSecret::new(github.client_secret.expose().to_owned()))
        .set_auth_uri(AuthUrl::new(github.auth_url.clone())?)
        .set_token_uri(TokenUrl::new(github.token_url.clone())?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned())?))
}

/// Sorts a failed token request: the provider saying no, or the provider not being there.
fn token_failure<RE: std::error::Error, TE: oauth2::ErrorResponse>(
    err: &RequestTokenError<RE, TE>,
) -> OAuthFailure {
    match err {
        RequestTokenError::ServerResponse(_) => OAuthFailure::Refused,
        // GitHub answers a refused code with 200 and an error object, which does not parse as a
        // token; anything else that does not parse means the provider is not itself.
        RequestTokenError::Parse(_, body) => {
            #[derive(Deserialize)]
            struct ErrorBody {
                #[allow(dead_code)]
                error: String,
            }
            if serde_json::from_slice::<ErrorBody>(body).is_ok() {
                OAuthFailure::Refused
            } else {
                OAuthFailure::Unavailable
            }
        }
        RequestTokenError::Request(_) | RequestTokenError::Other(_) => OAuthFailure::Unavailable,
    }
}

#[derive(Deserialize)]
struct GitHubUser {
    id: i64,
}

#[derive(Deserialize)]
struct GitHubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

impl OAuth {
    async fn github_identity(
        &self,
        code: String,
        pending: &Pending,
    ) -> Result<ProviderIdentity, OAuthFailure> {
        let github = self
            .inner
            .settings
            .github
            .as_ref()
            .ok_or(OAuthFailure::NotConfigured)?;
        let client = github_client(github, &self.redirect_uri(Provider::GitHub))
            .map_err(|_| OAuthFailure::NotConfigured)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.inner.http)
            .await
            .map_err(|err| {
                tracing::warn!(error = %err, "GitHub's token endpoint refused or failed");
                token_failure(&err)
            })?;
        let access_token = token.access_token().secret();
        let api = github.api_url.trim_end_matches('/');
        let user: GitHubUser = self
            .github_get(&format!("{api}/user"), access_token)
            .await?;
        let emails: Vec<GitHubEmail> = self
            .github_get(&format!("{api}/user/emails"), access_token)
            .await?;
        // The primary address if verified, else any verified one: never an unverified address.
        let email = emails
            .iter()
            .filter(|e| e.verified)
            .max_by_key(|e| e.primary)
            .and_then(|e| Email::parse(&e.email).ok())
            .ok_or(OAuthFailure::NoVerifiedEmail)?;
        Ok(ProviderIdentity {
            provider: Provider::GitHub,
            subject: user.id.to_string(),
            email,
        })
    }

    async fn github_get<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        access_token: &str,
    ) -> Result<T, OAuthFailure> {
        let response = self
            .inner
            .http
            .get(url)
            .bearer_auth(access_token)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .send()
            .await
            .map_err(|err| {
                tracing::warn!(error = %err, "GitHub's API did not answer");
                OAuthFailure::Unavailable
            })?;
        if !response.status().is_success() {
            tracing::warn!(status = %response.status(), url, "GitHub's API refused");
            return Err(if response.status().is_server_error() {
                OAuthFailure::Unavailable
            } else {
                OAuthFailure::Refused
            });
        }
        response.json().await.map_err(|err| {
            tracing::warn!(error = %err, url, "GitHub's API answered something unexpected");
            OAuthFailure::Unavailable
        })
    }

    /// Google's discovery document, fetched on first use and again once it is an hour old. A
    /// failed fetch is not kept, so the next sign-in tries again.
    async fn google_metadata(&self) -> Result<CoreProviderMetadata, OAuthFailure> {
        if let Some((fetched, metadata)) = &*self.inner.google_metadata.read().await {
            if fetched.elapsed() < DISCOVERY_LIFETIME {
                return Ok(metadata.clone());
            }
        }
        let google = self
            .inner
            .settings
            .google
            .as_ref()
            .ok_or(OAuthFailure::NotConfigured)?;
        let issuer =
            IssuerUrl::new(google.issuer_url.clone()).map_err(|_| OAuthFailure::NotConfigured)?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.inner.http)
            .await
            .map_err(|err| {
                tracing::warn!(error = ?err, "Google's OpenID discovery failed");
                OAuthFailure::Unavailable
            })?;
        *self.inner.google_metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn google_client(
        &self,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OAuthFailure,
    > {
        let google = self
            .inner
            .settings
            .google
            .as_ref()
            .ok_or(OAuthFailure::NotConfigured)?;
        let metadata = self.google_metadata().await?;
        let redirect =
            RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| OAuthFailure::NotConfigured)?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(google.client_id.clone()),
            Some(ClientSecret::new(google.client_secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    async fn google_identity(
        &self,
        code: String,
        pending: &Pending,
    ) -> Result<ProviderIdentity, OAuthFailure> {
        let client = self
            .google_client(&self.redirect_uri(Provider::Google))
            .await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|_| OAuthFailure::NotConfigured)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.inner.http)
            .await
            .map_err(|err| {
                tracing::warn!(error = %err, "Google's token endpoint refused or failed");
                token_failure(&err)
            })?;
        let id_token = openidconnect::TokenResponse::id_token(&token).ok_or_else(|| {
            tracing::warn!("Google answered without an ID token");
            OAuthFailure::Refused
        })?;
        // Signature, issuer, audience, expiry and our nonce: all checked here.
        let claims = id_token
            .claims(
                &client.id_token_verifier(),
                &Nonce::new(pending.nonce.clone()),
            )
            .map_err(|err| {
                tracing::warn!(error = %err, "Google's ID token did not verify");
                OAuthFailure::Refused
            })?;
        let email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .and_then(|email| Email::parse(email.as_str()).ok())
            .ok_or(OAuthFailure::NoVerifiedEmail)?;
        Ok(ProviderIdentity {
            provider: Provider::Google,
            subject: claims.subject().as_str().to_owned(),
            email,
        })
    }
}
