//! SQL of a workspace's branding (kept on the workspace's own row).

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_one},
};

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Branding {
    pub brand_colour: String,
    pub logo: String,
    pub hide_powered_by: bool,
}

pub async fn get(tx: &mut WorkspaceTx) -> sqlx::Result<Branding> {
    let id = tx.workspace_id();
    fetch_one!(
        tx.global().await?,
        Branding,
        "SELECT brand_colour, logo, hide_powered_by FROM workspaces WHERE id = $1",
        id
    )
}

pub async fn save(tx: &mut WorkspaceTx, colour: &str, hide_powered_by: bool) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx.global().await?,
        "UPDATE workspaces SET brand_colour = $2, hide_powered_by = $3 WHERE id = $1",
        id,
        colour,
        hide_powered_by
    )
    .map(drop)
}

pub async fn set_logo(tx: &mut WorkspaceTx, name: &str) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(tx.global().await?, "UPDATE workspaces SET logo = $2 WHERE id = $1", id, name).map(drop)
}
