//! Forged-request defence (DESIGN §7) and the stale-tab marker (DESIGN §3).
//!
//! Every unsafe request must come from our own origin (by `Sec-Fetch-Site`,
//! else `Origin`) and carry the session's token, in the `X-CSRF-Token`
//! header (HTMX) or the `csrf_token` form field. The same pass reads which
//! workspace the page was rendered for (`X-Easel-Workspace` or
//! `page_workspace`) for the `Workspace` extractor to compare.
//!
//! A visitor who is not signed in has no session row, and looking at the
//! sign-in page must not make one: their token is a signed double-submit
//! cookie instead (a random nonce in a cookie, the form carrying its HMAC
//! under a key derived from the master key), until sign-in starts a session.

use std::sync::{Arc, Mutex};

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use tower_sessions::Session;
use url::form_urlencoded;
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

mod multipart;

const SESSION_KEY: &str = "csrf";
pub const TOKEN_FIELD: &str = "csrf_token";
pub const TOKEN_HEADER: &str = "x-csrf-token";
pub const WORKSPACE_FIELD: &str = "page_workspace";
pub const WORKSPACE_HEADER: &str = "x-easel-workspace";
/// Forms are small; uploads are multipart and never buffered here.
const FORM_LIMIT: usize = 1024 * 1024;

/// The workspace a submitted page was rendered for, if it said.
#[derive(Clone, Copy, Debug)]
pub struct PageWorkspace(pub Option<Uuid>);

/// The token for this request's forms: the session's when it has one,
/// else a visitor's, from the signed cookie (a new one is set if needed).
/// Never writes the session.
pub async fn token_for(parts: &Parts, session: &Session, state: &AppState) -> AppResult<String> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(token);
    }
    let secure = state.config.secure_cookies();
    let nonce = match visitor_nonce(&parts.headers, secure) {
        Some(nonce) => nonce,
        None => {
            let nonce = random_token();
            if let Some(pending) = parts.extensions.get::<PendingCookie>() {
                *pending.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(nonce.clone());
            }
            nonce
        }
    };
    Ok(visitor_token(state, &nonce))
}

/// A fresh token, e.g. at sign-in, so a token seen before it is worthless.
pub async fn renew(session: &Session) -> AppResult<String> {
    let token = random_token();
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Where [`token_for`] leaves a visitor's new nonce for the guard to set as
/// a cookie on the way out.
#[derive(Clone, Default)]
struct PendingCookie(Arc<Mutex<Option<String>>>);

fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-easel-csrf" } else { "easel-csrf" }
}

/// The visitor's nonce from their cookie, if it looks like one of ours.
fn visitor_nonce(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    let value = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))?;
    let ours = value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ours.then(|| value.to_owned())
}

/// The token a visitor's forms carry: the HMAC of their cookie's nonce.
fn visitor_token(state: &AppState, nonce: &str) -> String {
    URL_SAFE_NO_PAD.encode(state.secrets.sign("csrf-visitor", nonce.as_bytes()))
}

pub async fn guard(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    let pending = PendingCookie::default();
    request.extensions_mut().insert(pending.clone());
    let mut response = if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        next.run(request).await
    } else {
        match check(&state, &session, request).await {
            Ok(request) => next.run(request).await,
            Err(err) => err.into_response(),
        }
    };
    let nonce = pending.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(nonce) = nonce {
        let secure = state.config.secure_cookies();
        let cookie = format!(
            "{}={nonce}; Path=/; HttpOnly; SameSite=Lax{}",
            cookie_name(secure),
            if secure { "; Secure" } else { "" }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn check(state: &AppState, session: &Session, request: Request) -> AppResult<Request> {
    // Stripe's webhook comes from Stripe's servers with no session: its
    // `Stripe-Signature` (checked by `billing::webhook`) is its authentication.
    if request.uri().path() == crate::web::STRIPE_WEBHOOK {
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(PageWorkspace(None));
        return Ok(Request::from_parts(parts, body));
    }
    if !same_origin(request.headers(), &state.config.origin()) {
        return Err(AppError::Forbidden(
            "This request came from another site, so Easel refused it. Nothing was changed.",
        ));
    }
    // A review link's reviewer has no session to hold a token: its forms
    // carry one bound to the link and to the link page's own cookie, which
    // the review handlers check (`review::door`). Exempted here, after the
    // same-origin check, rather than given a visitor cookie that would work
    // for any link.
    if request.uri().path().starts_with("/review/") {
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(PageWorkspace(None));
        return Ok(Request::from_parts(parts, body));
    }
    let (mut parts, body) = request.into_parts();
    let mut sent_token = header_str(&parts.headers, TOKEN_HEADER).map(str::to_owned);
    let mut page_workspace = header_str(&parts.headers, WORKSPACE_HEADER).map(str::to_owned);
    let body = if let Some(boundary) = multipart_boundary(&parts.headers).filter(|_| sent_token.is_none()) {
        let (fields, body) = multipart::leading_fields(body, &boundary).await?;
        for (key, value) in fields {
            match key.as_str() {
                TOKEN_FIELD => sent_token = Some(value),
                WORKSPACE_FIELD if page_workspace.is_none() => page_workspace = Some(value),
                _ => {}
            }
        }
        body
    } else if is_urlencoded(&parts.headers) {
        let bytes = to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| AppError::PayloadTooLarge("This form is larger than Easel accepts.".into()))?;
        for (key, value) in form_urlencoded::parse(&bytes) {
            match key.as_ref() {
                TOKEN_FIELD if sent_token.is_none() => sent_token = Some(value.into_owned()),
                WORKSPACE_FIELD if page_workspace.is_none() => page_workspace = Some(value.into_owned()),
                _ => {}
            }
        }
        Body::from(bytes)
    } else {
        body
    };
    let expected = match session.get::<String>(SESSION_KEY).await? {
        Some(token) => Some(token),
        None => visitor_nonce(&parts.headers, state.config.secure_cookies()).map(|n| visitor_token(state, &n)),
    };
    match (expected, sent_token) {
        (Some(expected), Some(sent)) if constant_time_eq(expected.as_bytes(), sent.as_bytes()) => {}
        _ => {
            return Err(AppError::Forbidden(
                "This form has expired or did not come from Easel. Reload the page and try again; nothing was changed.",
            ));
        }
    }
    let page_workspace = page_workspace.and_then(|id| Uuid::parse_str(id.trim()).ok());
    parts.extensions.insert(PageWorkspace(page_workspace));
    Ok(Request::from_parts(parts, body))
}

/// `Sec-Fetch-Site` when the browser sends it, else `Origin`; a client that
/// sends neither is not a browser being tricked, and still needs the token.
fn same_origin(headers: &HeaderMap, our_origin: &str) -> bool {
    if let Some(site) = header_str(headers, "sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = header_str(headers, header::ORIGIN.as_str()) else {
        return true;
    };
    if origin == our_origin {
        return true;
    }
    let host = header_str(headers, header::HOST.as_str()).unwrap_or_default();
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

fn is_urlencoded(headers: &HeaderMap) -> bool {
    header_str(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = header_str(headers, header::CONTENT_TYPE.as_str())?;
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary=")).map(|b| b.trim_matches('"').to_owned())
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_first() {
        let ours = "http://127.0.0.1:3000";
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")]), ours));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), ours));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site"), ("origin", ours)]), ours));
    }

    #[test]
    fn origin_must_be_ours_or_the_host() {
        let ours = "http://127.0.0.1:3000";
        assert!(same_origin(&headers(&[("origin", "http://127.0.0.1:3000")]), ours));
        assert!(same_origin(&headers(&[("origin", "http://localhost:3000"), ("host", "localhost:3000")]), ours));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]), ours));
        assert!(!same_origin(&headers(&[("origin", "null")]), ours));
    }

    #[test]
    fn a_visitor_nonce_is_read_only_from_our_cookie() {
        let nonce = "A".repeat(43);
        let mut map = HeaderMap::new();
        map.insert(header::COOKIE, format!("other=1; easel-csrf={nonce}").parse().expect("cookie"));
        assert_eq!(visitor_nonce(&map, false), Some(nonce.clone()));
        assert_eq!(visitor_nonce(&map, true), None, "under https the cookie has the __Host- prefix");
        map.insert(header::COOKIE, "easel-csrf=short".parse().expect("cookie"));
        assert_eq!(visitor_nonce(&map, false), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
