//! `EASEL_REQUIRE_2FA`: a person the rule covers who has not turned
//! two-factor on is sent to enrol before anything else. This middleware is
//! the one place that checks it.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::queries;
use crate::{
    auth::{CurrentUser, MaybeUser},
    config::TwoFactorRule,
    error::{AppResult, FullPageRedirect},
    state::AppState,
};

/// The enrolment page, and what it needs around it.
const ENROL_PAGE: &str = "/account/two-factor";
const OPEN_PATHS: [&str; 3] = ["/logout", "/healthz", "/brand.css"];

/// Whether the operator's rule requires this person to use two-factor.
pub async fn is_required(state: &AppState, user: &CurrentUser) -> AppResult<bool> {
    Ok(match state.config.require_two_factor {
        TwoFactorRule::Off => false,
        TwoFactorRule::Admins => user.platform_admin,
        TwoFactorRule::Staff => user.platform_admin || queries::is_workspace_staff(&state.db, user.id).await?,
    })
}

/// Sends a signed-in person who must enrol to the enrolment page.
pub async fn enrolment_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.config.require_two_factor == TwoFactorRule::Off || is_open(request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    match must_enrol(&mut parts, &state).await {
        Ok(false) => next.run(Request::from_parts(parts, body)).await,
        Ok(true) => to_enrolment(),
        Err(err) => err.into_response(),
    }
}

fn is_open(path: &str) -> bool {
    path == ENROL_PAGE
        || path.starts_with("/account/two-factor/")
        || path.starts_with("/static/")
        || OPEN_PATHS.contains(&path)
}

async fn must_enrol(parts: &mut axum::http::request::Parts, state: &AppState) -> AppResult<bool> {
    // The user found here is kept in the request, so the handler's
    // extractor does not look again.
    let MaybeUser(Some(user)) = MaybeUser::from_request_parts(parts, state).await? else {
        return Ok(false);
    };
    Ok(is_required(state, &user).await? && !queries::is_on(&state.db, user.id).await?)
}

/// A 303 to the enrolment page (HTMX requests follow it with a full load).
fn to_enrolment() -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_static(ENROL_PAGE));
    response.extensions_mut().insert(FullPageRedirect(ENROL_PAGE.to_owned()));
    response
}
