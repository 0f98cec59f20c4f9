//! SQL of `workspace_settings` (one row per workspace) and hashtag sets.

use std::sync::LazyLock;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_all, fetch_one},
};

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Settings {
    pub display_name: String,
    pub time_zone: String,
    pub company_name: String,
    pub branded_hashtag: String,
    pub content_tone: String,
    pub shop_url: String,
    pub instagram_hashtag_count: i64,
    pub pinterest_hashtag_count: i64,
    /// Comma-separated `HH:MM` times, earliest first.
    pub posting_times: String,
}

/// [`Settings`]' columns, of `workspace_settings` as `s`.
pub const COLUMNS: &str = "s.display_name, s.time_zone, s.company_name, s.branded_hashtag, s.content_tone, \
                           s.shop_url, s.instagram_hashtag_count, s.pinterest_hashtag_count, s.posting_times";

// Built once: `get` runs on most pages.
static GET: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {COLUMNS} FROM workspace_settings s WHERE s.workspace_id = $1"));

static WITH_HASHTAG_SETS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS}, h.id AS set_id, h.name AS set_name, h.hashtags AS set_hashtags \
         FROM workspace_settings s LEFT JOIN hashtag_sets h ON h.workspace_id = s.workspace_id \
         WHERE s.workspace_id = $1 ORDER BY LOWER(h.name), h.id"
    )
});

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HashtagSet {
    pub id: Uuid,
    pub name: String,
    pub hashtags: String,
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
    fetch_one!(tx, Settings, &GET, id)
}

/// The settings and the hashtag sets (by name) in one statement: the post
/// editor needs both for every post it opens.
pub async fn with_hashtag_sets(tx: &mut WorkspaceTx) -> sqlx::Result<(Settings, Vec<HashtagSet>)> {
    let id = tx.workspace_id();
    let rows = fetch_all!(tx, SettingsWithSet, &WITH_HASHTAG_SETS, id)?;
    let settings = rows.first().map(|r| r.settings.clone()).ok_or(sqlx::Error::RowNotFound)?;
    let sets = rows
        .into_iter()
        .filter_map(|r| Some(HashtagSet { id: r.set_id?, name: r.set_name?, hashtags: r.set_hashtags? }))
        .collect();
    Ok((settings, sets))
}

/// The settings, repeated on each of the workspace's hashtag sets (or on
/// one row without a set).
#[derive(sqlx::FromRow)]
struct SettingsWithSet {
    #[sqlx(flatten)]
    settings: Settings,
    set_id: Option<Uuid>,
    set_name: Option<String>,
    set_hashtags: Option<String>,
}

pub async fn update(tx: &mut WorkspaceTx, s: &Settings) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "UPDATE workspace_settings SET display_name = $2, time_zone = $3, company_name = $4, branded_hashtag = $5, \
           content_tone = $6, shop_url = $7, instagram_hashtag_count = $8, pinterest_hashtag_count = $9, \
           posting_times = $10, updated_at = $11 WHERE workspace_id = $1",
        id,
        &s.display_name,
        &s.time_zone,
        &s.company_name,
        &s.branded_hashtag,
        &s.content_tone,
        &s.shop_url,
        s.instagram_hashtag_count,
        s.pinterest_hashtag_count,
        &s.posting_times,
        OffsetDateTime::now_utc(),
    )?;
    // The display name is the name the navbar, switcher and invitations show.
    execute!(tx.global().await?, "UPDATE workspaces SET name = $2 WHERE id = $1", id, &s.display_name).map(drop)
}

pub async fn hashtag_sets(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<HashtagSet>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        HashtagSet,
        "SELECT id, name, hashtags FROM hashtag_sets WHERE workspace_id = $1 ORDER BY LOWER(name), id",
        ws
    )
}

pub async fn create_hashtag_set(tx: &mut WorkspaceTx, name: &str, hashtags: &str) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    execute!(
        tx,
        "INSERT INTO hashtag_sets (workspace_id, id, name, hashtags, created_at) VALUES ($1, $2, $3, $4, $5)",
        ws,
        id,
        name,
        hashtags,
        OffsetDateTime::now_utc()
    )?;
    Ok(id)
}

pub async fn delete_hashtag_set(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM hashtag_sets WHERE workspace_id = $1 AND id = $2", ws, id)
}
