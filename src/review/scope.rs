//! Which posts a link shows: a calendar's posts between two local dates
//! (in the workspace's time zone), or the hand-picked ones. One filter,
//! used for the page, each action, each image, and the progress count, so
//! nothing outside the scope is ever shown, served or changed.

use jiff::civil::Date;
use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::Link;
use crate::{
    calendars::clock::Clock,
    db::{
        WorkspaceTx,
        query::{fetch_all, fetch_optional, fetch_scalar},
    },
};

/// The most posts a link's page shows (a range is at most a year).
pub const SHOWN: i64 = 300;

/// A link's scope, with its dates turned into instants.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    link: Uuid,
    calendar: Option<Uuid>,
    from: OffsetDateTime,
    until: OffsetDateTime,
}

impl Scope {
    pub fn of(link: &Link, clock: &Clock) -> Self {
        let day = |raw: &Option<String>| raw.as_deref().and_then(|d| d.parse::<Date>().ok());
        let (from, until) = match (day(&link.starts_on), day(&link.ends_on)) {
            (Some(start), Some(end)) => (clock.start_of(start), clock.start_of(end.tomorrow().unwrap_or(end))),
            _ => (OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH),
        };
        Self { link: link.id, calendar: link.calendar_id, from, until }
    }
}

/// `e` is in the scope: $2 link, $3 calendar, $4 from, $5 until.
const IN_SCOPE: &str = "e.workspace_id = $1 AND ((e.calendar_id = $3 AND e.starts_at >= $4 AND e.starts_at < $5) \
     OR EXISTS (SELECT 1 FROM review_link_posts p WHERE p.workspace_id = e.workspace_id AND p.link_id = $2 \
       AND p.event_id = e.id))";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScopedPost {
    pub id: Uuid,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub caption: String,
    pub hashtags: String,
    pub review: String,
}

const POST_COLUMNS: &str = "e.id, e.starts_at, e.platform, e.caption, e.hashtags, e.review";

/// The posts of the scope, in date order.
pub async fn posts(tx: &mut WorkspaceTx, s: &Scope) -> sqlx::Result<Vec<ScopedPost>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {POST_COLUMNS} FROM events e WHERE {IN_SCOPE} ORDER BY e.starts_at, e.id LIMIT $6");
    fetch_all!(tx, ScopedPost, &sql, ws, s.link, s.calendar, s.from, s.until, SHOWN)
}

/// One post, when it is in the scope (else none: a 404 for the caller).
pub async fn post(tx: &mut WorkspaceTx, s: &Scope, id: Uuid) -> sqlx::Result<Option<ScopedPost>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {POST_COLUMNS} FROM events e WHERE {IN_SCOPE} AND e.id = $6");
    fetch_optional!(tx, ScopedPost, &sql, ws, s.link, s.calendar, s.from, s.until, id)
}

/// The scope's posts waiting for the client, for "Approve all remaining".
pub async fn waiting(tx: &mut WorkspaceTx, s: &Scope) -> sqlx::Result<Vec<Uuid>> {
    let ws = tx.workspace_id();
    let sql = format!(
        "SELECT e.id FROM events e WHERE {IN_SCOPE} AND e.review = 'client' ORDER BY e.starts_at, e.id LIMIT $6"
    );
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), &sql, ws, s.link, s.calendar, s.from, s.until, SHOWN)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// How many of the scope's posts are approved, of how many.
pub async fn progress(tx: &mut WorkspaceTx, s: &Scope) -> sqlx::Result<(i64, i64)> {
    let ws = tx.workspace_id();
    let count = |extra: &str| format!("SELECT COUNT(*) FROM events e WHERE {IN_SCOPE}{extra}");
    let total = fetch_scalar!(tx, i64, &count(""), ws, s.link, s.calendar, s.from, s.until)?;
    let approved =
        fetch_scalar!(tx, i64, &count(" AND e.review = 'approved'"), ws, s.link, s.calendar, s.from, s.until)?;
    Ok((approved, total))
}

/// Whether `image` is the artwork of a post in the scope.
pub async fn shows_image(tx: &mut WorkspaceTx, s: &Scope, image: Uuid) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let sql = format!(
        "SELECT 1 FROM event_images x JOIN events e ON e.workspace_id = x.workspace_id AND e.id = x.event_id \
         WHERE x.workspace_id = $1 AND x.image_id = $6 AND {IN_SCOPE} LIMIT 1"
    );
    let found: Option<(i32,)> = fetch_optional!(tx, (i32,), &sql, ws, s.link, s.calendar, s.from, s.until, image)?;
    Ok(found.is_some())
}

/// A client comment, as the review page shows it (never an internal one).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClientComment {
    pub event_id: Uuid,
    pub author_name: String,
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// The client comments on the scope's posts, oldest first.
pub async fn client_comments(tx: &mut WorkspaceTx, s: &Scope) -> sqlx::Result<Vec<ClientComment>> {
    let ws = tx.workspace_id();
    let sql = format!(
        "SELECT c.event_id, c.author_name, c.body, c.created_at FROM post_comments c \
         JOIN events e ON e.workspace_id = c.workspace_id AND e.id = c.event_id \
         WHERE c.workspace_id = $1 AND c.visibility = 'client' AND {IN_SCOPE} \
         ORDER BY c.created_at, c.id LIMIT 2000"
    );
    fetch_all!(tx, ClientComment, &sql, ws, s.link, s.calendar, s.from, s.until)
}
