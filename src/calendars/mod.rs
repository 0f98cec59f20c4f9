//! Content calendars: the list, month/week/list views, auto-scheduling from
//! a collection, and exports (CSV and a private iCalendar feed).

mod all;
mod autoschedule;
pub mod clock;
mod export;
mod feed;
mod feed_queries;
mod grid;
mod handlers;
mod palette;
mod plan;
pub mod queries;
mod tray;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendars", get(handlers::view_calendars).post(handlers::create_calendar))
        .route("/calendars/all", get(all::view))
        .route("/calendars/plan", get(plan::view_form).post(plan::create))
        .route("/calendars/{id}", get(handlers::view_calendar).post(handlers::save_calendar))
        .route("/calendars/{id}/grid", get(feed::view))
        .route("/calendars/{id}/grid/move", post(feed::step))
        .route("/calendars/{id}/grid/swap", post(feed::exchange))
        .route("/calendars/{id}/delete", post(handlers::delete_calendar))
        .route("/calendars/{id}/autoschedule", get(autoschedule::view_form).post(autoschedule::submit))
        .route("/calendars/{id}/export.csv", get(export::csv))
        .route("/calendars/{id}/feed", post(export::create_feed))
        .route("/calendars/{id}/feed/revoke", post(export::revoke_feed))
        .route("/feeds/{token}", get(export::ical))
}

/// Calendar colours people can pick: distinct on white and on each other.
pub const COLOURS: [(&str, &str); 8] = [
    ("#4f46e5", "Indigo"),
    ("#0e7490", "Teal"),
    ("#15803d", "Green"),
    ("#b45309", "Amber"),
    ("#be123c", "Rose"),
    ("#7e22ce", "Purple"),
    ("#475569", "Slate"),
    ("#c2410c", "Orange"),
];
