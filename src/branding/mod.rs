//! White-label branding: a workspace's logo, primary colour and the
//! "Powered by Easel" footer (hidden where the plan allows), applied to every
//! page while that workspace is active and to its invitation page and mail.

mod handlers;
pub mod logo;
pub mod queries;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/branding", get(handlers::view_branding).post(handlers::save_branding))
        .route("/settings/branding/logo", post(handlers::upload_logo))
        .route("/settings/branding/logo/remove", post(handlers::remove_logo))
        .route("/brand.css", get(handlers::brand_css))
        .route("/brand/logo", get(handlers::serve_logo))
}

/// `#rrggbb` in lower case, or `None` if `raw` is not a colour.
pub fn parse_colour(raw: &str) -> Option<String> {
    let hex = raw.trim().trim_start_matches('#');
    (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// The stylesheet of a brand colour: the accent and its soft and dark tints.
pub fn stylesheet(colour: &str) -> String {
    format!(
        ":root {{ --accent: {colour}; --accent-soft: color-mix(in srgb, {colour} 12%, white); \
         --accent-ink: #ffffff; }}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_colours_pass() {
        assert_eq!(parse_colour("#BE123C").as_deref(), Some("#be123c"));
        assert_eq!(parse_colour("be123c").as_deref(), Some("#be123c"));
        for bad in ["", "#fff", "red", "#be123c;}", "#gg0000"] {
            assert_eq!(parse_colour(bad), None, "{bad}");
        }
    }
}
