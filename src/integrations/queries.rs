//! SQL of a workspace's sealed keys and integration settings.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Db, WorkspaceTx,
    query::{execute, fetch_all, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredKey {
    pub field: String,
    pub sealed: String,
    pub last4: String,
    pub set_by: String,
    pub set_at: OffsetDateTime,
    /// The origin the key was entered for; empty when unbound.
    pub origin: String,
}

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Integrations {
    pub openai_base_url: String,
    pub openai_model: String,
    pub publer_workspace_id: String,
    /// Send the post's first image to the model (vision models only).
    pub openai_vision: bool,
}

pub async fn keys(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<StoredKey>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        StoredKey,
        "SELECT field, sealed, last4, set_by, set_at, origin FROM workspace_secrets WHERE workspace_id = $1 \
         ORDER BY field",
        ws
    )
}

/// One stored key, sealed.
pub async fn key(tx: &mut WorkspaceTx, field: &str) -> sqlx::Result<Option<String>> {
    Ok(bound_key(tx, field).await?.map(|(sealed, _)| sealed))
}

/// One stored key, sealed, and the origin it is bound to.
pub async fn bound_key(tx: &mut WorkspaceTx, field: &str) -> sqlx::Result<Option<(String, String)>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        (String, String),
        "SELECT sealed, origin FROM workspace_secrets WHERE workspace_id = $1 AND field = $2",
        ws,
        field
    )
}

/// A key as entered: sealed, its last four characters, who entered it, and
/// the origin it is for.
pub struct NewKey<'a> {
    pub field: &'a str,
    pub sealed: &'a str,
    pub last4: &'a str,
    pub set_by: &'a str,
    pub origin: &'a str,
}

pub async fn set_key(tx: &mut WorkspaceTx, key: NewKey<'_>) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspace_secrets (workspace_id, field, sealed, last4, set_by, set_at, origin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (workspace_id, field) DO UPDATE SET sealed = excluded.sealed, last4 = excluded.last4, \
           set_by = excluded.set_by, set_at = excluded.set_at, origin = excluded.origin",
        ws,
        key.field,
        key.sealed,
        key.last4,
        key.set_by,
        OffsetDateTime::now_utc(),
        key.origin
    )
    .map(drop)
}

/// Replaces only the sealed value (rotation keeps who set it and when).
pub async fn reseal(tx: &mut WorkspaceTx, field: &str, sealed: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "UPDATE workspace_secrets SET sealed = $3 WHERE workspace_id = $1 AND field = $2", ws, field, sealed)
}

pub async fn remove_key(tx: &mut WorkspaceTx, field: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM workspace_secrets WHERE workspace_id = $1 AND field = $2", ws, field)
}

pub async fn settings(tx: &mut WorkspaceTx) -> sqlx::Result<Integrations> {
    let ws = tx.workspace_id();
    let found = fetch_optional!(
        tx,
        Integrations,
        "SELECT openai_base_url, openai_model, publer_workspace_id, openai_vision FROM workspace_integrations \
         WHERE workspace_id = $1",
        ws
    )?;
    Ok(found.unwrap_or_default())
}

pub async fn save_settings(tx: &mut WorkspaceTx, s: &Integrations) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspace_integrations (workspace_id, openai_base_url, openai_model, publer_workspace_id, \
           openai_vision) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id) DO UPDATE SET \
           openai_base_url = excluded.openai_base_url, openai_model = excluded.openai_model, \
           publer_workspace_id = excluded.publer_workspace_id, openai_vision = excluded.openai_vision",
        ws,
        &s.openai_base_url,
        &s.openai_model,
        &s.publer_workspace_id,
        s.openai_vision
    )
    .map(drop)
}

/// Every workspace id (for re-sealing under a new master key, a job that
/// runs outside any request).
pub async fn all_workspaces(db: &Db) -> sqlx::Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = fetch_all!(db, (Uuid,), "SELECT id FROM workspaces ORDER BY id")?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
