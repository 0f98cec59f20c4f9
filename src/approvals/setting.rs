//! Saving the workspace's approval mode (kept on the workspace's own row,
//! like its branding).

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::{
    audit,
    db::{WorkspaceTx, query::execute},
    error::{AppError, AppResult},
    tenancy::{Permission, Workspace, approval::Mode},
    web::{flash, form::FormFields},
};

async fn set_mode(tx: &mut WorkspaceTx, mode: Mode) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(tx.global().await?, "UPDATE workspaces SET approval = $2 WHERE id = $1", id, mode.as_str()).map(drop)
}

/// What the person is told once the mode is saved.
fn saved_message(mode: Mode) -> &'static str {
    match mode {
        Mode::None => "Approval is off: every post can be sent to Publer as before.",
        Mode::Internal => "Approval is on: an owner or admin approves each post before it is sent.",
        Mode::Client => "Approval is on: the client approves each post before it is sent.",
        Mode::InternalThenClient => "Approval is on: an owner or admin, then the client, approve each post.",
    }
}

pub async fn save_approval(ws: Workspace, session: Session, form: FormFields) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let Some(mode) = Mode::parse(form.get("approval")) else {
        return Err(AppError::Unprocessable("Choose one of the four approval modes. Nothing was changed.".into()));
    };
    let before = ws.approval();
    let mut tx = ws.write().await?;
    set_mode(&mut tx, mode).await?;
    let detail = format!("Approval: {} → {}", before.as_str(), mode.as_str());
    audit::record(&mut tx, &ws, "settings.changed", "Approval", &detail).await?;
    tx.commit().await?;
    flash::success(&session, saved_message(mode)).await?;
    Ok(Redirect::to("/settings#approval").into_response())
}
