//! An owner deleting their workspace (it is scheduled, and its members lose
//! access at once) and restoring it before its grace period ends.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::{
    audit::{self, queries::Actor},
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    tenancy::{Permission, Workspace, deletion, make_active, workspaces_page},
    web::{Layout, flash, ids::parse_id, invalid_form},
};

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

/// Schedules the active workspace for deletion, after its name is typed to
/// confirm. Its rows and files stay until the grace period is over.
pub async fn delete_workspace(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Redirect> {
    if parse_id(&id)? != ws.id() {
        return Err(AppError::NotFound);
    }
    ws.require(Permission::OwnWorkspace)?;
    if form.confirm_name.trim() != ws.name() {
        return Err(AppError::bad_request("Type the workspace's name exactly to confirm. Nothing was deleted."));
    }
    let mut tx = ws.write().await?;
    let grace = state.config.delete_grace;
    let at =
        deletion::schedule(tx.global().await?, ws.id(), &ws.user().email, grace).await?.ok_or(AppError::NotFound)?;
    let goes = deletion::when(at);
    audit::record(&mut tx, &ws, "workspace.deletion_scheduled", ws.name(), &format!("deleted for good on {goes}"))
        .await?;
    tx.commit().await?;
    let message = format!("{} is scheduled for deletion on {goes}. Until then you can restore it here.", ws.name());
    flash::success(&session, message).await?;
    Ok(Redirect::to("/workspaces"))
}

/// Brings back a workspace its owner scheduled for deletion, with its
/// members, posts and files, and makes it active again.
pub async fn restore_workspace(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    if let Err(owned) = crate::tenancy::may_own_another(&state, user.id).await? {
        let mut view = workspaces_page(&state, &user, layout, String::new(), None).await?;
        if !view.scheduled.iter().any(|w| w.id == id) {
            return Err(AppError::NotFound);
        }
        view.restore_error = Some(format!(
            "You own {owned} workspaces, the most one person may own here. Delete one or transfer its ownership \
             before you restore another. Nothing was changed."
        ));
        return invalid_form(view);
    }
    let (mut tx, name) = deletion::open_scheduled(&state.databases, user.id, id).await?.ok_or(AppError::NotFound)?;
    if !deletion::restore(tx.global().await?, id).await? {
        return Err(AppError::NotFound);
    }
    let ip = peer.ip().to_string();
    let actor = Actor { id: Some(user.id), name: &user.name, ip: &ip };
    audit::queries::record_by(&mut tx, actor, "workspace.restored", &name, "").await?;
    tx.commit().await?;
    // Posts that were waiting to go to Publer go now.
    crate::publer::sender::wake(&state, id);
    make_active(&session, id).await?;
    flash::success(&session, format!("{name} is restored, with everything in it. It is your active workspace."))
        .await?;
    Ok(Redirect::to("/").into_response())
}
