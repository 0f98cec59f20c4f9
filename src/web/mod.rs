//! Shared HTTP pieces: the page layout, CSRF, flash messages, error pages,
//! redirects, rate limits and static assets.

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod flash;
pub mod form;
pub mod ids;
pub mod layout;
pub mod rate_limit;
pub mod redirect;

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

pub use layout::Layout;

use crate::error::AppResult;

/// A full page, rendered.
pub fn page(view: impl Template) -> AppResult<Response> {
    Ok(Html(view.render()?).into_response())
}

/// A form shown again with its errors inline: 422, nothing changed.
pub fn invalid_form(view: impl Template) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(view.render()?)).into_response())
}

/// A form value trimmed; `None` when nothing is left.
pub fn clean(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}
