//! Posts on a calendar (stored as calendar events): the editor with caption
//! limits and a preview, assigned artwork in carousel order, rescheduling,
//! duplicating and deleting.

mod artwork;
mod cards;
mod handlers;
pub mod platforms;
pub mod queries;
mod unsaved;
pub mod views;

pub(crate) use handlers::unsaved_editor;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendars/{id}/posts/new", get(handlers::view_new_post))
        .route("/calendars/{id}/posts/new/images", post(unsaved::view_picker))
        .route("/calendars/{id}/posts", post(handlers::create_post))
        .route("/events/{id}", get(handlers::view_post).post(handlers::save_post))
        .route("/events/{id}/duplicate", post(handlers::duplicate_post))
        .route("/events/{id}/delete", post(handlers::delete_post))
        .route("/events/{id}/move", post(handlers::move_post))
        .route("/events/{id}/images/add", get(artwork::view_picker))
        .route("/events/{id}/images", post(artwork::add_images))
        .route("/events/{id}/images/{image_id}/remove", post(artwork::remove_image))
        .route("/events/{id}/images/{image_id}/move", post(artwork::move_image))
        .route("/events/{id}/order", post(artwork::reorder_images))
}
