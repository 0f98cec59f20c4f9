//! Shared HTTP pieces: the page layout, CSRF, flash messages, error pages,
//! redirects, rate limits and static assets.

pub mod assets;
pub mod csrf;
pub mod csv;
pub mod dates;
pub mod errors;
pub mod flash;
pub mod form;
pub mod headers;
pub mod ids;
pub mod layout;
pub mod money;
pub mod paging;
pub mod plural;
pub mod rate_limit;
pub mod redirect;
pub mod rich_text;
pub mod text;
pub mod tokens;
pub mod word_diff;

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

pub use layout::{Layout, PageRead};

/// Where Stripe sends billing events; exempt from the session CSRF check
/// because the request's signature authenticates it.
pub const STRIPE_WEBHOOK: &str = "/stripe/webhook";

use crate::error::AppResult;

/// Runs the rest of the request in its own task, so a client that hangs up
/// does not cancel it half-way: a transaction then always ends in a commit
/// or a rollback, never abandoned on a pooled connection.
pub async fn finish_despite_disconnect(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(err) => {
            tracing::error!(error = %err, "request task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A full page, rendered.
pub fn page(view: impl Template) -> AppResult<Response> {
    Ok(Html(view.render()?).into_response())
}

/// A form shown again with its errors inline: 422, nothing changed.
pub fn invalid_form(view: impl Template) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(view.render()?)).into_response())
}

/// A short name typed into a form (a person's, a workspace's): one line
/// with its control characters stripped, trimmed, present, at most 100
/// characters.
pub fn clean_name(raw: &str, when_empty: &'static str) -> Result<String, &'static str> {
    let line = text::one_line(raw);
    let name = line.trim();
    if name.is_empty() {
        Err(when_empty)
    } else if name.chars().count() > 100 {
        Err("Use at most 100 characters.")
    } else {
        Ok(name.to_owned())
    }
}

/// String equality for templates, whatever references they hold.
pub fn same(a: &str, b: &str) -> bool {
    a == b
}
