//! Bulk actions on selected posts (the toolbar above a calendar's month and
//! list views): mark ready or draft, add a hashtag set, move by days,
//! send to Publer, delete with a confirmation.

mod actions;
mod handlers;
pub mod queries;
mod report;
mod views;

use axum::{Router, routing::post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/posts/bulk", post(handlers::act))
}
