//! The artwork library: uploads, the gallery, an image's details, bulk
//! actions, and the image bytes themselves.

pub mod crops;
mod handlers;
pub mod media;
pub mod ordering;
pub mod palette;
pub mod presets;
pub mod processing;
pub mod queries;
pub mod upload;
mod views;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/images", get(handlers::view_library).post(handlers::upload_images).layer(DefaultBodyLimit::disable()))
        .route("/images/bulk", post(handlers::bulk_action))
        .route("/images/{id}", get(handlers::view_image).post(handlers::save_image))
        .route("/images/{id}/delete", post(handlers::delete_image))
        .route("/images/{id}/crops/{preset}", post(crops::save_crop))
        .route("/images/{id}/crops/{preset}/reset", post(crops::reset_crop))
        .route("/media/{id}/{size}", get(media::serve_media))
        .route("/media/{id}/crop/{preset}", get(crops::serve_rendition))
        .route("/media/{id}/crop/{preset}/thumb", get(crops::serve_rendition_thumb))
}

/// Tags as typed ("Oil, #Heron ,  oil") become `["heron", "oil"]`.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = crate::web::text::one_line(raw)
        .split(',')
        .map(|t| t.trim().trim_start_matches('#').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    if tags.iter().any(|t| t.chars().count() > 50 || t.chars().any(char::is_control)) {
        return Err("Keep each tag under 50 characters.");
    }
    if tags.len() > 30 {
        return Err("Use at most 30 tags.");
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(parse_tags("Oil, #Heron ,  oil,, Blue  Sky").expect("tags"), vec!["blue sky", "heron", "oil"]);
        assert!(parse_tags(&"x".repeat(51)).is_err());
        let many: Vec<String> = (0..31).map(|i| format!("t{i}")).collect();
        assert!(parse_tags(&many.join(",")).is_err());
    }
}
