//! Teams: members and their roles, invitations by email, leaving,
//! transferring ownership, and deleting (and restoring) a workspace.

mod deletion;
mod handlers;
pub mod invites;
pub mod queries;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/team", get(handlers::view_team))
        .route("/team/invites", post(handlers::invite))
        .route("/team/invites/{id}/resend", post(handlers::resend_invite))
        .route("/team/invites/{id}/revoke", post(handlers::revoke_invite))
        .route("/team/members/{user_id}/role", post(handlers::change_role))
        .route("/team/members/{user_id}/remove", post(handlers::remove_member))
        .route("/team/leave", post(handlers::leave))
        .route("/team/transfer", post(handlers::transfer))
        .route("/workspaces/{id}/delete", post(deletion::delete_workspace))
        .route("/workspaces/{id}/restore", post(deletion::restore_workspace))
        .route("/invites/{token}", get(invites::view_invitation))
        .route("/invites/{token}/accept", post(invites::accept))
}
