//! "Write caption" on a post: the workspace's own OpenAI-compatible model
//! writes it from the brand settings and the artwork, or, without a key, a
//! clearly labelled template does. The result lands in the editor unsaved.

pub mod alt_text;
pub mod generate;
mod handlers;
pub mod openai;
pub mod prompt;

use axum::{Router, routing::post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/caption", post(handlers::write_caption))
        .route("/images/{id}/alt-text", post(alt_text::write_alt_text))
}
