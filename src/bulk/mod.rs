//! Bulk actions on selected posts (the toolbar above a calendar's month and
//! list views): mark ready or draft, add a hashtag set, move by days,
//! send to Publer, delete with a confirmation, and captions for all of them
//! as a background job.

mod actions;
mod captions;
mod handlers;
mod job;
pub mod job_queries;
pub mod queries;
mod report;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/posts/bulk", post(handlers::act))
        .route("/caption-jobs/{id}", get(captions::view_job))
        .route("/caption-jobs/{id}/posts/{event_id}/use", post(captions::use_caption))
        .route("/events/{id}/suggestion", post(captions::answer_suggestion))
}
