//! The account's two-factor page: set up with a QR code, confirm with a
//! code, get recovery codes once, make new ones, turn it off.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    Accept, SECRET_FIELD,
    authenticator::{self, Authenticator},
    authenticator_of, prove, queries,
    required::is_required,
    unix_now,
    views::{RecoveryCodesView, Standing, TwoFactorView},
};
use crate::{
    auth::{CurrentUser, password, queries as people},
    db::Tx,
    error::{AppError, AppResult},
    state::AppState,
    web::{Layout, flash, invalid_form, page},
};

const PAGE: &str = "/account/two-factor";

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

async fn view(state: &AppState, user: &CurrentUser, layout: Layout) -> AppResult<TwoFactorView> {
    let stored = people::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let standing = match queries::enrolment(&state.db, user.id).await? {
        None => Standing::Off,
        Some(e) if e.is_on() => {
            Standing::On { recovery_codes_left: queries::unused_recovery_codes(&state.db, user.id).await? }
        }
        Some(e) => match confirming(state, user, &e.secret_sealed) {
            Some(standing) => standing,
            // A secret that no longer opens (the master key changed): start over.
            None => Standing::Off,
        },
    };
    Ok(TwoFactorView {
        layout,
        standing,
        required: is_required(state, user).await?,
        has_password: stored.password_hash.is_some(),
        error: None,
    })
}

/// The QR code and typed key of an enrolment under way.
fn confirming(state: &AppState, user: &CurrentUser, sealed: &str) -> Option<Standing> {
    let secret = state.secrets.open_for_person(user.id, SECRET_FIELD, sealed).ok()?;
    let app = Authenticator::new(&secret, &user.email).ok()?;
    let qr_svg = app.qr_svg().map_err(|e| tracing::warn!(error = %e, "drawing a QR code failed")).ok()?;
    Some(Standing::Confirming { qr_svg, secret })
}

async fn refused(state: &AppState, user: &CurrentUser, layout: Layout, why: &str) -> AppResult<Response> {
    let mut view = view(state, user, layout).await?;
    view.error = Some(why.to_owned());
    invalid_form(view)
}

pub async fn view_two_factor(State(state): State<AppState>, user: CurrentUser, layout: Layout) -> AppResult<Response> {
    page(view(&state, &user, layout).await?)
}

/// Makes a new secret to scan (replacing one not confirmed yet).
pub async fn start(State(state): State<AppState>, user: CurrentUser) -> AppResult<Redirect> {
    let sealed = state.secrets.seal_for_person(user.id, SECRET_FIELD, &Authenticator::new_secret());
    queries::start(&state.db, user.id, &sealed).await?;
    Ok(Redirect::to(PAGE))
}

/// Turns two-factor on once a code shows the app has the secret, and shows
/// the recovery codes this once.
pub async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    state.check_auth_rate(&peer, "two-factor", &user.id.to_string()).await?;
    let enrolment = queries::enrolment(&state.db, user.id).await?;
    let Some(enrolment) = enrolment.filter(|e| !e.is_on()) else {
        return Ok(Redirect::to(PAGE).into_response());
    };
    let app = authenticator_of(&state.secrets, user.id, &user.email, &enrolment.secret_sealed);
    let Some(step) = app.and_then(|app| app.accepts(&form.code, unix_now(), 0)) else {
        let why = "That code does not match. Check the app shows Easel's code, and that your phone's clock is right.";
        return refused(&state, &user, layout, why).await;
    };
    let mut tx = state.db.begin_write().await?;
    if queries::confirm(&mut tx, user.id, step).await? != 1 {
        return Ok(Redirect::to(PAGE).into_response());
    }
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    tx.commit().await?;
    page(RecoveryCodesView { layout, codes, just_enabled: true })
}

/// New recovery codes for a code from the app; the old ones stop working.
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    state.check_auth_rate(&peer, "two-factor", &user.id.to_string()).await?;
    if prove(&state, user.id, &user.email, &form.code, Accept::AppCode).await?.is_none() {
        return refused(&state, &user, layout, "That is not the current code from your app. Nothing changed.").await;
    }
    let mut tx = state.db.begin_write().await?;
    let codes = replace_recovery_codes(&mut tx, user.id).await?;
    tx.commit().await?;
    page(RecoveryCodesView { layout, codes, just_enabled: false })
}

/// Ten fresh recovery codes, stored only as hashes in place of the old ones;
/// the codes themselves are shown once.
async fn replace_recovery_codes(tx: &mut Tx, user: Uuid) -> AppResult<Vec<String>> {
    let codes = authenticator::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| authenticator::recovery_hash(c)).collect();
    queries::replace_recovery_codes(tx, user, &hashes).await?;
    Ok(codes)
}

/// Turns two-factor off: the password (when the account has one) and a
/// code, and never while the operator requires it of this person.
pub async fn disable(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Form(form): Form<DisableForm>,
) -> AppResult<Response> {
    if is_required(&state, &user).await? {
        return refused(&state, &user, layout, "Two-factor sign-in is required for your role. It stays on.").await;
    }
    state.check_auth_rate(&peer, "two-factor", &user.id.to_string()).await?;
    let stored = people::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    if stored.password_hash.is_some() && !password::verify(form.password, stored.password_hash.clone()).await? {
        return refused(&state, &user, layout, "Your password is not right. Two-factor sign-in stays on.").await;
    }
    if prove(&state, user.id, &user.email, &form.code, Accept::AppOrRecoveryCode).await?.is_none() {
        return refused(&state, &user, layout, "That code is not right. Two-factor sign-in stays on.").await;
    }
    let mut tx = state.db.begin_write().await?;
    queries::remove(&mut tx, user.id).await?;
    tx.commit().await?;
    flash::success(&session, "Two-factor sign-in is off. Your recovery codes no longer work.").await?;
    Ok(Redirect::to(PAGE).into_response())
}
