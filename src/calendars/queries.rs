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

/// One feed address of a calendar: never the token, only who made it and when.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Feed {
    /// The SHA-256 of the token, which names the address in forms.
    pub token_hash: String,
    pub created_at: OffsetDateTime,
    /// `None` for addresses made before Easel recorded makers.
    pub created_by: Option<Uuid>,
    pub maker_name: Option<String>,
    pub maker_email: Option<String>,
}

/// Replaces `maker`'s own feed address of the calendar (only its hash is kept).
pub async fn set_feed(tx: &mut WorkspaceTx, calendar: Uuid, maker: Uuid, token_hash: &str) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND calendar_id = $2 AND created_by = $3",
        ws,
        calendar,
        maker
    )?;
    execute!(
        tx,
        "INSERT INTO calendar_feeds (token_hash, workspace_id, calendar_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)",
        token_hash,
        ws,
        calendar,
        OffsetDateTime::now_utc(),
        maker
    )
    .map(drop)
}

/// Turns off one address of the calendar, named by its hash.
pub async fn revoke_feed(tx: &mut WorkspaceTx, calendar: Uuid, token_hash: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND calendar_id = $2 AND token_hash = $3",
        ws,
        calendar,
        token_hash
    )
}

/// Turns off `maker`'s own address of the calendar.
pub async fn revoke_own_feed(tx: &mut WorkspaceTx, calendar: Uuid, maker: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND calendar_id = $2 AND created_by = $3",
        ws,
        calendar,
        maker
    )
}

/// The calendar's feed addresses with their makers, oldest first (feeds and
/// people are both global tables, so this join stays in `main`).
pub async fn feeds(tx: &mut WorkspaceTx, calendar: Uuid) -> sqlx::Result<Vec<Feed>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Feed,
        "SELECT f.token_hash, f.created_at, f.created_by, u.name AS maker_name, u.email AS maker_email FROM calendar_feeds f \
         LEFT JOIN users u ON u.id = f.created_by \
         WHERE f.workspace_id = $1 AND f.calendar_id = $2 ORDER BY f.created_at, f.token_hash",
        ws,
        calendar
    )
}

/// Which workspace and calendar a feed token opens (a global lookup: the
/// token is the only credential a phone's calendar app has); none for a
/// workspace scheduled for deletion.
pub async fn feed_target(db: &Db, token_hash: &str) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    fetch_optional!(
        db,
        (Uuid, Uuid),
        "SELECT f.workspace_id, f.calendar_id FROM calendar_feeds f JOIN workspaces w ON w.id = f.workspace_id \
         WHERE f.token_hash = $1 AND w.delete_after IS NULL",
        token_hash
    )
}
