//! The sign-in client shared by the routes and both providers: settings, an HTTP client that
//! never follows redirects, and what a session remembers while the person is at the provider.

use crate::config::OAuthSettings;
use domain::{OAuthFailure, Provider};
use oauth2::RequestTokenError;
use openidconnect::core::CoreProviderMetadata;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{Db, UserId};
use tokio::sync::RwLock;

/// How long a person has between leaving for the provider and coming back.
pub(super) const PENDING_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Discovery documents (and the signing keys in them) are fetched again after this long, so a
/// key rotation at the provider does not need a restart.
pub(super) const DISCOVERY_LIFETIME: Duration = Duration::from_secs(60 * 60);
pub(super) const PENDING_KEY: &str = "taskdeck.oauth_pending";

/// A sign-in that left for the provider and has not come back yet. Lives in the session only.
#[derive(Serialize, Deserialize)]
pub(super) struct Pending {
    pub(super) provider: String,
    pub(super) state: String,
    pub(super) pkce_verifier: String,
    pub(super) nonce: String,
    /// Set when a signed-in person is linking the provider to their account.
    pub(super) link_to: Option<UserId>,
    pub(super) started_at: i64,
}

#[derive(Clone)]
pub struct OAuth {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) settings: OAuthSettings,
    app_url: String,
    pub(super) db: Db,
    pub(super) http: reqwest::Client,
    pub(super) google_metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
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

    pub(super) fn redirect_uri(&self, provider: Provider) -> String {
        format!("{}/auth/{}/callback", self.inner.app_url, provider.as_str())
    }
}

/// Sorts a failed token request: the provider saying no, or the provider not being there.
pub(super) fn token_failure<RE: std::error::Error, TE: oauth2::ErrorResponse>(
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
