//! SQL of calendars and their private feeds.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Databases, WorkspaceTx,
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

/// The calendar's feed addresses with their makers, oldest first. Feeds
/// live with the workspace's rows and people in `main`: two queries.
pub async fn feeds(tx: &mut WorkspaceTx, calendar: Uuid) -> sqlx::Result<Vec<Feed>> {
    let ws = tx.workspace_id();
    let mut feeds: Vec<Feed> = fetch_all!(
        tx,
        Feed,
        "SELECT token_hash, created_at, created_by, NULL AS maker_name, NULL AS maker_email FROM calendar_feeds \
         WHERE workspace_id = $1 AND calendar_id = $2 ORDER BY created_at, token_hash",
        ws,
        calendar
    )?;
    for feed in &mut feeds {
        let Some(maker) = feed.created_by else { continue };
        let person: Option<(String, String)> = fetch_optional!(
            tx.global().await?,
            (String, String),
            "SELECT name, email FROM users WHERE id = $1",
            maker
        )?;
        (feed.maker_name, feed.maker_email) = person.map_or((None, None), |(n, e)| (Some(n), Some(e)));
    }
    Ok(feeds)
}

/// Which workspace and calendar a feed token opens (a lookup in every database: the token is the only credential a
/// phone's calendar app has); none for a workspace scheduled for deletion,
/// or when the address's maker is no longer a member.
pub async fn feed_target(databases: &Databases, token_hash: &str) -> anyhow::Result<Option<(Uuid, Uuid)>> {
    for (name, db) in databases.all() {
        let found: Option<(Uuid, Uuid, Option<Uuid>)> = fetch_optional!(
            db,
            (Uuid, Uuid, Option<Uuid>),
            "SELECT workspace_id, calendar_id, created_by FROM calendar_feeds WHERE token_hash = $1",
            token_hash
        )?;
        let Some((workspace, calendar, maker)) = found else { continue };
        let main = databases.main();
        let placed: Option<(String,)> = fetch_optional!(
            main,
            (String,),
            "SELECT placement FROM workspaces WHERE id = $1 AND delete_after IS NULL",
            workspace
        )?;
        let member = match maker {
            Some(maker) => fetch_optional!(
                main,
                (i32,),
                "SELECT 1 FROM memberships WHERE workspace_id = $1 AND user_id = $2",
                workspace,
                maker
            )?
            .is_some(),
            None => true,
        };
        if placed.is_some_and(|(p,)| p == name) && member {
            return Ok(Some((workspace, calendar)));
        }
    }
    Ok(None)
}
