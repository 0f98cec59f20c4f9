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
    extract::{Path, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};

use crate::{error::AppError, state::AppState, tenancy::HostWorkspace, web::tokens};

pub fn routes(state: &AppState) -> Router<AppState> {
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
        .route_layer(middleware::from_fn_with_state(state.clone(), same_address))
}

/// On a workspace's own address, only that workspace's links open: another
/// workspace's token there is a 404, as if it did not exist.
async fn same_address(
    State(state): State<AppState>,
    token: Option<Path<Vec<(String, String)>>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request.extensions().get::<HostWorkspace>().map(|h| h.0);
    let token = token.and_then(|Path(params)| params.into_iter().find(|(k, _)| k == "token").map(|(_, v)| v));
    if let (Some(host), Some(token)) = (host, token) {
        match queries::target(&state.databases, &tokens::hash(&token)).await {
            Ok(Some((workspace, _))) if workspace != host => return AppError::NotFound.into_response(),
            Ok(_) => {}
            Err(e) => return AppError::Internal(e).into_response(),
        }
    }
    next.run(request).await
}
