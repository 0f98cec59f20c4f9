//! Who is signed in: the session record and the `CurrentUser` extractor.

use axum::{extract::FromRequestParts, http::request::Parts};
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

/// Starts a session for `user`: a new session id and a new CSRF token.
pub async fn sign_in(session: &Session, user: &User) -> AppResult<()> {
    session.cycle_id().await?;
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
        if let Some(user) = parts.extensions.get::<Self>() {
            return Ok(user.clone());
        }
        let next = (parts.method == axum::http::Method::GET)
            .then(|| parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
            .flatten();
        let session = session_of(parts)?;
        let user = load(&session, state).await?.ok_or(AppError::SignInRequired { next })?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
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

/// The session's person if the session is still good; a dead session is flushed.
async fn load(session: &Session, state: &AppState) -> AppResult<Option<CurrentUser>> {
    let Some(record) = session.get::<SignedIn>(KEY).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let expired = now.saturating_sub(record.since) > state.config.session.absolute.as_secs() as i64;
    let user = match expired {
        true => None,
        false => queries::by_id(&state.db, record.user_id).await?,
    };
    match user {
        Some(user) if user.session_generation == record.generation => {
            keep_alive(session, state, record, now).await?;
            Ok(Some(CurrentUser::from(&user)))
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
