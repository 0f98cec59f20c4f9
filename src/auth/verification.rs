//! Verified emails: after sign-up Easel mails a single-use link, valid 24
//! hours; following it while signed in to that account proves the address.
//!
//! Being signed in matters: a link mailed to someone whose address a stranger
//! signed up with must not verify the stranger's account for them.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;
use uuid::Uuid;

use super::{CurrentUser, MaybeUser, queries};
use crate::{
    db::Tx,
    error::{AppError, AppResult},
    state::AppState,
    web::{Layout, flash, page, redirect::local_path, tokens},
};

/// How long a verification link works.
pub const LINK_HOURS: i64 = 24;

/// Links one person may ask to be mailed again per rate-limit window.
const RESENDS: u32 = 3;

/// Stores a new link for `user` in `tx` and returns it, to mail after commit.
pub async fn new_link(state: &AppState, tx: &mut Tx, user: Uuid, email: &str) -> AppResult<String> {
    let (token, hash) = tokens::new_token();
    let expires = OffsetDateTime::now_utc() + Duration::hours(LINK_HOURS);
    queries::create_verification(tx, user, email, &hash, expires.replace_nanosecond(0).unwrap_or(expires)).await?;
    Ok(format!("{}/verify/{token}", state.config.base_url.as_str().trim_end_matches('/')))
}

/// Mails a verification link; a failure is logged, the person can resend.
pub async fn mail_link(state: &AppState, name: &str, email: &str, link: &str) {
    let body = format!(
        "Hello {name},\n\nPlease confirm that {email} is your address: open this link within {LINK_HOURS} hours \
         while signed in to Easel:\n{link}\n\nUntil then you can work in your own studio, but you cannot join \
         other workspaces.\n\nIf you did not create an Easel account, ignore this mail: nothing happens.\n"
    );
    if let Err(err) = state.mailer.send(email, "Confirm your email address for Easel", body).await {
        tracing::warn!(error = %err, "a verification mail could not be sent");
    }
}

/// What else follows once an address is proved: a person the operator named
/// in `EASEL_ADMIN_EMAILS` becomes a platform admin now.
pub async fn after_proof(state: &AppState, email: &str) {
    if !state.config.admin_emails.iter().any(|e| e == email) {
        return;
    }
    if let Err(err) = crate::admin::grant_configured(&state.db, &[email.to_owned()]).await {
        tracing::warn!(error = %err, "could not grant EASEL_ADMIN_EMAILS after a verification");
    }
}

#[derive(Template)]
#[template(path = "auth/verify.html")]
struct VerifyView {
    layout: Layout,
    token: String,
    link: LinkState,
}

enum LinkState {
    Dead(&'static str),
    SignIn,
    Confirm { email: String },
    OtherAccount { email: String },
}

async fn link_state(state: &AppState, token: &str, user: Option<&CurrentUser>) -> AppResult<LinkState> {
    let Some(found) = queries::verification(&state.db, &tokens::hash(token)).await? else {
        return Ok(LinkState::Dead("This confirmation link is not valid. Check that you copied the whole link."));
    };
    Ok(match user {
        _ if found.used_at.is_some() => LinkState::Dead("This confirmation link was already used."),
        _ if found.expires_at < OffsetDateTime::now_utc() => {
            LinkState::Dead("This confirmation link has expired. Sign in and ask for a new one from your account page.")
        }
        None => LinkState::SignIn,
        Some(user) if user.id == found.user_id && user.email == found.email => {
            LinkState::Confirm { email: found.email }
        }
        Some(_) => LinkState::OtherAccount { email: found.email },
    })
}

pub async fn view_verify(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    layout: Layout,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let link = link_state(&state, &token, user.as_ref()).await?;
    page(VerifyView { layout, token, link })
}

/// Confirms the address: the link's account must be the one signed in.
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if !matches!(link_state(&state, &token, Some(&user)).await?, LinkState::Confirm { .. }) {
        return Ok(Redirect::to(&format!("/verify/{token}")).into_response());
    }
    let mut tx = state.db.begin_write().await?;
    if !queries::use_verifications(&mut tx, user.id, &tokens::hash(&token)).await? {
        return Err(AppError::Conflict("This confirmation link was used a moment ago."));
    }
    queries::mark_verified(&mut tx, user.id).await?;
    tx.commit().await?;
    after_proof(&state, &user.email).await;
    flash::success(&session, format!("Thank you: {} is confirmed.", user.email)).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Deserialize, Default)]
pub struct ResendForm {
    #[serde(default)]
    back: String,
}

/// Mails a fresh link (a few per window), and goes back where the person was.
pub async fn resend(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Form(form): Form<ResendForm>,
) -> AppResult<Redirect> {
    let back = local_path(&form.back).unwrap_or("/account").to_owned();
    if user.email_verified {
        flash::success(&session, "Your email address is already confirmed.").await?;
        return Ok(Redirect::to(&back));
    }
    if !state.rate_limiter.allow(&format!("verify-mail:{}", user.id), RESENDS).await {
        return Err(AppError::TooManyRequests);
    }
    let mut tx = state.db.begin_write().await?;
    let link = new_link(&state, &mut tx, user.id, &user.email).await?;
    tx.commit().await?;
    mail_link(&state, &user.name, &user.email, &link).await;
    flash::success(&session, format!("We sent a new confirmation link to {}.", user.email)).await?;
    Ok(Redirect::to(&back))
}
