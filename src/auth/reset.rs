//! Forgotten passwords: a single-use link by mail, valid one hour, that sets
//! a new password, signs the person in afresh and ends every other session.

use std::net::SocketAddr;

use askama::Template;
use axum::{
    Form,
    extract::{ConnectInfo, Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

use super::{normalize_email, password, queries, session::sign_in, verification};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    web::{Layout, flash, invalid_form, page, tokens},
};

/// Reset tokens are 43 characters; anything much longer is not one, and is
/// refused before it reaches the rate limiter or the database.
const MAX_TOKEN_LEN: usize = 128;

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotView {
    layout: Layout,
    sent: bool,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetView {
    layout: Layout,
    token: String,
    /// Why the link no longer works, if it does not.
    dead: Option<&'static str>,
    error: Option<String>,
}

pub async fn view_forgot(layout: Layout) -> AppResult<Response> {
    page(ForgotView { layout, sent: false })
}

/// Always the same answer in the same time, so the page tells nobody who has
/// an account: the lookup and the mail happen in the background.
pub async fn forgot(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    layout: Layout,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    if super::email_too_long(&form.email) {
        return Err(AppError::Unprocessable(super::EMAIL_TOO_LONG.into()));
    }
    let email = normalize_email(&form.email).unwrap_or_default();
    state.check_auth_rate(&peer, "reset", &email).await?;
    if !email.is_empty() {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(err) = mail_reset_link(&state, &email).await {
                tracing::warn!(error = %err, "a password reset mail could not be prepared");
            }
        });
    }
    page(ForgotView { layout, sent: true })
}

async fn mail_reset_link(state: &AppState, email: &str) -> AppResult<()> {
    let Some(user) = queries::by_email(&state.db, email).await? else { return Ok(()) };
    let link = new_reset_link(state, user.id, Duration::hours(1)).await?;
    let body = format!(
        "Hello {},\n\nSomeone asked to reset the password of your Easel account. If it was you, choose a new \
         password here within the hour:\n{link}\n\nIf it was not you, ignore this mail: nothing changes.\n",
        user.name
    );
    if let Err(err) = state.mailer.send(&user.email, "Reset your Easel password", body).await {
        tracing::warn!(error = %err, "a password reset mail could not be sent");
    }
    Ok(())
}

/// A single-use link that sets the password of `user`, valid for `lasts`.
pub(super) async fn new_reset_link(state: &AppState, user: uuid::Uuid, lasts: Duration) -> AppResult<String> {
    let (token, hash) = tokens::new_token();
    let expires = OffsetDateTime::now_utc() + lasts;
    queries::create_reset(&state.db, user, &hash, expires.replace_nanosecond(0).unwrap_or(expires)).await?;
    Ok(format!("{}/password/reset/{token}", state.config.base_url.as_str().trim_end_matches('/')))
}

/// The reset link was mailed to the address, so it proves it. An account
/// nobody had proved may carry a provider someone else linked: those go, as
/// the provider path would remove an unproven password. True when any went.
async fn claim_by_mail(tx: &mut crate::db::Tx, user: uuid::Uuid) -> AppResult<bool> {
    if !queries::mark_verified(tx, user).await? {
        return Ok(false);
    }
    let removed = queries::drop_identities(tx, user).await?;
    if removed > 0 {
        let email = queries::email_of(tx, user).await?;
        let detail = "the address was proved by a password reset; unproven Google/GitHub sign-ins were removed";
        queries::record_account_event(tx, user, &email, "account.claimed", detail).await?;
    }
    Ok(removed > 0)
}

/// Why a reset link cannot be used, if it cannot.
async fn dead_reason(state: &AppState, token: &str) -> AppResult<Option<&'static str>> {
    Ok(match queries::reset(&state.db, &tokens::hash(token)).await? {
        None => Some("This reset link is not valid. Ask for a new one."),
        Some(r) if r.used_at.is_some() => Some("This reset link was already used. Ask for a new one if you need it."),
        Some(r) if r.expires_at < OffsetDateTime::now_utc() => Some("This reset link has expired. Ask for a new one."),
        Some(_) => None,
    })
}

pub async fn view_reset(
    State(state): State<AppState>,
    layout: Layout,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let dead = dead_reason(&state, &token).await?;
    page(ResetView { layout, token, dead, error: None })
}

pub async fn reset(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    if token.len() > MAX_TOKEN_LEN {
        let dead = Some("This reset link is not valid. Ask for a new one.");
        return invalid_form(ResetView { layout, token: String::new(), dead, error: None });
    }
    state.check_auth_rate(&peer, "reset", &token).await?;
    if let Some(dead) = dead_reason(&state, &token).await? {
        return invalid_form(ResetView { layout, token, dead: Some(dead), error: None });
    }
    if let Some(problem) = password::problem(&form.password) {
        return invalid_form(ResetView { layout, token, dead: None, error: Some(problem) });
    }
    let hash = tokens::hash(&token);
    let Some(reset) = queries::reset(&state.db, &hash).await? else {
        return invalid_form(ResetView { layout, token, dead: Some("This reset link is not valid."), error: None });
    };
    let password_hash = password::hash(form.password).await?;
    let mut tx = state.db.begin_write().await?;
    if !queries::use_reset(&mut tx, &hash).await? {
        return invalid_form(ResetView { layout, token, dead: Some("This reset link was already used."), error: None });
    }
    let claimed = claim_by_mail(&mut tx, reset.user_id).await?;
    queries::set_password(&mut tx, reset.user_id, &password_hash).await?;
    queries::end_resets(&mut tx, reset.user_id).await?;
    queries::end_sessions_in(&mut tx, reset.user_id).await?;
    tx.commit().await?;
    let Some(user) = queries::by_id(&state.db, reset.user_id).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    verification::after_proof(&state, &user.email).await;
    let mut said = "Your password is changed, and every other session of yours has ended.".to_owned();
    if claimed {
        said.push_str(" Sign-ins with Google or GitHub that nobody had confirmed were removed; link yours again from your account page.");
    }
    // A mailed link proves the email, not the second factor: that is still asked.
    let signed_in = sign_in(&state, &session, &user, "/").await?;
    flash::success(&session, said).await?;
    Ok(signed_in.redirect("/"))
}
