//! SQL of calendars and their private feeds.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Db, WorkspaceTx,
    query::{execute, fetch_all, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Calendar {
    pub id: Uuid,
    pub name: String,
    pub colour: String,
    pub default_platform: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CalendarSummary {
    pub id: Uuid,
    pub name: String,
    pub colour: String,
    pub default_platform: String,
    pub upcoming: i64,
}

pub struct CalendarFields<'a> {
    pub name: &'a str,
    pub colour: &'a str,
    pub default_platform: &'a str,
}

pub async fn create(tx: &mut WorkspaceTx, f: &CalendarFields<'_>) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "INSERT INTO calendars (workspace_id, id, name, colour, default_platform, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        ws,
        id,
        f.name,
        f.colour,
        f.default_platform,
        now
    )?;
    Ok(id)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Calendar>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        Calendar,
        "SELECT id, name, colour, default_platform FROM calendars WHERE workspace_id = $1 AND id = $2",
        ws,
        id
    )
}

pub async fn all(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Calendar>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Calendar,
        "SELECT id, name, colour, default_platform FROM calendars WHERE workspace_id = $1 ORDER BY LOWER(name), id",
        ws
    )
}

pub async fn summaries(tx: &mut WorkspaceTx, now: OffsetDateTime) -> sqlx::Result<Vec<CalendarSummary>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        CalendarSummary,
        "SELECT c.id, c.name, c.colour, c.default_platform, \
           (SELECT COUNT(*) FROM events e WHERE e.workspace_id = c.workspace_id AND e.calendar_id = c.id \
             AND e.starts_at >= $2) AS upcoming \
         FROM calendars c WHERE c.workspace_id = $1 ORDER BY LOWER(c.name), c.id",
        ws,
        now
    )
}

pub async fn update(tx: &mut WorkspaceTx, id: Uuid, f: &CalendarFields<'_>) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE calendars SET name = $3, colour = $4, default_platform = $5, updated_at = $6 \
         WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        f.name,
        f.colour,
        f.default_platform,
        OffsetDateTime::now_utc()
    )
}

pub async fn delete(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM calendars WHERE workspace_id = $1 AND id = $2", ws, id)
}

/// Replaces the calendar's feed token (only its hash is kept).
pub async fn set_feed(tx: &mut WorkspaceTx, calendar: Uuid, token_hash: &str) -> sqlx::Result<()> {
    revoke_feed(tx, calendar).await?;
    let ws = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO calendar_feeds (token_hash, workspace_id, calendar_id, created_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        ws,
        calendar,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

pub async fn revoke_feed(tx: &mut WorkspaceTx, calendar: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND calendar_id = $2", ws, calendar)
}

pub async fn has_feed(tx: &mut WorkspaceTx, calendar: Uuid) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let row: Option<(String,)> = fetch_optional!(
        tx,
        (String,),
        "SELECT token_hash FROM calendar_feeds WHERE workspace_id = $1 AND calendar_id = $2",
        ws,
        calendar
    )?;
    Ok(row.is_some())
}

/// Which workspace and calendar a feed token opens (a global lookup: the
/// token is the only credential a phone's calendar app has).
pub async fn feed_target(db: &Db, token_hash: &str) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    fetch_optional!(
        db,
        (Uuid, Uuid),
        "SELECT workspace_id, calendar_id FROM calendar_feeds WHERE token_hash = $1",
        token_hash
    )
}
