//! A workspace's integrations: its own OpenAI and Publer keys (sealed, and
//! write-only in the page) and their settings.

mod handlers;
pub mod queries;

use axum::{
    Router,
    routing::{get, post},
};

use crate::{
    db::{Db, WorkspaceTx},
    secrets::Secrets,
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/integrations", get(handlers::view).post(handlers::save_settings))
        .route("/settings/integrations/keys/{field}", post(handlers::set_key))
        .route("/settings/integrations/keys/{field}/remove", post(handlers::remove_key))
}

/// The keys a workspace may store, with their labels.
pub const KEYS: [(&str, &str); 2] = [("openai_api_key", "OpenAI API key"), ("publer_api_key", "Publer API key")];

/// Seals every stored key again under the newest master key; returns how
/// many values changed. Values that no longer open are left to be entered
/// again.
pub async fn reseal_all(db: &Db, secrets: &Secrets) -> anyhow::Result<usize> {
    let mut count = 0;
    for workspace in queries::all_workspaces(db).await? {
        // A maintenance job, not a request: it names each workspace itself.
        let mut tx = WorkspaceTx::enter(db.begin_write().await?, workspace).await?;
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
