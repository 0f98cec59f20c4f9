//! Sign-up, sign-in and sign-out.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    CurrentUser, EMAIL_TOO_LONG, MaybeUser, clean_name, email_too_long, normalize_email, password, queries,
    session::{SignIn, sign_in, sign_out},
    views::{LoginView, SignupErrors, SignupView},
};
use crate::{
    db::WorkspaceTx,
    error::{AppError, AppResult},
    oauth,
    state::AppState,
    team, tenancy,
    web::{
        Layout, flash, invalid_form, page,
        redirect::{local_path, to_local_or_home},
    },
};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
    #[serde(default)]
    invite: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    /// The token of the invitation this sign-up answers, if any.
    #[serde(default)]
    invite: String,
}

#[derive(Deserialize, Default)]
pub struct LogoutForm {
    #[serde(default)]
    next: String,
}

pub async fn view_login(
    State(state): State<AppState>,
    layout: Layout,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(to_local_or_home(q.next.as_deref()).into_response());
    }
    let providers = oauth::configured(&state);
    page(LoginView { layout, providers, email: String::new(), next: q.next.unwrap_or_default(), error: None })
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    if email_too_long(&form.email) {
        let providers = oauth::configured(&state);
        let error = Some(EMAIL_TOO_LONG.to_owned());
        return invalid_form(LoginView { layout, providers, email: String::new(), next: form.next, error });
    }
    let email = form.email.trim().to_lowercase();
    state.check_auth_rate(&peer, "login", &email)?;
    let user = queries::by_email(&state.db, &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(form.password, stored).await?;
    match user {
        Some(user) if matches => {
            let signed_in = sign_in(&state, &session, &user, &form.next).await?;
            if let (SignIn::Complete, Some(token)) = (signed_in, form.next.strip_prefix("/invites/")) {
                let person = CurrentUser::from(&user);
                return accept_after_sign_in(&state, &session, &peer, &person, token).await;
            }
            Ok(signed_in.redirect(&form.next))
        }
        _ => invalid_form(LoginView {
            layout,
            providers: oauth::configured(&state),
            email: form.email,
            next: form.next,
            error: Some("That email and password do not match an account.".into()),
        }),
    }
}

pub async fn view_signup(
    State(state): State<AppState>,
    layout: Layout,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(to_local_or_home(q.next.as_deref()).into_response());
    }
    let next = q.next.unwrap_or_default();
    let invited = team::invites::usable(&state, &q.invite).await?.ok();
    let email = invited.as_ref().map(|i| i.email.clone()).unwrap_or_default();
    let invite = if invited.is_some() { q.invite } else { String::new() };
    let providers = oauth::configured(&state);
    page(SignupView { layout, providers, name: String::new(), email, next, invite, errors: SignupErrors::default() })
}

pub async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let name = clean_name(&form.name);
    let email = normalize_email(&form.email);
    let mut errors = SignupErrors {
        name: name.as_ref().err().map(|e| e.to_string()),
        email: email.as_ref().err().map(|e| e.to_string()),
        password: password::problem(&form.password),
    };
    let (Ok(name), Ok(email), false) = (name, email, errors.any()) else {
        return invalid_form(signup_again(&state, layout, form, errors));
    };
    state.check_auth_rate(&peer, "signup", &email)?;
    let hash = password::hash(form.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    let user = match queries::create(&mut tx, &email, &name, Some(&hash)).await {
        Ok(user) => user,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            errors.email = Some("An account with this email already exists. Sign in instead.".into());
            return invalid_form(signup_again(&state, layout, form, errors));
        }
        Err(other) => return Err(other.into()),
    };
    // Signing up through an invitation joins that workspace instead of
    // making a personal studio nobody asked for.
    let invitation = match team::invites::usable(&state, &form.invite).await? {
        Ok(invitation) if invitation.email == email => Some(invitation),
        _ => None,
    };
    let workspace_id = match &invitation {
        Some(invitation) => {
            let person = CurrentUser::from(&user);
            team::invites::join(tx, invitation, &person, &peer.ip().to_string()).await?;
            invitation.workspace_id
        }
        None => {
            let mut tx = WorkspaceTx::for_new_workspace(tx).await?;
            tenancy::queries::create(&mut tx, &format!("{name}'s studio"), user.id, &state.config.default_plan).await?;
            let workspace_id = tx.workspace_id();
            tx.commit().await?;
            workspace_id
        }
    };
    let signed_in = sign_in(&state, &session, &user, &form.next).await?;
    tenancy::make_active(&session, workspace_id).await?;
    Ok(signed_in.redirect(&form.next))
}

/// Signing in from an invitation accepts it when it is for this account;
/// otherwise the invitation page says why not.
async fn accept_after_sign_in(
    state: &AppState,
    session: &Session,
    peer: &SocketAddr,
    person: &CurrentUser,
    token: &str,
) -> AppResult<Response> {
    match team::invites::usable(state, token).await? {
        Ok(invitation) if invitation.email == person.email => {
            team::invites::join(state.db.begin_write().await?, &invitation, person, &peer.ip().to_string()).await?;
            tenancy::make_active(session, invitation.workspace_id).await?;
            flash::success(session, format!("Welcome to {}.", invitation.workspace_name)).await?;
            Ok(Redirect::to("/").into_response())
        }
        _ => Ok(Redirect::to(&format!("/invites/{token}")).into_response()),
    }
}

fn signup_again(state: &AppState, layout: Layout, form: SignupForm, errors: SignupErrors) -> SignupView {
    let providers = oauth::configured(state);
    // An over-long email is not echoed back into the page.
    let email = if email_too_long(&form.email) { String::new() } else { form.email };
    SignupView { layout, providers, name: form.name, email, next: form.next, invite: form.invite, errors }
}

/// Signs out, then goes to `next` when it is local (e.g. back to an
/// invitation meant for another account), else to the sign-in page.
pub async fn logout(session: Session, Form(form): Form<LogoutForm>) -> AppResult<Redirect> {
    sign_out(&session).await?;
    Ok(Redirect::to(local_path(&form.next).unwrap_or("/login")))
}

impl AppState {
    /// Counts an attempt at a door (`login`, `signup`, …) per address and per
    /// email; past either limit the answer is a 429 page.
    pub fn check_auth_rate(&self, peer: &SocketAddr, door: &str, email: &str) -> AppResult<()> {
        let limits = &self.config.auth_limits;
        // The limiter stores keys as fixed-size digests; the same address
        // however it is typed counts once.
        let email = email.trim().to_lowercase();
        let by_address = self.rate_limiter.allow(&format!("{door}:ip:{}", peer.ip()), limits.per_address);
        let by_email = self.rate_limiter.allow(&format!("{door}:email:{email}"), limits.per_email);
        if by_address && by_email { Ok(()) } else { Err(AppError::TooManyRequests) }
    }
}
