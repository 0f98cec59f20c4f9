//! Archives in the app: "Export this workspace" in Settings (owners; a
//! background job, a progress line, a 24-hour download link) and "Download
//! my data" on the account page. The archive format is `crate::archive`'s.

pub mod files;
mod handlers;
pub mod job;
mod my_data;
mod queries;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/exports", get(handlers::view_exports).post(handlers::start_export))
        .route("/settings/exports/{id}/progress", get(handlers::view_progress))
        .route("/settings/exports/{id}/download", get(handlers::download))
        .route("/account/my-data", post(my_data::download_my_data))
}
