//! Notifications: the bell's list (`/notifications`), opening one (which
//! marks it read and goes to the post), "Mark all read", and the mail
//! summaries that carry them to people's inboxes.

mod handlers;
pub mod queries;
pub mod summary;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(handlers::view_notifications))
        .route("/notifications/read-all", post(handlers::read_all))
        .route("/notifications/{id}/open", post(handlers::open_notification))
}
