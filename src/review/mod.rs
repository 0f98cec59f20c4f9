//! Review links (issue 17 §2): owners and admins make a link for a named
//! reviewer over a calendar's dates or hand-picked posts; the reviewer opens
//! `/review/{token}` with no account, sees each post as it will look, and
//! approves or asks for changes. Every step goes through
//! `tenancy::approval::apply`, so history, audit and notices stay in one place.

mod actions;
mod door;
mod links;
mod make;
mod public;
mod queries;
mod scope;
mod views;

use axum::{
    Router,
    routing::{get, post},
};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/review-links", get(links::view_links).post(make::create_link))
        .route("/review-links/new", post(make::view_picked))
        .route("/review-links/{id}/revoke", post(links::revoke_link))
        .route("/review/{token}", get(public::view_page))
        .route("/review/{token}/logo", get(public::logo))
        .route("/review/{token}/media/{image}/{preset}", get(public::media))
        .route("/review/{token}/posts/{post}/approve", post(actions::approve))
        .route("/review/{token}/posts/{post}/changes", post(actions::request_changes))
        .route("/review/{token}/posts/{post}/comment", post(actions::comment))
        .route("/review/{token}/approve-all", post(actions::approve_all))
}
