//! Google: OpenID Connect, with the discovery document cached for an hour and the ID token
//! verified (signature, issuer, audience, expiry, nonce).

use super::client::{token_failure, OAuth, Pending, DISCOVERY_LIFETIME};
use crate::config::GoogleSettings;
use domain::{Email, OAuthFailure, Provider};
use oauth2::{AuthorizationCode, ClientId, ClientSecret, PkceCodeVerifier, RedirectUrl};
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{IssuerUrl, Nonce};
use std::time::Instant;
use store::identities::ProviderIdentity;

impl OAuth {
    fn google_settings(&self) -> Result<&GoogleSettings, OAuthFailure> {
        self.inner
            .settings
            .google
            .as_ref()
            .ok_or(OAuthFailure::NotConfigured)
    }

    /// Google's discovery document, fetched on first use and again once it is an hour old. A
    /// failed fetch is not kept, so the next sign-in tries again.
    async fn google_metadata(&self) -> Result<CoreProviderMetadata, OAuthFailure> {
        if let Some((fetched, metadata)) = &*self.inner.google_metadata.read().await {
            if fetched.elapsed() < DISCOVERY_LIFETIME {
                return Ok(metadata.clone());
            }
        }
        let google = self.google_settings()?;
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

    pub(super) async fn google_client(
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
        let google = self.google_settings()?;
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

    pub(super) async fn google_identity(
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
