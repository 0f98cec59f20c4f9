//! The approval workflow in the app (issue 17 §1): the workspace's setting,
//! and the editor's review panel where a post is sent for review, approved
//! or sent back with changes requested, with what changed since the version
//! under review. Every step goes through `tenancy::approval::apply`.

mod handlers;
pub mod panel;
mod setting;

use axum::{Router, routing::post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/approval", post(setting::save_approval))
        .route("/events/{id}/review/submit", post(handlers::submit))
        .route("/events/{id}/review/approve", post(handlers::approve))
        .route("/events/{id}/review/changes", post(handlers::request_changes))
}

/// After an edit by the person behind `ws`, in the edit's transaction:
/// the posts that changed since the version under review go back to
/// review (see `approval::reopen_if_changed`).
pub async fn after_edit(
    tx: &mut crate::db::WorkspaceTx,
    ws: &crate::tenancy::Workspace,
    posts: &[uuid::Uuid],
) -> crate::error::AppResult<()> {
    let who = crate::tenancy::approval::Reviewer::member(ws);
    crate::tenancy::approval::reopen_if_changed(tx, ws.approval(), posts, &who).await.map(drop)
}
