//! A platform admin deleting a workspace (scheduled, as an owner's deletion
//! is), restoring a scheduled one, or purging it without waiting.

use axum::{
    Form,
    extract::{Path, State},
    response::Redirect,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{PlatformAdmin, handlers::workspace_row, queries};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    state::AppState,
    tenancy::deletion::{self, PurgedNow},
    web::flash,
};

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm_name: String,
}

const TYPE_THE_NAME: &str = "Type the workspace's name exactly to confirm. Nothing was deleted.";

/// Schedules the workspace for deletion, after its name is typed.
pub async fn delete_workspace(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Redirect> {
    let mut tx = AdminTx::begin(&state.db).await?;
    let row = workspace_row(&mut tx, &id).await?;
    if form.confirm_name.trim() != row.name {
        return Err(AppError::bad_request(TYPE_THE_NAME));
    }
    let grace = state.config.delete_grace;
    let Some(at) = deletion::schedule(&mut tx, row.id, &admin.user.email, grace).await? else {
        return Err(AppError::bad_request("This workspace is already scheduled for deletion. Nothing was changed."));
    };
    let goes = deletion::when(at);
    let detail = format!("owner {}; deleted for good on {goes}", row.owner.as_deref().unwrap_or("none"));
    let actor = (Some(admin.user.id), admin.user.email.as_str());
    queries::record(&mut tx, actor.0, actor.1, "workspace.deletion_scheduled", Some((row.id, &row.name)), &detail)
        .await?;
    tx.commit().await?;
    flash::success(
        &session,
        format!("{} is scheduled for deletion on {goes}; until then it can be restored.", row.name),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/workspaces/{}", row.id)))
}

/// Brings back a scheduled workspace (even one whose owner deleted their
/// account: it comes back without them, for the operator to hand over or
/// export).
pub async fn restore_workspace(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let mut tx = AdminTx::begin(&state.db).await?;
    let row = workspace_row(&mut tx, &id).await?;
    if !deletion::restore(&mut tx, row.id).await? {
        return Err(AppError::bad_request("This workspace is not scheduled for deletion. Nothing was changed."));
    }
    let detail = format!("was to be deleted on {}", row.goes_on().unwrap_or_default());
    let actor = (Some(admin.user.id), admin.user.email.as_str());
    queries::record(&mut tx, actor.0, actor.1, "workspace.restored", Some((row.id, &row.name)), &detail).await?;
    tx.commit().await?;
    // Posts that were waiting to go to Publer go now.
    crate::publer::sender::wake(&state, row.id);
    flash::success(&session, format!("{} is restored: its members can open it again.", row.name)).await?;
    Ok(Redirect::to(&format!("/admin/workspaces/{}", row.id)))
}

/// Purges a scheduled workspace now (rows, then files), after its name is
/// typed; the purge is the same one the grace period ends in.
pub async fn purge_workspace(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Redirect> {
    let mut tx = AdminTx::begin(&state.db).await?;
    let row = workspace_row(&mut tx, &id).await?;
    tx.commit().await?;
    if form.confirm_name.trim() != row.name {
        return Err(AppError::bad_request(TYPE_THE_NAME));
    }
    match deletion::purge_now(&state.databases, &state.storage, row.id).await? {
        PurgedNow::Purged => {}
        PurgedNow::NotScheduled => {
            return Err(AppError::bad_request(
                "Only a workspace scheduled for deletion can be purged: delete it first. Nothing was deleted.",
            ));
        }
        PurgedNow::Underway => {
            return Err(AppError::Conflict("This workspace is being purged right now. Reload in a minute."));
        }
    }
    let mut tx = AdminTx::begin(&state.db).await?;
    let detail = format!("owner {}", row.owner.as_deref().unwrap_or("none"));
    let actor = (Some(admin.user.id), admin.user.email.as_str());
    queries::record(&mut tx, actor.0, actor.1, "workspace.purged", Some((row.id, &row.name)), &detail).await?;
    tx.commit().await?;
    flash::success(&session, format!("{} was deleted for good, with its files.", row.name)).await?;
    Ok(Redirect::to("/admin"))
}
