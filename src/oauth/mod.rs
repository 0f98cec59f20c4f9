//! "Continue with Google" and "Continue with GitHub": the authorization code
//! flow with PKCE (S256) and `state` (plus `nonce` for Google), all kept in
//! the session and removed at the callback. An identity is the provider's id
//! for a person; an email links to an existing account only when the
//! provider says it is verified (see `accounts`).

mod accounts;
mod profile;

use std::time::Duration;

use axum::{
    Router,
    extract::{ConnectInfo, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
    basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

pub use profile::Profile;

use crate::{
    auth::{CurrentUser, MaybeUser, queries},
    config::OAuthProvider,
    error::{AppError, AppResult},
    state::AppState,
    web::flash,
};

const KEY: &str = "oauth";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/{provider}", get(start))
        .route("/auth/{provider}/callback", get(callback))
        .route("/account/identities/{provider}/unlink", post(unlink))
}

/// The providers Easel knows, by the key in their URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Google,
    Github,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Google, Provider::Github];

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Github => "github",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Google => "Google",
            Self::Github => "GitHub",
        }
    }

    pub fn config(self, state: &AppState) -> Option<&OAuthProvider> {
        match self {
            Self::Google => state.config.google.as_ref(),
            Self::Github => state.config.github.as_ref(),
        }
    }
}

/// The configured providers, for the sign-in buttons.
pub fn configured(state: &AppState) -> Vec<Provider> {
    Provider::ALL.into_iter().filter(|p| p.config(state).is_some()).collect()
}

/// What the session remembers between leaving for the provider and coming back.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    provider: Provider,
    state: String,
    verifier: String,
    nonce: String,
    /// Set when a signed-in person links another way to sign in.
    link_to: Option<Uuid>,
}

/// Google returns an ID token beside the access token.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default)]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Client = oauth2::Client<
    BasicErrorResponse,
    StandardTokenResponse<IdTokenField, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

fn client(state: &AppState, provider: Provider, config: &OAuthProvider) -> AppResult<Client> {
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let bad = |e: oauth2::url::ParseError| AppError::Internal(anyhow::anyhow!("an OAuth URL: {e}"));
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(config.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(config.auth_url.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(config.token_url.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(format!("{base}/auth/{}/callback", provider.key())).map_err(bad)?))
}

/// An HTTP client that never follows redirects and never waits long.
pub fn http_client() -> oauth2::reqwest::Client {
    oauth2::reqwest::Client::builder()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .user_agent("Easel")
        .build()
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct StartQuery {
    #[serde(default)]
    link: String,
}

/// Sends the person to the provider.
pub async fn start(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session: Session,
    Path(provider): Path<String>,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let provider = Provider::parse(&provider).ok_or(AppError::NotFound)?;
    let config = provider.config(&state).ok_or(AppError::NotFound)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let client = client(&state, provider, config)?;
    let mut request = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
    request = match provider {
        Provider::Google => ["openid", "email", "profile"]
            .into_iter()
            .fold(request, |r, s| r.add_scope(Scope::new(s.into())))
            .add_extra_param("nonce", nonce.clone()),
        Provider::Github => {
            request.add_scope(Scope::new("read:user".into())).add_scope(Scope::new("user:email".into()))
        }
    };
    let (url, csrf) = request.url();
    let link_to = user.filter(|_| q.link == "1").map(|u| u.id);
    let pending =
        Pending { provider, state: csrf.secret().clone(), verifier: verifier.secret().clone(), nonce, link_to };
    session.insert(KEY, pending).await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

/// Back from the provider: check everything, then sign in, link or create.
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    session: Session,
    Path(provider): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let provider = Provider::parse(&provider).ok_or(AppError::NotFound)?;
    let pending: Option<Pending> = session.remove(KEY).await?;
    let back = if pending.as_ref().is_some_and(|p| p.link_to.is_some()) { "/account" } else { "/login" };
    let fail = |message: String| {
        let session = session.clone();
        async move {
            flash::error(&session, message).await?;
            Ok::<Response, AppError>(Redirect::to(back).into_response())
        }
    };
    if !q.error.is_empty() {
        let why = if q.error == "access_denied" { "you cancelled it" } else { "the provider refused" };
        return fail(format!("Signing in with {} did not happen: {why}. Nothing was changed.", provider.label())).await;
    }
    let Some(pending) = pending.filter(|p| p.provider == provider && !q.state.is_empty() && p.state == q.state) else {
        return fail("That sign-in link expired or did not start here. Please try again.".into()).await;
    };
    let Some(config) = provider.config(&state) else { return Err(AppError::NotFound) };
    let token = client(&state, provider, config)?
        .exchange_code(AuthorizationCode::new(q.code.clone()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&state.http)
        .await;
    let token = match token {
        Ok(token) => token,
        Err(err) => {
            tracing::warn!(provider = provider.key(), error = %err, "an OAuth code exchange failed");
            return fail(format!("{} did not confirm the sign-in. Please try again.", provider.label())).await;
        }
    };
    let profile = match profile::fetch(&state, provider, config, &token, &pending.nonce).await {
        Ok(profile) => profile,
        Err(err) => {
            tracing::warn!(provider = provider.key(), error = %err, "reading an OAuth profile failed");
            return fail(format!("{} sent an answer Easel could not use. Please try again.", provider.label())).await;
        }
    };
    match accounts::settle(&state, &session, &peer, provider, &profile, pending.link_to).await? {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(message) => fail(message).await,
    }
}

/// Removes a way to sign in, unless it is the last one.
pub async fn unlink(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    Path(provider): Path<String>,
) -> AppResult<Redirect> {
    let provider = Provider::parse(&provider).ok_or(AppError::NotFound)?;
    let stored = queries::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let identities = queries::identities_of(&state.db, user.id).await?;
    if !identities.iter().any(|i| i.provider == provider.key()) {
        return Err(AppError::NotFound);
    }
    if stored.password_hash.is_none() && identities.len() <= 1 {
        return Err(AppError::bad_request(
            "This is your only way to sign in. Set a password or link another provider first.",
        ));
    }
    queries::unlink_identity(&state.db, user.id, provider.key()).await?;
    flash::success(&session, format!("{} is no longer linked.", provider.label())).await?;
    Ok(Redirect::to("/account"))
}
