//! The stylesheet, scripts and icon, compiled into the binary so Easel runs
//! from anywhere with no files beside it, and never from a CDN.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    // One stylesheet and one script per page, kept in a file per feature.
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: concat!(
            include_str!("../../static/app.css"),
            include_str!("../../static/css/planner.css"),
            include_str!("../../static/css/crops.css"),
            include_str!("../../static/css/bulk.css"),
            include_str!("../../static/css/approvals.css"),
            include_str!("../../static/css/review.css"),
            include_str!("../../static/css/notices.css"),
        )
        .as_bytes(),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: concat!(
            include_str!("../../static/app.js"),
            include_str!("../../static/js/planner.js"),
            include_str!("../../static/js/crops.js"),
            include_str!("../../static/js/bulk.js"),
            include_str!("../../static/js/approvals.js"),
            include_str!("../../static/js/review.js"),
            include_str!("../../static/js/notices.js"),
        )
        .as_bytes(),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/htmx.min.js"),
    },
    Asset { name: "favicon.svg", content_type: "image/svg+xml", bytes: include_bytes!("../../static/favicon.svg") },
];

/// A short hash of every asset: pages link `?v=<version>` so browsers may
/// cache the files for a year and still see a new release at once.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for asset in ASSETS {
        hasher.update(asset.bytes);
    }
    hex::encode(&hasher.finalize()[..6])
});

pub fn version() -> &'static str {
    &VERSION
}

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", version());
    let unchanged = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    let mut response = if unchanged { StatusCode::NOT_MODIFIED.into_response() } else { asset.bytes.into_response() };
    let h = response.headers_mut();
    if !unchanged {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    }
    // A 304 repeats the caching, or the browser would take the default no-store.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}
