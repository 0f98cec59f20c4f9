//! Which account a provider's profile belongs to: sign in, link, claim or
//! create.
//!
//! A provider links to an account by email only when it verified the
//! address, and only to an account whose address is confirmed. When the
//! account's address was never confirmed, the provider's owner of the
//! address wins: the unproven password, every other way in and every other
//! session go, and the platform audit log records it.

use std::net::SocketAddr;

use tower_sessions::Session;
use uuid::Uuid;

use super::{Profile, Provider};
use crate::{
    auth::{CurrentUser, queries, queries::User, session::sign_in, verification},
    config::SignupPolicy,
    error::{AppError, AppResult},
    state::AppState,
    team, tenancy,
    web::flash,
};

/// Signs in, links, claims or creates the account the profile belongs to.
/// Returns where to go next, or the message to show on failure.
pub async fn settle(
    state: &AppState,
    session: &Session,
    peer: &SocketAddr,
    provider: Provider,
    profile: &Profile,
    link_to: Option<Uuid>,
) -> AppResult<Result<String, String>> {
    let known = queries::identity(&state.db, provider.key(), &profile.subject).await?;
    if let Some(user_id) = link_to {
        return link(state, session, provider, profile, user_id, known.map(|i| i.user_id)).await;
    }
    if let Some(identity) = known {
        let user = queries::by_id(&state.db, identity.user_id).await?.ok_or(AppError::NotFound)?;
        if profile.email_verified && profile.email == user.email {
            prove(state, user.id, &user.email).await?;
        }
        return Ok(Ok(sign_in(state, session, &user, "/").await?.destination("/")));
    }
    if let Some(user) = queries::by_email(&state.db, &profile.email).await? {
        if !profile.email_verified {
            return Ok(Err(format!(
                "An Easel account already uses {}, and {} has not verified that address. Sign in with your password, then link {} from your account page.",
                profile.email,
                provider.label(),
                provider.label()
            )));
        }
        if !user.email_verified {
            return claim(state, session, provider, profile, &user).await.map(Ok);
        }
        let mut tx = state.db.begin_write().await?;
        queries::link_identity(&mut tx, provider.key(), &profile.subject, user.id, &profile.email).await?;
        tx.commit().await?;
        return Ok(Ok(sign_in(state, session, &user, "/").await?.destination("/")));
    }
    create(state, session, peer, provider, profile).await
}

/// Marks the address proved (the provider verified it).
async fn prove(state: &AppState, user: Uuid, email: &str) -> AppResult<()> {
    let mut tx = state.db.begin_write().await?;
    let newly = queries::mark_verified(&mut tx, user).await?;
    tx.commit().await?;
    if newly {
        verification::after_proof(state, email).await;
    }
    Ok(())
}

/// A signed-in person links another way to sign in. An account whose address
/// is not confirmed links only a provider that verified that same address.
async fn link(
    state: &AppState,
    session: &Session,
    provider: Provider,
    profile: &Profile,
    user_id: Uuid,
    linked_to: Option<Uuid>,
) -> AppResult<Result<String, String>> {
    match linked_to {
        Some(other) if other != user_id => {
            return Ok(Err(format!("That {} account is already linked to another Easel account.", provider.label())));
        }
        Some(_) => return Ok(Ok("/account".into())),
        None => {}
    }
    let user = queries::by_id(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let proves = profile.email_verified && profile.email == user.email;
    if !user.email_verified && !proves {
        return Ok(Err(format!(
            "Confirm your email address first (follow the link we mailed you), then link {}.",
            provider.label()
        )));
    }
    let mut tx = state.db.begin_write().await?;
    queries::link_identity(&mut tx, provider.key(), &profile.subject, user_id, &profile.email).await?;
    let newly = proves && queries::mark_verified(&mut tx, user_id).await?;
    tx.commit().await?;
    if newly {
        verification::after_proof(state, &user.email).await;
    }
    flash::success(session, format!("You can now sign in with {}.", provider.label())).await?;
    Ok(Ok("/account".into()))
}

/// The provider verified an address that an unconfirmed account uses: its
/// owner takes the account over. Whoever signed up with the address first
/// proved nothing, so their password, other providers and sessions go.
async fn claim(
    state: &AppState,
    session: &Session,
    provider: Provider,
    profile: &Profile,
    user: &User,
) -> AppResult<String> {
    let mut tx = state.db.begin_write().await?;
    queries::drop_password(&mut tx, user.id).await?;
    queries::drop_identities(&mut tx, user.id).await?;
    // A second factor the unproven owner set up would lock the real one out.
    crate::auth::two_factor::queries::remove(&mut tx, user.id).await?;
    queries::link_identity(&mut tx, provider.key(), &profile.subject, user.id, &profile.email).await?;
    queries::mark_verified(&mut tx, user.id).await?;
    queries::end_resets(&mut tx, user.id).await?;
    queries::use_verifications(&mut tx, user.id, "").await?;
    queries::end_sessions_in(&mut tx, user.id).await?;
    let detail = format!(
        "{} verified the address; the unproven password, two-factor, other sign-ins and every session were removed",
        provider.label()
    );
    queries::record_account_event(&mut tx, user.id, &user.email, "account.claimed", &detail).await?;
    tx.commit().await?;
    tracing::warn!(user = %user.id, provider = provider.key(), "an unconfirmed account was claimed by the verified owner of its address");
    verification::after_proof(state, &user.email).await;
    let fresh = queries::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let signed_in = sign_in(state, session, &fresh, "/").await?;
    flash::success(
        session,
        format!(
            "Signed in with {}. Nobody had confirmed this account's address, so its password, two-factor and any other \
             sign-ins were removed and every other session ended. Set a new password from your account page if you want one.",
            provider.label()
        ),
    )
    .await?;
    Ok(signed_in.destination("/"))
}

/// A new person, where the sign-up policy allows one: their account, their
/// identity, and either the workspace an invitation waits in (when the
/// provider verified the email) or a studio.
async fn create(
    state: &AppState,
    session: &Session,
    peer: &SocketAddr,
    provider: Provider,
    profile: &Profile,
) -> AppResult<Result<String, String>> {
    let invitation =
        team::queries::pending_for_email(&state.db, &profile.email).await?.filter(|_| profile.email_verified);
    match (state.config.signup, &invitation) {
        (SignupPolicy::Closed, _) => {
            return Ok(Err("New accounts are not open on this Easel. Ask its operator to make one for you.".into()));
        }
        (SignupPolicy::Invite, None) => {
            return Ok(Err(format!(
                "Joining this Easel needs an invitation, and none waits for {}. Nothing was created.",
                profile.email
            )));
        }
        _ => {}
    }
    let mut tx = state.db.begin_write().await?;
    let user = queries::create(&mut tx, &profile.email, &profile.name, None).await?;
    queries::link_identity(&mut tx, provider.key(), &profile.subject, user.id, &profile.email).await?;
    let link = match profile.email_verified {
        true => {
            queries::mark_verified(&mut tx, user.id).await?;
            None
        }
        false => Some(verification::new_link(state, &mut tx, user.id, &profile.email).await?),
    };
    let workspace = match &invitation {
        Some(invitation) => {
            let person = CurrentUser::from(&user);
            team::invites::join(&state.databases, tx, invitation, &person, &peer.ip().to_string()).await?;
            invitation.workspace_id
        }
        None => {
            let (mut tx, placement) = state.databases.new_workspace_tx(tx).await?;
            let studio = format!("{}'s studio", user.name);
            tenancy::queries::create(&mut tx, &studio, user.id, &state.config.default_plan, &placement).await?;
            let id = tx.workspace_id();
            tx.commit().await?;
            id
        }
    };
    match link {
        Some(link) => verification::mail_link(state, &user.name, &user.email, &link).await,
        None => verification::after_proof(state, &user.email).await,
    }
    let signed_in = sign_in(state, session, &user, "/").await?;
    tenancy::make_active(session, workspace).await?;
    Ok(Ok(signed_in.destination("/")))
}
