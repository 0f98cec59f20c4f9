//! Who the provider says the person is.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use oauth2::{StandardTokenResponse, TokenResponse, basic::BasicTokenType};
use serde::Deserialize;

use super::{IdTokenField, Provider};
use crate::{config::OAuthProvider, state::AppState};

/// A person as a provider describes them.
#[derive(Clone, Debug)]
pub struct Profile {
    /// The provider's stable id for the person.
    pub subject: String,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
}

pub async fn fetch(
    state: &AppState,
    provider: Provider,
    config: &OAuthProvider,
    token: &StandardTokenResponse<IdTokenField, BasicTokenType>,
    nonce: &str,
) -> anyhow::Result<Profile> {
    let access = token.access_token().secret();
    match provider {
        Provider::Google => google(state, config, access, token.extra_fields().id_token.as_deref(), nonce).await,
        Provider::Github => github(state, config, access).await,
    }
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    aud: String,
    #[serde(default)]
    nonce: Option<String>,
}

#[derive(Deserialize)]
struct GoogleUser {
    sub: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    name: String,
}

/// The ID token came straight from the token endpoint over TLS, so its
/// claims are read without a signature check (OpenID Connect §3.1.3.7); the
/// nonce ties it to this sign-in and the audience to this app.
async fn google(
    state: &AppState,
    config: &OAuthProvider,
    access: &str,
    id_token: Option<&str>,
    nonce: &str,
) -> anyhow::Result<Profile> {
    let id_token = id_token.ok_or_else(|| anyhow::anyhow!("no ID token"))?;
    let payload = id_token.split('.').nth(1).ok_or_else(|| anyhow::anyhow!("a malformed ID token"))?;
    let claims: IdClaims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload.trim_end_matches('='))?)?;
    anyhow::ensure!(claims.nonce.as_deref() == Some(nonce), "the ID token's nonce does not match");
    anyhow::ensure!(claims.aud == config.client_id, "the ID token is for another app");
    let user: GoogleUser = get_json(state, &config.api_url, access).await?;
    anyhow::ensure!(user.sub == claims.sub, "the user info is for someone else");
    profile(user.sub, &user.email, user.email_verified, user.name)
}

#[derive(Deserialize)]
struct GithubUser {
    id: u64,
    login: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

async fn github(state: &AppState, config: &OAuthProvider, access: &str) -> anyhow::Result<Profile> {
    let user: GithubUser = get_json(state, &format!("{}/user", config.api_url), access).await?;
    let emails: Vec<GithubEmail> = get_json(state, &format!("{}/user/emails", config.api_url), access).await?;
    let primary = emails.into_iter().find(|e| e.primary).ok_or_else(|| anyhow::anyhow!("no primary email"))?;
    let name = user.name.filter(|n| !n.trim().is_empty()).unwrap_or(user.login);
    profile(user.id.to_string(), &primary.email, primary.verified, name)
}

fn profile(subject: String, email: &str, email_verified: bool, name: String) -> anyhow::Result<Profile> {
    let email = crate::auth::normalize_email(email).map_err(|e| anyhow::anyhow!("the provider's email: {e}"))?;
    anyhow::ensure!(!subject.is_empty(), "no subject");
    let name =
        crate::auth::clean_name(&name).unwrap_or_else(|_| email.split('@').next().unwrap_or("Artist").to_owned());
    Ok(Profile { subject, email, email_verified, name })
}

async fn get_json<T: for<'de> Deserialize<'de>>(state: &AppState, url: &str, access: &str) -> anyhow::Result<T> {
    let response = state
        .http
        .get(url)
        .bearer_auth(access)
        .header("Accept", "application/json")
        .send()
        .await?
        .error_for_status()?;
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}
