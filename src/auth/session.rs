//! Who is signed in: the session record and the `CurrentUser` extractor.
//!
//! Signing in has one or two steps. After the password (or a provider) a
//! person without two-factor is signed in; one with two-factor is only
//! *half* signed in: the session remembers who they said they are under
//! another key, which `CurrentUser` never reads, until a code completes it.

use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::queries::{self, User};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    web::csrf,
};

const KEY: &str = "auth";
/// The half-signed-in record: nothing that needs a person reads it.
const HALF_KEY: &str = "auth_half";
/// How long the code page waits for a code after the password step.
const HALF_LIFETIME_SECS: i64 = 10 * 60;
/// Where a half-signed-in person gives their code.
pub const CODE_PAGE: &str = "/login/code";

/// What the session remembers about its person.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SignedIn {
    user_id: Uuid,
    /// The person's `session_generation` at sign-in; a bump ends this session.
    generation: i64,
    /// Unix seconds; the absolute lifetime counts from here.
    since: i64,
    /// Unix seconds of the last time the idle expiry was pushed back.
    touched: i64,
}

/// The signed-in person, checked against the database on every request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// Runs this Easel instance (`easel admin grant`).
    pub platform_admin: bool,
    /// Proved they receive mail at `email` (needed to accept invitations).
    pub email_verified: bool,
}

impl From<&User> for CurrentUser {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            platform_admin: user.is_platform_admin,
            email_verified: user.email_verified,
        }
    }
}

/// Someone past the password (or provider) step who still owes a code.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct HalfSignedIn {
    user_id: Uuid,
    generation: i64,
    since: i64,
    /// The local page to go to once the code is given.
    next: String,
}

/// How far a sign-in got.
#[must_use = "a sign-in may still need a two-factor code: send the person where `redirect` says"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignIn {
    Complete,
    CodeNeeded,
}

impl SignIn {
    /// Where to go now: `next` (when local, else home) once signed in, or the code page.
    pub fn destination(self, next: &str) -> String {
        match self {
            Self::Complete => crate::web::redirect::local_path(next).unwrap_or("/").to_owned(),
            Self::CodeNeeded => CODE_PAGE.to_owned(),
        }
    }

    pub fn redirect(self, next: &str) -> Response {
        Redirect::to(&self.destination(next)).into_response()
    }
}

/// Signs `user` in after their password or provider: fully, or, when they
/// use two-factor, half-way until the code page completes it (then going
/// on to `next`). Every first-step sign-in goes through here.
pub async fn sign_in(state: &AppState, session: &Session, user: &User, next: &str) -> AppResult<SignIn> {
    if !super::two_factor::queries::is_on(&state.db, user.id).await? {
        start(session, user).await?;
        return Ok(SignIn::Complete);
    }
    session.cycle_id().await?;
    // Whoever was signed in on this browser before is not any more.
    session.remove_value(KEY).await?;
    let next = crate::web::redirect::local_path(next).unwrap_or("/").to_owned();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let half = HalfSignedIn { user_id: user.id, generation: user.session_generation, since: now, next };
    session.insert(HALF_KEY, half).await?;
    csrf::renew(session).await?;
    Ok(SignIn::CodeNeeded)
}

/// The person this session is half signed in as, with the page to go to
/// afterwards; `None` when there is none, or it expired or was ended.
pub async fn half_signed_in(session: &Session, state: &AppState) -> AppResult<Option<(User, String)>> {
    let Some(half) = session.get::<HalfSignedIn>(HALF_KEY).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let user = match now.saturating_sub(half.since) > HALF_LIFETIME_SECS {
        true => None,
        false => queries::by_id(&state.db, half.user_id).await?,
    };
    match user {
        Some(user) if user.session_generation == half.generation => Ok(Some((user, half.next))),
        _ => {
            session.remove_value(HALF_KEY).await?;
            Ok(None)
        }
    }
}

/// Completes a half sign-in once the code was given.
pub async fn complete_sign_in(session: &Session, user: &User) -> AppResult<()> {
    start(session, user).await
}

/// Starts a full session for `user`: a new session id and a new CSRF token.
/// Only for a person who passed every step (or is keeping their session
/// across a password change).
pub(crate) async fn start(session: &Session, user: &User) -> AppResult<()> {
    session.cycle_id().await?;
    session.remove_value(HALF_KEY).await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let record = SignedIn { user_id: user.id, generation: user.session_generation, since: now, touched: now };
    session.insert(KEY, record).await?;
    csrf::renew(session).await?;
    Ok(())
}

/// Ends the session here and in the database.
pub async fn sign_out(session: &Session) -> AppResult<()> {
    session.flush().await?;
    Ok(())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let by_id = |id| async move { Ok(queries::by_id(&state.db, id).await?.map(|user| (user, ()))) };
        Ok(current_user_with(parts, state, by_id).await?.0)
    }
}

/// The signed-in person (as [`CurrentUser`] finds them), with `T` that
/// `fetch` reads in the same statement as their row: `None` when the person
/// was known already in this request, so nothing was read.
pub(crate) async fn current_user_with<T, F, Fut>(
    parts: &mut Parts,
    state: &AppState,
    fetch: F,
) -> AppResult<(CurrentUser, Option<T>)>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: Future<Output = sqlx::Result<Option<(User, T)>>>,
{
    if let Some(user) = parts.extensions.get::<CurrentUser>() {
        return Ok((user.clone(), None));
    }
    let next = (parts.method == axum::http::Method::GET)
        .then(|| parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .flatten();
    let session = session_of(parts)?;
    let (user, more) = load(&session, state, fetch).await?.ok_or(AppError::SignInRequired { next })?;
    parts.extensions.insert(user.clone());
    Ok((user, Some(more)))
}

/// The signed-in person, or `None` for a visitor; never redirects.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(Self(Some(user))),
            Err(AppError::SignInRequired { .. }) => Ok(Self(None)),
            Err(other) => Err(other),
        }
    }
}

pub(crate) fn session_of(parts: &Parts) -> AppResult<Session> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the session layer is missing")))
}

/// The session's person if the session is still good, with what `fetch`
/// read beside their row; a dead session is flushed.
async fn load<T, F, Fut>(session: &Session, state: &AppState, fetch: F) -> AppResult<Option<(CurrentUser, T)>>
where
    F: FnOnce(Uuid) -> Fut,
    Fut: Future<Output = sqlx::Result<Option<(User, T)>>>,
{
    let Some(record) = session.get::<SignedIn>(KEY).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let expired = now.saturating_sub(record.since) > state.config.session.absolute.as_secs() as i64;
    let found = match expired {
        true => None,
        false => fetch(record.user_id).await?,
    };
    match found {
        Some((user, more)) if user.session_generation == record.generation => {
            keep_alive(session, state, record, now).await?;
            Ok(Some((CurrentUser::from(&user), more)))
        }
        _ => {
            session.flush().await?;
            Ok(None)
        }
    }
}

/// Extends an idle-expiring session, but writes it at most once per half
/// idle period instead of on every request.
async fn keep_alive(session: &Session, state: &AppState, mut record: SignedIn, now: i64) -> AppResult<()> {
    if now.saturating_sub(record.touched) > (state.config.session.idle / 2).as_secs() as i64 {
        record.touched = now;
        session.insert(KEY, record).await?;
    }
    Ok(())
}
