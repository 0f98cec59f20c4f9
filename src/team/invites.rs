//! Opening and accepting an invitation link.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Path, State},
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{
    queries::{self, Invitation},
    views::{DeadLink, InvitationState, InvitationView},
};
use crate::{
    audit::{self, queries::Actor},
    auth::{CurrentUser, MaybeUser},
    db::{Databases, Tx},
    error::{AppError, AppResult},
    state::AppState,
    tenancy::make_active,
    web::{Layout, flash, page, tokens},
};

/// The invitation behind a token if it can still be accepted, else the page
/// that says why not (and nothing about the workspace).
pub async fn usable(state: &AppState, token: &str) -> AppResult<Result<Invitation, DeadLink>> {
    let dead = |title, message| Err(DeadLink { title, message });
    // Most sign-ups carry no invitation: no lookup for an empty token.
    let found = match token {
        "" => None,
        token => queries::by_token(&state.db, &tokens::hash(token)).await?,
    };
    let Some(invitation) = found else {
        return Ok(dead("This invitation link is not valid", "Check that you copied the whole link from the mail."));
    };
    Ok(if invitation.revoked_at.is_some() {
        dead("This invitation was withdrawn", "Ask the person who invited you for a new one.")
    } else if invitation.accepted_at.is_some() {
        dead("This invitation was already used", "Sign in to reach the workspace, or ask for a new invitation.")
    } else if invitation.expires_at < OffsetDateTime::now_utc() {
        dead(
            "This invitation has expired",
            "Invitations work for 7 days. Ask the person who invited you to send it again.",
        )
    } else {
        Ok(invitation)
    })
}

pub async fn view_invitation(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    layout: Layout,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let state_of_link = match usable(&state, &token).await? {
        Err(dead) => InvitationState::Dead(dead),
        Ok(invitation) => match user {
            None => InvitationState::SignedOut { invitation },
            Some(user) if user.email == invitation.email && !user.email_verified => {
                InvitationState::ConfirmFirst { invitation }
            }
            Some(user) if user.email == invitation.email => InvitationState::ForYou { invitation },
            Some(user) => InvitationState::ForSomeoneElse { invitation, your_email: user.email },
        },
    };
    let mut layout = layout;
    let logo = match &state_of_link {
        InvitationState::SignedOut { invitation }
        | InvitationState::ForYou { invitation }
        | InvitationState::ConfirmFirst { invitation }
        | InvitationState::ForSomeoneElse { invitation, .. } => {
            // The page wears the inviting workspace's colours, not the visitor's.
            layout.brand = crate::tenancy::Brand { colour: invitation.brand_colour.clone(), ..Default::default() };
            crate::branding::logo::data_url(&state.storage, invitation.workspace_id, &invitation.logo).await
        }
        InvitationState::Dead(_) => None,
    };
    let signup_open = state.config.signup != crate::config::SignupPolicy::Closed;
    page(InvitationView { layout, state: state_of_link, token, logo, signup_open })
}

pub async fn accept(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    state.check_auth_rate(&peer, "invite", &user.email).await?;
    let invitation = match usable(&state, &token).await? {
        Ok(invitation) => invitation,
        Err(_) => return Ok(Redirect::to(&format!("/invites/{token}")).into_response()),
    };
    if invitation.email != user.email {
        return Err(AppError::Forbidden("This invitation is for another email address. Nothing was changed."));
    }
    // Only someone who proved the address may take the seat it was sent to.
    if !user.email_verified {
        return Err(AppError::Forbidden(
            "Confirm your email address first: follow the link we mailed you, then accept. Nothing was changed.",
        ));
    }
    let tx = state.db.begin_write().await?;
    join(&state.databases, tx, &invitation, &user, &peer.ip().to_string()).await?;
    make_active(&session, invitation.workspace_id).await?;
    flash::success(&session, format!("Welcome to {}.", invitation.workspace_name)).await?;
    Ok(Redirect::to("/").into_response())
}

/// Makes `user` a member with the invitation's role and marks it used, in
/// one transaction; a link used twice at once joins once.
pub async fn join(
    databases: &Databases,
    tx: Tx,
    invitation: &Invitation,
    user: &CurrentUser,
    ip: &str,
) -> AppResult<()> {
    // The token named the workspace; this transaction touches only its rows
    // (and, in `main`, the membership and the invitation).
    let mut tx = databases.workspace_tx_with_main(invitation.workspace_id, tx).await?;
    if !queries::mark_accepted(&mut tx, invitation.id).await? {
        return Err(AppError::Conflict("This invitation was used or withdrawn a moment ago."));
    }
    queries::add(&mut tx, user.id, invitation.role).await?;
    let actor = Actor { id: Some(user.id), name: &user.name, ip };
    audit::queries::record_by(&mut tx, actor, "invitation.accepted", &user.email, invitation.role.as_str()).await?;
    tx.commit().await?;
    Ok(())
}
