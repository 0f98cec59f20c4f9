//! SQL of the grid planner: a calendar's posts as feed tiles, the artwork's
//! palettes, and swapping two posts' times.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_all},
};

/// How many upcoming posts, and then how many past ones, the grid shows.
pub const UPCOMING: i64 = 30;
pub const RECENT: i64 = 12;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TileRow {
    pub id: Uuid,
    pub starts_at: OffsetDateTime,
    pub status: String,
    pub image: Option<Uuid>,
    pub publer_state: String,
}

/// An artwork's title and palette. `SELECT *` with a defaulted palette: an
/// older schema without `images.palette` reads as "not computed yet".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Artwork {
    pub id: Uuid,
    pub title: String,
    #[sqlx(default)]
    pub palette: String,
}

/// The posts are chosen and limited first; only those few then look up
/// their first artwork (a window over the whole calendar was quadratic on
/// SQLite).
fn tiles_sql(filter: &str, order: &str) -> String {
    format!(
        "SELECT e.id, e.starts_at, e.status, \
           (SELECT x.image_id FROM event_images x WHERE x.workspace_id = e.workspace_id AND x.event_id = e.id \
             ORDER BY x.position, x.image_id LIMIT 1) AS image, e.publer_state \
         FROM (SELECT e.workspace_id, e.id, e.starts_at, e.status, COALESCE(s.state, '') AS publer_state \
           FROM events e LEFT JOIN publer_sends s ON s.workspace_id = e.workspace_id AND s.event_id = e.id \
           WHERE e.workspace_id = $1 AND e.calendar_id = $2 AND {filter} ORDER BY {order} LIMIT $4) e \
         ORDER BY {order}"
    )
}

/// The soonest upcoming posts, soonest first.
pub async fn upcoming(tx: &mut WorkspaceTx, calendar: Uuid, now: OffsetDateTime) -> sqlx::Result<Vec<TileRow>> {
    let ws = tx.workspace_id();
    let sql = tiles_sql("e.starts_at >= $3", "e.starts_at, e.id");
    fetch_all!(tx, TileRow, &sql, ws, calendar, now, UPCOMING)
}

/// The latest posts already published or handed to Publer, latest first.
pub async fn recent(tx: &mut WorkspaceTx, calendar: Uuid, now: OffsetDateTime) -> sqlx::Result<Vec<TileRow>> {
    let ws = tx.workspace_id();
    let sql = tiles_sql(
        "e.starts_at < $3 AND (e.status IN ('published', 'scheduled') OR s.state = 'scheduled')",
        "e.starts_at DESC, e.id DESC",
    );
    fetch_all!(tx, TileRow, &sql, ws, calendar, now, RECENT)
}

/// The artwork of the calendar's posts from `since` to `until`: the tiles'.
pub async fn artwork(
    tx: &mut WorkspaceTx,
    calendar: Uuid,
    since: OffsetDateTime,
    until: OffsetDateTime,
) -> sqlx::Result<Vec<Artwork>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Artwork,
        "SELECT i.* FROM images i WHERE i.workspace_id = $1 AND i.id IN (SELECT x.image_id FROM event_images x \
           JOIN events e ON e.workspace_id = x.workspace_id AND e.id = x.event_id \
           WHERE x.workspace_id = $1 AND e.calendar_id = $2 AND e.starts_at >= $3 AND e.starts_at <= $4)",
        ws,
        calendar,
        since,
        until
    )
}

/// Gives each post the other's time (inside the caller's transaction).
pub async fn swap_times(
    tx: &mut WorkspaceTx,
    a: (Uuid, OffsetDateTime),
    b: (Uuid, OffsetDateTime),
) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    for (id, at) in [(a.0, b.1), (b.0, a.1)] {
        execute!(
            tx,
            "UPDATE events SET starts_at = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
            ws,
            id,
            at,
            now
        )?;
    }
    Ok(())
}
