//! SQL of crops. Every function runs in the workspace's transaction and
//! names its id in every statement.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Framing, Rect, colour_hex};
use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_all},
};
use crate::images::presets::Preset;

/// A crop as saved (an artist's choice for one preset).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SavedCrop {
    pub image_id: Uuid,
    pub preset: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub mode: String,
    pub mat_colour: String,
}

impl SavedCrop {
    pub fn rect(&self) -> Option<Rect> {
        let n = |v: i64| u32::try_from(v).ok();
        Some(Rect { x: n(self.x)?, y: n(self.y)?, width: n(self.width)?, height: n(self.height)? })
    }
}

const COLUMNS: &str = "image_id, preset, x, y, width, height, mode, mat_colour";

/// The crops saved for one image.
pub async fn of_image(tx: &mut WorkspaceTx, image: Uuid) -> sqlx::Result<Vec<SavedCrop>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {COLUMNS} FROM image_crops WHERE workspace_id = $1 AND image_id = $2");
    fetch_all!(tx, SavedCrop, &sql, ws, image)
}

/// Every crop of the workspace (the sweeper's view of live renditions).
pub async fn all(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<SavedCrop>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {COLUMNS} FROM image_crops WHERE workspace_id = $1");
    fetch_all!(tx, SavedCrop, &sql, ws)
}

/// Saves a frame (`Framing::Crop`) or a mat, keeping the frame beside a mat
/// so switching back to cropping finds it again.
pub async fn save(tx: &mut WorkspaceTx, image: Uuid, preset: Preset, rect: Rect, framing: Framing) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let (mode, colour) = match framing {
        Framing::Crop(_) => ("crop", "#ffffff".to_owned()),
        Framing::Mat(c) => ("mat", colour_hex(c)),
    };
    execute!(
        tx,
        "INSERT INTO image_crops (workspace_id, image_id, preset, x, y, width, height, mode, mat_colour, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (workspace_id, image_id, preset) DO UPDATE SET x = excluded.x, y = excluded.y, \
           width = excluded.width, height = excluded.height, mode = excluded.mode, \
           mat_colour = excluded.mat_colour, updated_at = excluded.updated_at",
        ws,
        image,
        preset.slug(),
        i64::from(rect.x),
        i64::from(rect.y),
        i64::from(rect.width),
        i64::from(rect.height),
        mode,
        colour,
        OffsetDateTime::now_utc(),
    )
    .map(drop)
}

/// Back to the centred default: the saved crop goes.
pub async fn reset(tx: &mut WorkspaceTx, image: Uuid, preset: Preset) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM image_crops WHERE workspace_id = $1 AND image_id = $2 AND preset = $3",
        ws,
        image,
        preset.slug()
    )
}

/// Every image's id and size (the sweeper works out which renditions are current).
pub async fn image_sizes(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<(Uuid, i64, i64)>> {
    let ws = tx.workspace_id();
    fetch_all!(tx, (Uuid, i64, i64), "SELECT id, width, height FROM images WHERE workspace_id = $1", ws)
}
