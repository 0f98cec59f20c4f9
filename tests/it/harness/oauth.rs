//! A stand-in OAuth provider on 127.0.0.1 speaking Google's and GitHub's
//! token, user-info and API endpoints, checking PKCE and single-use codes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Form, Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use easel::config::OAuthProvider;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug)]
pub struct Person {
    pub sub: String,
    pub email: String,
    pub verified: bool,
    pub name: String,
}

impl Person {
    pub fn new(sub: &str, email: &str, verified: bool) -> Self {
        Self { sub: sub.into(), email: email.into(), verified, name: "Ada Provider".into() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    ServerError,
    Garbage,
}

struct Grant {
    person: Person,
    challenge: String,
    nonce: String,
    used: bool,
}

#[derive(Default)]
struct Inner {
    grants: HashMap<String, Grant>,
    failure: Option<Failure>,
}

#[derive(Clone)]
pub struct StandIn {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl StandIn {
    pub async fn start() -> Self {
        let inner: Arc<Mutex<Inner>> = Arc::default();
        let app = Router::new()
            .route("/{provider}/token", post(token))
            .route("/google/userinfo", get(google_userinfo))
            .route("/github/api/user", get(github_user))
            .route("/github/api/user/emails", get(github_emails))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, inner }
    }

    pub fn config(&self, provider: &str) -> OAuthProvider {
        let api = if provider == "google" {
            format!("{}/google/userinfo", self.base)
        } else {
            format!("{}/github/api", self.base)
        };
        OAuthProvider {
            client_id: format!("{provider}-client"),
            client_secret: format!("{provider}-secret"),
            auth_url: format!("{}/{provider}/authorize", self.base),
            token_url: format!("{}/{provider}/token", self.base),
            api_url: api,
        }
    }

    /// The person approves: a code for this challenge and nonce.
    pub fn approve(&self, person: Person, challenge: &str, nonce: &str) -> String {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        let grant = Grant { person, challenge: challenge.into(), nonce: nonce.into(), used: false };
        self.inner.lock().expect("lock").grants.insert(code.clone(), grant);
        code
    }

    pub fn fail_with(&self, failure: Option<Failure>) {
        self.inner.lock().expect("lock").failure = failure;
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    code_verifier: String,
}

async fn token(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let mut inner = inner.lock().expect("lock");
    match inner.failure {
        Some(Failure::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Some(Failure::Garbage) => {
            return (StatusCode::OK, [("content-type", "application/json")], "{not json").into_response();
        }
        None => {}
    }
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{provider}-client:{provider}-secret"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected_auth.as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"}))).into_response();
    }
    let Some(grant) = inner.grants.get_mut(&form.code) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if grant.used || challenge != grant.challenge {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    }
    grant.used = true;
    let claims =
        json!({"sub": grant.person.sub, "aud": format!("{provider}-client"), "nonce": grant.nonce, "iss": "stand-in"});
    let id_token = format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string()));
    Json(json!({"access_token": format!("at-{}", form.code), "token_type": "bearer", "expires_in": 3600, "id_token": id_token}))
        .into_response()
}

fn person_of(inner: &Arc<Mutex<Inner>>, headers: &HeaderMap) -> Option<Person> {
    let code = headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer at-")?.to_owned();
    inner.lock().ok()?.grants.get(&code).map(|g| g.person.clone())
}

async fn google_userinfo(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    match person_of(&inner, &headers) {
        Some(p) => {
            Json(json!({"sub": p.sub, "email": p.email, "email_verified": p.verified, "name": p.name})).into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn github_user(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    if headers.get("user-agent").is_none() {
        return (StatusCode::FORBIDDEN, "a User-Agent is required").into_response();
    }
    match person_of(&inner, &headers) {
        Some(p) => {
            Json(json!({"id": p.sub.parse::<u64>().unwrap_or(1), "login": "ada-gh", "name": p.name})).into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn github_emails(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    match person_of(&inner, &headers) {
        Some(p) => Json(json!([
            {"email": "old@example.com", "primary": false, "verified": true},
            {"email": p.email, "primary": true, "verified": p.verified}
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
