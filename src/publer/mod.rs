//! Sending posts to Publer with each workspace's own key: connecting (which
//! lists the Publer accounts), choosing an account per calendar (and
//! platform), sending one post or a calendar's date range, and following
//! Publer's jobs in the background.

pub mod client;
mod handlers;
pub mod queries;
pub mod sender;

use axum::{
    Router,
    routing::{get, post},
};

pub use sender::Sender;
// The bulk actions on posts queue sends with the same checks as one post.
pub(crate) use handlers::{allowance, destination, readiness};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/publer", get(handlers::view_connection))
        .route("/settings/publer/connect", post(handlers::connect))
        .route("/settings/publer/routes", post(handlers::save_routes))
        .route("/events/{id}/publer", post(handlers::send_post))
        .route("/events/{id}/publer/resend", post(handlers::resend_post))
        .route("/calendars/{id}/publer", get(handlers::view_bulk).post(handlers::send_range))
}
