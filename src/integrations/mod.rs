//! A workspace's integrations: its own OpenAI and Publer keys (sealed, and
//! write-only in the page) and their settings.

mod handlers;
pub mod queries;
mod settings_form;

use axum::{
    Router,
    routing::{get, post},
};

use crate::{
    db::{Databases, WorkspaceTx},
    secrets::Secrets,
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/integrations", get(handlers::view).post(settings_form::save_settings))
        .route("/settings/integrations/keys/{field}", post(handlers::set_key))
        .route("/settings/integrations/keys/{field}/remove", post(handlers::remove_key))
}

/// The keys a workspace may store, with their labels.
pub const KEYS: [(&str, &str); 2] = [(OPENAI_KEY, "OpenAI API key"), (PUBLER_KEY, "Publer API key")];

/// A workspace's key as the features that use it see it.
pub enum Key {
    Missing,
    /// Stored, but it no longer opens (moved, tampered, old master key).
    MustBeEnteredAgain,
    Ready(String),
}

/// Where captions go when a workspace names no base URL.
pub const OPENAI_DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

impl queries::Integrations {
    /// The OpenAI-compatible base URL captions go to.
    pub fn openai_base(&self) -> &str {
        match self.openai_base_url.trim() {
            "" => OPENAI_DEFAULT_BASE_URL,
            base => base,
        }
    }

    /// `scheme://host[:port]` of that URL: the OpenAI key is bound to it.
    pub fn openai_origin(&self) -> String {
        url::Url::parse(self.openai_base()).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
    }
}

/// Opens the workspace's OpenAI key, if it was entered for the origin that
/// captions go to now: a key is never sent to a server it was not meant for.
pub async fn openai_key(
    tx: &mut WorkspaceTx,
    secrets: &Secrets,
    settings: &queries::Integrations,
) -> sqlx::Result<Key> {
    let workspace = tx.workspace_id();
    Ok(match queries::bound_key(tx, OPENAI_KEY).await? {
        None => Key::Missing,
        // An empty origin: entered before keys were bound, for the URL then
        // saved (changing the origin since would have removed it).
        Some((_, origin)) if !origin.is_empty() && origin != settings.openai_origin() => Key::MustBeEnteredAgain,
        Some((sealed, _)) => match secrets.open(workspace, OPENAI_KEY, &sealed) {
            Ok(plain) => Key::Ready(plain),
            Err(_) => Key::MustBeEnteredAgain,
        },
    })
}

/// Opens the workspace's key for `field`.
pub async fn key(tx: &mut WorkspaceTx, secrets: &Secrets, field: &str) -> sqlx::Result<Key> {
    let workspace = tx.workspace_id();
    Ok(match queries::key(tx, field).await? {
        None => Key::Missing,
        Some(sealed) => match secrets.open(workspace, field, &sealed) {
            Ok(plain) => Key::Ready(plain),
            Err(_) => Key::MustBeEnteredAgain,
        },
    })
}

pub const OPENAI_KEY: &str = "openai_api_key";
pub const PUBLER_KEY: &str = "publer_api_key";

/// Seals every stored key again under the newest master key; returns how
/// many values changed. Values that no longer open are left to be entered
/// again.
pub async fn reseal_all(databases: &Databases, secrets: &Secrets) -> anyhow::Result<usize> {
    let mut count = 0;
    for workspace in queries::all_workspaces(databases.main()).await? {
        // A maintenance job, not a request: it names each workspace itself.
        let mut tx = databases.workspace_tx(workspace, true).await?;
        for key in queries::keys(&mut tx).await? {
            if let Some(sealed) = secrets.reseal(workspace, &key.field, &key.sealed) {
                queries::reseal(&mut tx, &key.field, &sealed).await?;
                count += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(count)
}
