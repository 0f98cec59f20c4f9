//! SQL of `workspace_settings`, one row per workspace.

use time::OffsetDateTime;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_one},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Settings {
    pub display_name: String,
    pub time_zone: String,
}

pub async fn create_defaults(tx: &mut WorkspaceTx, display_name: &str) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspace_settings (workspace_id, display_name, time_zone, updated_at) VALUES ($1, $2, 'UTC', $3)",
        id,
        display_name,
        OffsetDateTime::now_utc(),
    )
    .map(drop)
}

pub async fn get(tx: &mut WorkspaceTx) -> sqlx::Result<Settings> {
    let id = tx.workspace_id();
    fetch_one!(tx, Settings, "SELECT display_name, time_zone FROM workspace_settings WHERE workspace_id = $1", id)
}

pub async fn update(tx: &mut WorkspaceTx, display_name: &str, time_zone: &str) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "UPDATE workspace_settings SET display_name = $2, time_zone = $3, updated_at = $4 WHERE workspace_id = $1",
        id,
        display_name,
        time_zone,
        OffsetDateTime::now_utc(),
    )
    .map(drop)
}
