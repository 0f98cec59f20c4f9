//! The second step of signing in: the code page a half-signed-in person
//! sees after their password or provider.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Accept, Proof, prove, queries, views::CodeView};
use crate::{
    auth::session::{complete_sign_in, half_signed_in},
    error::AppResult,
    state::AppState,
    web::{Layout, flash, invalid_form, page, redirect::to_local_or_home},
};

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn view_code(State(state): State<AppState>, session: Session, layout: Layout) -> AppResult<Response> {
    if half_signed_in(&session, &state).await?.is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    page(CodeView { layout, error: None })
}

/// Completes the sign-in with a code from the app or a recovery code.
/// Attempts count against the person and the address, like passwords.
pub async fn submit_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let Some((user, next)) = half_signed_in(&session, &state).await? else {
        flash::error(&session, "That sign-in expired. Please sign in again.").await?;
        return Ok(Redirect::to("/login").into_response());
    };
    state.check_auth_rate(&peer, "two-factor", &user.id.to_string()).await?;
    let Some(proof) = prove(&state, user.id, &user.email, &form.code, Accept::AppOrRecoveryCode).await? else {
        let error = "That code is not right, or it was already used. Enter the current code from your app.";
        return invalid_form(CodeView { layout, error: Some(error) });
    };
    complete_sign_in(&session, &user).await?;
    if proof == Proof::RecoveryCode {
        let left = queries::unused_recovery_codes(&state.db, user.id).await?;
        let message = format!(
            "You signed in with a recovery code; it will not work again. {left} left: make new ones from your account page."
        );
        flash::success(&session, message).await?;
    }
    Ok(to_local_or_home(Some(&next)).into_response())
}
