//! The team page and its actions.

use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

use super::{INVITATION_DAYS, queries, views::TeamView};
use crate::{
    audit,
    auth::normalize_email,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    state::AppState,
    tenancy::{Permission, Role, Workspace},
    web::{Layout, flash, ids::parse_id, invalid_form, page, tokens},
};

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    user_id: String,
}

/// Roles a member with `role` may give: only an owner makes admins.
pub fn grantable(role: Role) -> Vec<Role> {
    match role {
        Role::Owner => vec![Role::Admin, Role::Member, Role::Viewer],
        Role::Admin => vec![Role::Member, Role::Viewer],
        _ => Vec::new(),
    }
}

/// Admins manage members and viewers; owners manage everyone.
pub fn may_manage(actor: Role, target: Role) -> bool {
    match actor {
        Role::Owner => true,
        Role::Admin => matches!(target, Role::Member | Role::Viewer),
        _ => false,
    }
}

async fn team_view(tx: &mut WorkspaceTx, ws: &Workspace, layout: Layout) -> AppResult<TeamView> {
    Ok(TeamView {
        layout,
        members: queries::members(tx).await?,
        invitations: queries::pending(tx).await?,
        me: ws.user().id,
        my_role: ws.role(),
        workspace_name: ws.name().to_owned(),
        workspace_id: ws.id(),
        email: String::new(),
        invite_error: None,
    })
}

pub async fn view_team(ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read().await?;
    let view = team_view(&mut tx, &ws, layout).await?;
    tx.commit().await?;
    page(view)
}

pub async fn invite(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageTeam)?;
    let mut tx = ws.write().await?;
    let role = Role::parse(&form.role).filter(|r| grantable(ws.role()).contains(r));
    let email = normalize_email(&form.email);
    let (Ok(email), Some(role)) = (&email, role) else {
        let mut view = team_view(&mut tx, &ws, layout).await?;
        view.email = form.email;
        view.invite_error = Some(match email {
            Err(why) => why.to_owned(),
            Ok(_) => "Choose a role you may give (only an owner can invite an admin).".to_owned(),
        });
        return invalid_form(view);
    };
    if queries::members(&mut tx).await?.iter().any(|m| m.email == *email) {
        let mut view = team_view(&mut tx, &ws, layout).await?;
        view.email = form.email;
        view.invite_error = Some("That person is already a member.".to_owned());
        return invalid_form(view);
    }
    let seats = crate::plans::queries::members_and_invited(&mut tx).await?;
    if let Err(why) = crate::plans::queries::limits(&mut tx).await?.allows_member(seats) {
        let mut view = team_view(&mut tx, &ws, layout).await?;
        view.email = form.email;
        view.invite_error = Some(why);
        return invalid_form(view);
    }
    may_mail_invitation(&state, &ws).await?;
    let (token, hash) = tokens::new_token();
    queries::create(&mut tx, email, role, &hash, ws.user().id, expiry()).await?;
    audit::record(&mut tx, &ws, "member.invited", email, role.as_str()).await?;
    tx.commit().await?;
    send_invitation(&state, &ws, &session, email, role, &token).await?;
    Ok(Redirect::to("/team").into_response())
}

/// Counts an invitation mail (new or resent) against the workspace's and the
/// inviter's allowance, so the team page cannot mail strangers without end.
async fn may_mail_invitation(state: &AppState, ws: &Workspace) -> AppResult<()> {
    let limits = &state.config.invite_limits;
    // The inviter first: one person at their limit does not use up the rest
    // of the team's allowance.
    let allowed = state.rate_limiter.allow(&format!("invite-mail:inviter:{}", ws.user().id), limits.per_inviter).await
        && state.rate_limiter.allow(&format!("invite-mail:workspace:{}", ws.id()), limits.per_workspace).await;
    if allowed { Ok(()) } else { Err(AppError::TooManyRequests) }
}

fn expiry() -> OffsetDateTime {
    let at = OffsetDateTime::now_utc() + Duration::days(INVITATION_DAYS);
    at.replace_nanosecond(0).unwrap_or(at)
}

/// Mails the link; without SMTP the mail goes to the outbox and the inviter
/// is shown the link to pass on.
async fn send_invitation(
    state: &AppState,
    ws: &Workspace,
    session: &Session,
    email: &str,
    role: Role,
    token: &str,
) -> AppResult<()> {
    let link = format!("{}/invites/{token}", state.config.base_url.as_str().trim_end_matches('/'));
    let body = format!(
        "Hello,\n\n{} invited you to join {} on Easel as {}.\n\nAccept the invitation here:\n{link}\n\n\
         The link works for {INVITATION_DAYS} days. If you did not expect it, ignore this mail.\n",
        ws.user().name,
        ws.name(),
        role.label().to_lowercase()
    );
    let subject = format!("{} invited you to {} on Easel", ws.user().name, ws.name());
    match state.mailer.send(email, &subject, body).await {
        Ok(()) if state.mailer.is_outbox() => {
            flash::success(
                session,
                format!("Invitation saved for {email}. Mail is not set up here, so send them this link: {link}"),
            )
            .await?
        }
        Ok(()) => flash::success(session, format!("Invitation sent to {email}.")).await?,
        Err(err) => {
            tracing::warn!(error = %err, "an invitation mail could not be sent");
            flash::error(
                session,
                format!("The invitation is saved but the mail could not be sent. Send them this link: {link}"),
            )
            .await?
        }
    }
    Ok(())
}

/// A pending invitation of this workspace, for someone allowed to manage it.
async fn pending_invitation(tx: &mut WorkspaceTx, ws: &Workspace, raw_id: &str) -> AppResult<queries::Invitation> {
    let invitation = queries::invitation(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)?;
    if invitation.accepted_at.is_some() || invitation.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    if !grantable(ws.role()).contains(&invitation.role) {
        return Err(AppError::Forbidden("Only an owner can manage an invitation for an admin."));
    }
    Ok(invitation)
}

pub async fn resend_invite(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    ws.require(Permission::ManageTeam)?;
    let mut tx = ws.write().await?;
    let invitation = pending_invitation(&mut tx, &ws, &id).await?;
    may_mail_invitation(&state, &ws).await?;
    let (token, hash) = tokens::new_token();
    queries::renew(&mut tx, invitation.id, &hash, expiry()).await?;
    audit::record(&mut tx, &ws, "invitation.resent", &invitation.email, "").await?;
    tx.commit().await?;
    send_invitation(&state, &ws, &session, &invitation.email, invitation.role, &token).await?;
    Ok(Redirect::to("/team"))
}

pub async fn revoke_invite(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::ManageTeam)?;
    let mut tx = ws.write().await?;
    let invitation = pending_invitation(&mut tx, &ws, &id).await?;
    queries::revoke(&mut tx, invitation.id).await?;
    audit::record(&mut tx, &ws, "invitation.revoked", &invitation.email, "").await?;
    tx.commit().await?;
    flash::success(&session, format!("The invitation for {} no longer works.", invitation.email)).await?;
    Ok(Redirect::to("/team"))
}

/// Refuses a change that would take the role of an owner who is the last.
async fn keep_an_owner(tx: &mut WorkspaceTx, role: Role, why: &'static str) -> AppResult<()> {
    if role == Role::Owner && queries::owner_count(tx).await? <= 1 {
        return Err(AppError::bad_request(why));
    }
    Ok(())
}

/// Another member this person may manage.
async fn manageable(tx: &mut WorkspaceTx, ws: &Workspace, raw_id: &str) -> AppResult<queries::Member> {
    let member = queries::member(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)?;
    if member.user_id == ws.user().id {
        return Err(AppError::bad_request("Use “Leave this workspace” or ask another owner to change your own role."));
    }
    if !may_manage(ws.role(), member.role) {
        return Err(AppError::Forbidden("Only an owner can change or remove an admin or an owner."));
    }
    Ok(member)
}

pub async fn change_role(
    ws: Workspace,
    session: Session,
    Path(user_id): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::ManageTeam)?;
    let mut tx = ws.write().await?;
    let member = manageable(&mut tx, &ws, &user_id).await?;
    let role = Role::parse(&form.role)
        .filter(|r| grantable(ws.role()).contains(r))
        .ok_or_else(|| AppError::bad_request("Choose a role you may give."))?;
    keep_an_owner(&mut tx, member.role, "The last owner keeps that role. Transfer ownership first.").await?;
    queries::set_role(&mut tx, member.user_id, role).await?;
    audit::record(
        &mut tx,
        &ws,
        "member.role_changed",
        &member.email,
        &format!("{} → {}", member.role.as_str(), role.as_str()),
    )
    .await?;
    tx.commit().await?;
    flash::success(&session, format!("{} is now {}.", member.name, role.label().to_lowercase())).await?;
    Ok(Redirect::to("/team"))
}

pub async fn remove_member(ws: Workspace, session: Session, Path(user_id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::ManageTeam)?;
    let mut tx = ws.write().await?;
    let member = manageable(&mut tx, &ws, &user_id).await?;
    keep_an_owner(&mut tx, member.role, "The last owner cannot be removed.").await?;
    queries::remove(&mut tx, member.user_id).await?;
    audit::record(&mut tx, &ws, "member.removed", &member.email, member.role.as_str()).await?;
    tx.commit().await?;
    flash::success(&session, format!("{} is no longer a member.", member.name)).await?;
    Ok(Redirect::to("/team"))
}

pub async fn leave(ws: Workspace, session: Session) -> AppResult<Redirect> {
    let mut tx = ws.write().await?;
    let last_owner = "You are the last owner. Transfer ownership to another member first, or delete the workspace.";
    keep_an_owner(&mut tx, ws.role(), last_owner).await?;
    queries::remove(&mut tx, ws.user().id).await?;
    audit::record(&mut tx, &ws, "member.left", &ws.user().email, ws.role().as_str()).await?;
    tx.commit().await?;
    flash::success(&session, format!("You left {}.", ws.name())).await?;
    Ok(Redirect::to("/"))
}

pub async fn transfer(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Form(form): Form<TransferForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::OwnWorkspace)?;
    let mut tx = ws.write().await?;
    let member = manageable(&mut tx, &ws, &form.user_id).await?;
    if member.role != Role::Owner {
        crate::tenancy::may_own_another(&state, member.user_id).await?.map_err(|owned| {
            AppError::bad_request(format!(
                "{} already owns {owned} workspaces, the most one person may own here. Nothing was changed.",
                member.name
            ))
        })?;
    }
    queries::set_role(&mut tx, member.user_id, Role::Owner).await?;
    queries::set_role(&mut tx, ws.user().id, Role::Admin).await?;
    audit::record(&mut tx, &ws, "ownership.transferred", &member.email, "the previous owner is now an admin").await?;
    tx.commit().await?;
    flash::success(&session, format!("{} now owns {}; you are an admin.", member.name, ws.name())).await?;
    Ok(Redirect::to("/team"))
}
