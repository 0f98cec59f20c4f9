//! `AppError`: the one error type of every handler and extractor.
//!
//! It turns into a status code plus an [`ErrorPage`] marker; the
//! `web::errors` middleware then renders the friendly page (or the HTMX
//! fragment) with the request id, so every error in the app looks the same.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::web::redirect::login_url;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("sign-in required")]
    SignInRequired { next: Option<String> },
    #[error("no workspace")]
    NoWorkspace,
    #[error("the page belongs to another workspace")]
    StaleWorkspace,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Well-formed but refused input (too many ids, an over-long email…): 422.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("too many attempts")]
    TooManyRequests,
    #[error("too large: {0}")]
    PayloadTooLarge(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The disk (or quota) holding the uploads folder has no room left.
    #[error("no room for uploads: {0}")]
    StorageFull(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What the error page should say; read by the rendering middleware.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

/// Marks a redirect that an HTMX request must follow with a full page load.
#[derive(Clone, Debug)]
pub struct FullPageRedirect(pub String);

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    fn status_and_page(&self) -> (StatusCode, ErrorPage) {
        let page = |title, message: &str| ErrorPage { title, message: message.to_owned() };
        match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                page(
                    "Not found",
                    "There is nothing here. It may have been deleted, or it belongs to another workspace.",
                ),
            ),
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, page("Not allowed", why)),
            Self::StaleWorkspace => (
                StatusCode::CONFLICT,
                page(
                    "You switched workspace in another tab",
                    "This page was opened for a different workspace than the one now active, so nothing was saved. Reload the page and try again.",
                ),
            ),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, page("That did not work", message)),
            Self::Unprocessable(message) => (StatusCode::UNPROCESSABLE_ENTITY, page("That did not work", message)),
            Self::Conflict(message) => (StatusCode::CONFLICT, page("That changed meanwhile", message)),
            Self::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                page("Too many attempts", "Please wait a few minutes before trying again."),
            ),
            Self::PayloadTooLarge(message) => (StatusCode::PAYLOAD_TOO_LARGE, page("Too large", message)),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                page("Easel is briefly unavailable", "The database is not answering. Please try again in a moment."),
            ),
            Self::StorageFull(_) => (
                StatusCode::INSUFFICIENT_STORAGE,
                page(
                    "No room left for uploads",
                    "The disk that holds uploaded artwork has no room left, so this file could not be taken. Nothing was stored, and your library is unaffected. Please tell whoever runs Easel.",
                ),
            ),
            Self::Internal(_) | Self::SignInRequired { .. } | Self::NoWorkspace => (
                StatusCode::INTERNAL_SERVER_ERROR,
                page("Something went wrong", "Easel hit an unexpected error. It has been logged; please try again."),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::SignInRequired { next } => return see_other_full_page(login_url(next.as_deref())),
            Self::NoWorkspace => return see_other_full_page("/workspaces".to_owned()),
            Self::Internal(err) => tracing::error!(error = ?err, "request failed"),
            Self::Unavailable(err) => tracing::warn!(error = %err, "database unavailable"),
            Self::StorageFull(err) => tracing::error!(error = %err, "no room left in the uploads folder"),
            _ => {}
        }
        let (status, page) = self.status_and_page();
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

fn see_other_full_page(location: String) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.extensions_mut().insert(FullPageRedirect(location));
    response
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Self::Unavailable(err.to_string())
            }
            // PostgreSQL cut the connection (shutdown, restart, crash,
            // not accepting connections yet): the database is down, not Easel.
            sqlx::Error::Database(ref db) if db.code().is_some_and(|code| is_server_going_away(&code)) => {
                Self::Unavailable(err.to_string())
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// SQLSTATEs of a server that is stopping or not there: class 08
/// (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown and
/// 57P03 cannot_connect_now.
fn is_server_going_away(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        match err {
            // The store is the database: when it fails, the database is down.
            tower_sessions::session::Error::Store(store) => Self::Unavailable(store.to_string()),
            other => Self::Internal(anyhow::anyhow!("session: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        Self::Internal(anyhow::anyhow!("template: {err}"))
    }
}
