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
    verification,
    views::{LoginView, SignupErrors, SignupView},
};
use crate::{
    config::SignupPolicy,
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
    /// The new studio's time zone (UTC when the form sends none).
    #[serde(default)]
    time_zone: String,
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
    HostSite(site): HostSite,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(to_local_or_home(q.next.as_deref()).into_response());
    }
    page(login_view(&state, layout, site, String::new(), q.next.unwrap_or_default(), None))
}

/// The sign-in page for a signed-out visitor at `/` of a workspace's own
/// address (the host middleware answers with it).
pub async fn sign_in_page(state: &AppState, parts: &mut axum::http::request::Parts) -> AppResult<Response> {
    use axum::extract::FromRequestParts;
    let layout = Layout::from_request_parts(parts, state).await?;
    let site = parts.extensions.get::<tenancy::Site>().cloned();
    page(login_view(state, layout, site, String::new(), String::new(), None))
}

fn login_view(
    state: &AppState,
    layout: Layout,
    site: Option<tenancy::Site>,
    email: String,
    next: String,
    error: Option<String>,
) -> LoginView {
    let providers = oauth::configured(state);
    let instance_url = tenancy::address::instance_url(&state.config);
    LoginView { layout, providers, email, next, error, site, instance_url }
}

/// The workspace whose own address the request came to, if any.
pub struct HostSite(pub Option<tenancy::Site>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for HostSite {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<tenancy::Site>().cloned()))
    }
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    HostSite(site): HostSite,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    if email_too_long(&form.email) {
        let error = Some(EMAIL_TOO_LONG.to_owned());
        return invalid_form(login_view(&state, layout, site, String::new(), form.next, error));
    }
    let email = form.email.trim().to_lowercase();
    state.check_auth_rate(&peer, "login", &email).await?;
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
            if let (SignIn::Complete, Some(site)) = (signed_in, &site) {
                return enter_site(&state, &session, &user, site, &form.next).await;
            }
            Ok(signed_in.redirect(&form.next))
        }
        _ => {
            let error = Some("That email and password do not match an account.".into());
            invalid_form(login_view(&state, layout, site, form.email, form.next, error))
        }
    }
}

/// Signed in at a workspace's own address: a member works in that
/// workspace from now on; anyone else lands in their own workspaces, told why.
async fn enter_site(
    state: &AppState,
    session: &Session,
    user: &queries::User,
    site: &tenancy::Site,
    next: &str,
) -> AppResult<Response> {
    if tenancy::queries::membership(&state.db, user.id, site.id).await?.is_some() {
        tenancy::make_active(session, site.id).await?;
        tenancy::queries::touch(&state.db, user.id, site.id).await?;
        return Ok(SignIn::Complete.redirect(next));
    }
    let why = format!("You are not a member of {}; here are your workspaces.", site.name);
    flash::error(session, why).await?;
    Ok(Redirect::to("/workspaces").into_response())
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
    let policy = state.config.signup;
    page(SignupView {
        layout,
        providers,
        name: String::new(),
        email,
        next,
        invite,
        errors: SignupErrors::default(),
        policy,
        time_zone: "UTC".into(),
        time_zones: crate::settings::time_zone_names(),
    })
}

/// Creates an account. An address that already has one gets the same answer
/// (so the form tells nobody who has an account), and its owner gets a mail.
pub async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    layout: Layout,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let invitation = team::invites::usable(&state, &form.invite).await?.ok();
    match (state.config.signup, &invitation) {
        (SignupPolicy::Closed, _) => return Err(AppError::Forbidden(CLOSED)),
        (SignupPolicy::Invite, None) => return Err(AppError::Forbidden(INVITE_ONLY)),
        _ => {}
    }
    let name = clean_name(&form.name);
    let email = normalize_email(&form.email);
    let mut errors = SignupErrors {
        name: name.as_ref().err().map(|e| e.to_string()),
        email: email.as_ref().err().map(|e| e.to_string()),
        password: password::problem(&form.password),
        time_zone: None,
    };
    let time_zone = chosen_time_zone(&form.time_zone);
    errors.time_zone = time_zone.as_ref().err().map(|e| e.to_string());
    let (Ok(name), Ok(email), Ok(time_zone), false) = (name, email, time_zone, errors.any()) else {
        return invalid_form(signup_again(&state, layout, form, errors));
    };
    // The invitation counts only for the address it was sent to.
    let invitation = invitation.filter(|i| i.email == email);
    if state.config.signup == SignupPolicy::Invite && invitation.is_none() {
        errors.email = Some("Sign up with the address your invitation was sent to.".into());
        return invalid_form(signup_again(&state, layout, form, errors));
    }
    state.check_auth_rate(&peer, "signup", &email).await?;
    let hash = password::hash(form.password.clone()).await?;
    let done = to_local_or_home(Some(&form.next)).into_response();
    if queries::by_email(&state.db, &email).await?.is_some() {
        tell_owner_of_attempt(&state, &email).await?;
        return Ok(done);
    }
    let mut tx = state.db.begin_write().await?;
    let user = match queries::create(&mut tx, &email, &name, Some(&hash)).await {
        Ok(user) => user,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            tell_owner_of_attempt(&state, &email).await?;
            return Ok(done);
        }
        Err(other) => return Err(other.into()),
    };
    let workspace_id = match &invitation {
        // Signing up through an invitation joins that workspace instead of
        // making a personal studio nobody asked for; the link was mailed to
        // this address, so it proves the address too.
        Some(invitation) => {
            queries::mark_verified(&mut tx, user.id).await?;
            let person = CurrentUser::from(&user);
            team::invites::join(&state.databases, tx, invitation, &person, &peer.ip().to_string()).await?;
            verification::after_proof(&state, &email).await;
            invitation.workspace_id
        }
        None => {
            let link = verification::new_link(&state, &mut tx, user.id, &email).await?;
            let (mut tx, placement) = state.databases.new_workspace_tx(tx).await?;
            let studio = format!("{name}'s studio");
            tenancy::queries::create(&mut tx, &studio, user.id, &state.config.default_plan, &placement).await?;
            tenancy::set_time_zone(&mut tx, &time_zone).await?;
            let workspace_id = tx.workspace_id();
            tx.commit().await?;
            verification::mail_link(&state, &name, &email, &link).await;
            workspace_id
        }
    };
    let signed_in = sign_in(&state, &session, &user, &form.next).await?;
    tenancy::make_active(&session, workspace_id).await?;
    Ok(signed_in.redirect(&form.next))
}

const CLOSED: &str = "New accounts are not open on this Easel. Ask its operator to make one for you.";
const INVITE_ONLY: &str =
    "Joining this Easel needs an invitation. Open the invitation link from your mail to create your account.";

/// Someone tried to sign up with an address that has an account: its owner
/// hears of it (and how to get in), the visitor learns nothing.
async fn tell_owner_of_attempt(state: &AppState, email: &str) -> AppResult<()> {
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let body = format!(
        "Hello,\n\nSomeone tried to create an Easel account with your address ({email}). You already have one, \
         so nothing was created.\n\nIf it was you, sign in here:\n{base}/login\n\nForgot your password? Choose a \
         new one here:\n{base}/password/forgot\n\nIf it was not you, ignore this mail: nothing changed.\n"
    );
    if let Err(err) = state.mailer.send(email, "Someone tried to sign up with your address", body).await {
        tracing::warn!(error = %err, "a sign-up attempt notice could not be sent");
    }
    Ok(())
}

/// Signing in from an invitation accepts it when it is for this account and
/// its address is confirmed; otherwise the invitation page says why not.
async fn accept_after_sign_in(
    state: &AppState,
    session: &Session,
    peer: &SocketAddr,
    person: &CurrentUser,
    token: &str,
) -> AppResult<Response> {
    match team::invites::usable(state, token).await? {
        Ok(invitation) if invitation.email == person.email && person.email_verified => {
            let tx = state.db.begin_write().await?;
            team::invites::join(&state.databases, tx, &invitation, person, &peer.ip().to_string()).await?;
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
    let policy = state.config.signup;
    // Only a zone from the list is echoed back.
    let time_zone = chosen_time_zone(&form.time_zone).unwrap_or_else(|_| "UTC".into());
    let time_zones = crate::settings::time_zone_names();
    SignupView {
        layout,
        providers,
        name: form.name,
        email,
        next: form.next,
        invite: form.invite,
        errors,
        policy,
        time_zone,
        time_zones,
    }
}

/// The time zone a form chose: UTC when it sent none (a form without script
/// sends the select's default, UTC; an older form sends nothing).
pub fn chosen_time_zone(raw: &str) -> Result<String, &'static str> {
    match raw.trim() {
        "" => Ok("UTC".into()),
        raw => {
            crate::settings::canonical_time_zone(raw).ok_or("Choose a time zone from the list, such as Europe/Paris.")
        }
    }
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
    pub async fn check_auth_rate(&self, peer: &SocketAddr, door: &str, email: &str) -> AppResult<()> {
        let limits = &self.config.auth_limits;
        // The limiter stores keys as fixed-size digests; the same address
        // however it is typed counts once.
        let email = email.trim().to_lowercase();
        let by_address = format!("{door}:ip:{}", peer.ip());
        let by_email = format!("{door}:email:{email}");
        let allowed =
            self.rate_limiter.allow_all(&[(&by_address, limits.per_address), (&by_email, limits.per_email)]).await;
        if allowed { Ok(()) } else { Err(AppError::TooManyRequests) }
    }
}
