//! What a workspace uses, kept current as it changes, for plan limits.

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_optional},
};

#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Storage {
    pub image_count: i64,
    pub storage_bytes: i64,
}

/// Adds (or, with negative numbers, subtracts) images and bytes.
pub async fn record_storage(tx: &mut WorkspaceTx, images: i64, bytes: i64) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspace_usage (workspace_id, image_count, storage_bytes) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO UPDATE SET \
           image_count = workspace_usage.image_count + excluded.image_count, \
           storage_bytes = workspace_usage.storage_bytes + excluded.storage_bytes",
        id,
        images,
        bytes,
    )
    .map(drop)
}

pub async fn storage(tx: &mut WorkspaceTx) -> sqlx::Result<Storage> {
    let id = tx.workspace_id();
    let found = fetch_optional!(
        tx,
        Storage,
        "SELECT image_count, storage_bytes FROM workspace_usage WHERE workspace_id = $1",
        id
    )?;
    Ok(found.unwrap_or_default())
}
