//! Collections: named, ordered groups of artwork with a cover.

mod handlers;
pub mod queries;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections", get(handlers::view_collections).post(handlers::create_collection))
        .route("/collections/{id}", get(handlers::view_collection).post(handlers::save_collection))
        .route("/collections/{id}/delete", post(handlers::delete_collection))
        .route("/collections/{id}/add", get(handlers::view_picker))
        .route("/collections/{id}/images", post(handlers::add_images))
        .route("/collections/{id}/images/{image_id}/remove", post(handlers::remove_image))
        .route("/collections/{id}/images/{image_id}/move", post(handlers::move_image))
        .route("/collections/{id}/order", post(handlers::reorder))
        .route("/collections/{id}/cover", post(handlers::choose_cover))
}

/// What is wrong with a collection's name or description.
#[derive(Clone, Copy, Debug, Default)]
pub struct CollectionErrors {
    pub name: Option<&'static str>,
    pub description: Option<&'static str>,
}

/// A collection's name and description, or which is wrong.
pub fn clean(name: &str, description: &str) -> Result<(String, String), CollectionErrors> {
    let name = name.trim();
    let description = description.trim();
    let name_error = if name.is_empty() {
        Some("Give the collection a name.")
    } else if name.chars().count() > 120 {
        Some("Keep the name under 120 characters.")
    } else {
        None
    };
    let description_error =
        (description.chars().count() > 2000).then_some("Keep the description under 2,000 characters.");
    match (name_error, description_error) {
        (None, None) => Ok((name.to_owned(), description.to_owned())),
        (name, description) => Err(CollectionErrors { name, description }),
    }
}
