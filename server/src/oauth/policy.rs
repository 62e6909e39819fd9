//! Which account a provider's identity belongs to. An identity signs in the account it is
//! linked to, or creates one on a first sign-in; an account that merely has the same email is
//! never taken over: its owner must sign in and link.

use domain::{OAuthFailure, Provider};
use store::auth::AuthSession;
use store::identities::{self, ProviderIdentity};
use store::{Db, StoreError, UserId};

/// Links the identity to the signed-in account that asked for it.
pub(super) async fn link_identity(
    db: &Db,
    auth: &AuthSession,
    user_id: UserId,
    identity: &ProviderIdentity,
) -> Result<(), OAuthFailure> {
    let provider = identity.provider;
    // The person who started linking must still be the one signed in.
    if auth.user.as_ref().map(|u| u.id) != Some(user_id) {
        return Err(OAuthFailure::Expired);
    }
    match identities::user_for(db, provider, &identity.subject).await {
        Ok(Some(owner)) if owner.id == user_id => Ok(()),
        Ok(Some(_)) => Err(OAuthFailure::LinkedElsewhere),
        Ok(None) => match identities::link(db, user_id, identity).await {
            Ok(()) => {
                tracing::info!(user_id, provider = provider.as_str(), "provider linked");
                Ok(())
            }
            Err(StoreError::IdentityTaken) => Err(OAuthFailure::LinkedElsewhere),
            Err(err) => Err(internal(provider, &err)),
        },
        Err(err) => Err(internal(provider, &err)),
    }
}

/// Signs in the account linked to the identity, or creates one on a first sign-in.
pub(super) async fn sign_in(
    db: &Db,
    auth: &mut AuthSession,
    identity: &ProviderIdentity,
) -> Result<(), OAuthFailure> {
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
            Err(StoreError::EmailTaken) => return Err(OAuthFailure::EmailInUse),
            Err(StoreError::IdentityTaken) => return Err(OAuthFailure::Expired),
            Err(err) => return Err(internal(provider, &err)),
        },
        Err(err) => return Err(internal(provider, &err)),
    };
    store::auth::start_session(auth, &user)
        .await
        .map_err(|err| internal(provider, &err))?;
    metrics::counter!("taskdeck_sign_ins_total", "method" => provider.as_str(), "result" => "success")
        .increment(1);
    tracing::info!(user_id = user.id, provider = provider.as_str(), "signed in");
    Ok(())
}

/// Something broke on our side: logged here, shown to the person as "unavailable".
fn internal(provider: Provider, err: &StoreError) -> OAuthFailure {
    tracing::error!(error = %err, provider = provider.as_str(), "sign-in with a provider broke");
    OAuthFailure::Unavailable
}
