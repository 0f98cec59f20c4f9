//! The door of a review link: the token opens one link of one workspace;
//! the page sets a random nonce cookie of its own (Path=/review/) and every
//! form carries HMAC(link id, nonce), so a form of link A's page never
//! works on link B, nor without the reviewer's cookie. Actions are rate
//! limited per link and address.
//!
//! The app's CSRF guard (`web::csrf`) lets `/review/` through after its
//! same-origin check, because a reviewer has no session to hold its token;
//! [`Door::check_form`] is this door's equivalent check.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, header, request::Parts},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    queries::{self, Front, Link, Standing},
    scope::Scope,
};
use crate::{
    calendars::clock::Clock,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    settings,
    state::AppState,
    web::tokens,
};

/// Actions one address may take on one link per rate-limit window.
pub const ACTIONS_PER_WINDOW: u32 = 60;
pub const COOKIE: &str = "easel-review";
pub const TOKEN_HEADER: &str = "x-csrf-token";

/// The caller's address, as the workspace extractor reads it.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        Ok(Self(ip))
    }
}

/// An opened link: its workspace's transaction and everything the page
/// shows around the posts.
pub struct Door {
    pub tx: WorkspaceTx,
    pub link: Link,
    pub front: Front,
    pub display_name: String,
    pub clock: Clock,
    pub scope: Scope,
    pub standing: Standing,
    /// Who made the link, for "ask … for a new one".
    pub maker: String,
}

/// Why a token opens nothing usable.
pub enum Shut {
    /// No such link (or malformed, or its workspace is gone): 404.
    Unknown,
    /// The link exists but no longer opens: 410, on the workspace's branding.
    Closed(Box<Door>),
}

impl Door {
    /// Opens the link the token names, in a transaction on its workspace's
    /// database (a write one for actions).
    pub async fn open(state: &AppState, token: &str, write: bool) -> AppResult<Result<Door, Shut>> {
        if !looks_like_token(token) {
            return Ok(Err(Shut::Unknown));
        }
        let Some((workspace, link_id)) = queries::target(&state.databases, &tokens::hash(token)).await? else {
            return Ok(Err(Shut::Unknown));
        };
        // The token named the workspace; everything after reads only its rows.
        let mut tx = state.databases.workspace_tx(workspace, write).await?;
        let (Some(link), Some(front)) = (queries::get(&mut tx, link_id).await?, queries::front(&mut tx).await?) else {
            return Ok(Err(Shut::Unknown));
        };
        let settings = settings::queries::get(&mut tx).await?;
        let display_name =
            if settings.display_name.trim().is_empty() { front.name.clone() } else { settings.display_name.clone() };
        let maker = queries::person_name(&mut tx, link.created_by).await?.unwrap_or_else(|| display_name.clone());
        let clock = Clock::new(&settings.time_zone);
        let scope = Scope::of(&link, &clock);
        let standing = link.standing(OffsetDateTime::now_utc());
        let door = Door { tx, link, front, display_name, clock, scope, standing, maker };
        Ok(if standing == Standing::Active { Ok(door) } else { Err(Shut::Closed(Box::new(door))) })
    }

    /// The token this link's forms carry for the reviewer holding `nonce`.
    pub fn form_token(&self, state: &AppState, nonce: &str) -> String {
        form_token(state, self.link.id, nonce)
    }

    /// Refuses a form without the token of this link and this reviewer's
    /// cookie (403), then counts the action against the rate limit (429).
    pub async fn check_form(&self, state: &AppState, headers: &HeaderMap, sent: &str, ip: &str) -> AppResult<()> {
        let sent = header_value(headers, TOKEN_HEADER).unwrap_or(sent);
        let expected = nonce_of(headers).map(|n| self.form_token(state, &n));
        let matches = expected.is_some_and(|e| constant_time_eq(e.as_bytes(), sent.trim().as_bytes()));
        if !matches {
            return Err(AppError::Forbidden(
                "This form has expired or did not come from this review page. Reload the page and try again; \
                 nothing was changed.",
            ));
        }
        let key = format!("review:{}:{ip}", self.link.id);
        if !state.rate_limiter.allow(&key, ACTIONS_PER_WINDOW).await {
            return Err(AppError::TooManyRequests);
        }
        Ok(())
    }
}

/// HMAC of the link id and the reviewer's nonce.
fn form_token(state: &AppState, link: Uuid, nonce: &str) -> String {
    let mut data = link.as_bytes().to_vec();
    data.extend_from_slice(nonce.as_bytes());
    URL_SAFE_NO_PAD.encode(state.secrets.sign("review-link-form", &data))
}

/// A token as `tokens::new_token` makes them: 43 base64url characters.
fn looks_like_token(raw: &str) -> bool {
    raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The reviewer's nonce from their cookie, if it looks like one of ours.
pub fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))?;
    looks_like_token(value).then(|| value.to_owned())
}

/// The reviewer's nonce, or a new one with the cookie that sets it.
pub fn nonce_or_new(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    if let Some(nonce) = nonce_of(headers) {
        return (nonce, None);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    let cookie =
        format!("{COOKIE}={nonce}; Path=/review/; HttpOnly; SameSite=Strict{}", if secure { "; Secure" } else { "" });
    (nonce, HeaderValue::from_str(&cookie).ok())
}

fn header_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_tokens_and_cookies_are_read() {
        assert!(looks_like_token(&"a".repeat(43)));
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}/", "a".repeat(42))));
        let mut headers = HeaderMap::new();
        let nonce = "B".repeat(43);
        headers.insert(header::COOKIE, format!("x=1; {COOKIE}={nonce}").parse().expect("cookie"));
        assert_eq!(nonce_of(&headers), Some(nonce.clone()));
        assert_eq!(nonce_or_new(&headers, false).0, nonce);
        let (fresh, cookie) = nonce_or_new(&HeaderMap::new(), true);
        let cookie = cookie.expect("a cookie").to_str().expect("text").to_owned();
        assert!(cookie.contains(&fresh) && cookie.contains("Path=/review/") && cookie.contains("Secure"));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    }
}
