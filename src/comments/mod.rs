//! Comments on posts: the thread in the editor's timeline (internal ones for
//! members, client ones for the review link too), markdown-lite, mentions,
//! editing and deleting by the author.

mod handlers;
pub mod queries;
pub mod timeline;

use axum::{Router, routing::post};

pub use timeline::Timeline;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/comments", post(handlers::add_comment))
        .route("/events/{id}/comments/{comment}/edit", post(handlers::edit_comment))
        .route("/events/{id}/comments/{comment}/delete", post(handlers::delete_comment))
}
