//! GitHub: OAuth 2 with PKCE, then the user and their verified email from the REST API.

use super::client::{token_failure, OAuth, Pending};
use crate::config::GitHubSettings;
use domain::{Email, OAuthFailure, Provider};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, PkceCodeVerifier, RedirectUrl,
    TokenResponse, TokenUrl,
};
use serde::Deserialize;
use store::identities::ProviderIdentity;

pub(super) fn github_client(
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
    pub(super) async fn github_identity(
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
}
