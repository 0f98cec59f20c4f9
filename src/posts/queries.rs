//! SQL of posts (stored as calendar events) and the artwork assigned to them.
//! Times are UTC instants in whole seconds, so they compare correctly as
//! SQLite text too.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    calendars::queries::Calendar,
    db::{
        WorkspaceTx,
        query::{execute, fetch_all, fetch_optional, fetch_scalar},
    },
    images::queries::ImageCard,
};

pub use super::cards::{PostCard, PostFilter, PostTime, cards_between, cards_of, drafts_needing_work, times_between};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Post {
    pub id: Uuid,
    pub calendar_id: Uuid,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub caption: String,
    pub hashtags: String,
    pub notes: String,
    pub status: String,
    /// A caption a bulk job wrote for the person to take or leave ("" for none).
    pub suggested_caption: String,
    pub suggested_hashtags: String,
}

impl Post {
    /// The suggested caption and hashtags, when a job left one.
    pub fn suggestion(&self) -> Option<(String, String)> {
        let wrote = !self.suggested_caption.is_empty();
        wrote.then(|| (self.suggested_caption.clone(), self.suggested_hashtags.clone()))
    }
}

const POST_COLUMNS: &str = "e.id, e.calendar_id, e.starts_at, e.platform, e.caption, e.hashtags, e.notes, e.status, e.suggested_caption, \
     e.suggested_hashtags";

/// The fields a person edits.
pub struct PostFields<'a> {
    pub starts_at: OffsetDateTime,
    pub platform: &'a str,
    pub caption: &'a str,
    pub hashtags: &'a str,
    pub notes: &'a str,
    pub status: &'a str,
}

pub const STATUSES: [(&str, &str); 5] = [
    ("draft", "Draft"),
    ("ready", "Ready"),
    ("scheduled", "Scheduled"),
    ("published", "Published"),
    ("failed", "Failed"),
];

/// A new post, made by `created_by` (the signed-in member).
pub async fn insert(
    tx: &mut WorkspaceTx,
    calendar: Uuid,
    f: &PostFields<'_>,
    created_by: Option<Uuid>,
) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "INSERT INTO events (workspace_id, id, calendar_id, starts_at, platform, caption, hashtags, notes, status, \
           created_at, updated_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
        ws,
        id,
        calendar,
        f.starts_at,
        f.platform,
        f.caption,
        f.hashtags,
        f.notes,
        f.status,
        now,
        created_by
    )?;
    Ok(id)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Post>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {POST_COLUMNS} FROM events e WHERE e.workspace_id = $1 AND e.id = $2");
    fetch_optional!(tx, Post, &sql, ws, id)
}

/// A post opened in the editor, with its calendar and the posts before and
/// after it there (the editor's arrows).
#[derive(sqlx::FromRow)]
pub struct Opened {
    #[sqlx(flatten)]
    pub post: Post,
    calendar_name: String,
    calendar_colour: String,
    calendar_platform: String,
    pub previous: Option<Uuid>,
    pub next: Option<Uuid>,
}

impl Opened {
    pub fn calendar(&self) -> Calendar {
        Calendar {
            id: self.post.calendar_id,
            name: self.calendar_name.clone(),
            colour: self.calendar_colour.clone(),
            default_platform: self.calendar_platform.clone(),
        }
    }
}

/// The post and its neighbours in one statement. The plain bound on
/// `starts_at` starts each neighbour's index range at this post, and the
/// index's order (time, then id) makes it one step.
pub async fn opened(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Opened>> {
    let ws = tx.workspace_id();
    let sql = format!(
        "SELECT {POST_COLUMNS}, c.name AS calendar_name, c.colour AS calendar_colour, \
           c.default_platform AS calendar_platform, \
           (SELECT p.id FROM events p WHERE p.workspace_id = e.workspace_id AND p.calendar_id = e.calendar_id \
              AND p.starts_at <= e.starts_at AND (p.starts_at < e.starts_at OR p.id < e.id) \
              ORDER BY p.starts_at DESC, p.id DESC LIMIT 1) AS previous, \
           (SELECT n.id FROM events n WHERE n.workspace_id = e.workspace_id AND n.calendar_id = e.calendar_id \
              AND n.starts_at >= e.starts_at AND (n.starts_at > e.starts_at OR n.id > e.id) \
              ORDER BY n.starts_at, n.id LIMIT 1) AS next \
         FROM events e JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         WHERE e.workspace_id = $1 AND e.id = $2"
    );
    fetch_optional!(tx, Opened, &sql, ws, id)
}

pub async fn update(tx: &mut WorkspaceTx, id: Uuid, f: &PostFields<'_>) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET starts_at = $3, platform = $4, caption = $5, hashtags = $6, notes = $7, status = $8, \
           updated_at = $9 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        f.starts_at,
        f.platform,
        f.caption,
        f.hashtags,
        f.notes,
        f.status,
        OffsetDateTime::now_utc()
    )
}

pub async fn reschedule(tx: &mut WorkspaceTx, id: Uuid, starts_at: OffsetDateTime) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET starts_at = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        starts_at,
        OffsetDateTime::now_utc()
    )
}

pub async fn delete(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM events WHERE workspace_id = $1 AND id = $2", ws, id)
}

/// The post's artwork, in carousel order.
pub async fn images(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<ImageCard>> {
    Ok(pieces(tx, id).await?.into_iter().map(|p| p.card).collect())
}

#[derive(sqlx::FromRow)]
struct Piece {
    #[sqlx(flatten)]
    card: ImageCard,
    sold: bool,
}

/// The post's artwork in carousel order, and the titles of the pieces
/// marked sold (the editor warns of them).
pub async fn images_and_sold(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<(Vec<ImageCard>, Vec<String>)> {
    let pieces = pieces(tx, id).await?;
    let sold = pieces.iter().filter(|p| p.sold).map(|p| p.card.title.clone()).collect();
    Ok((pieces.into_iter().map(|p| p.card).collect(), sold))
}

async fn pieces(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<Piece>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Piece,
        "SELECT i.id, i.title, i.alt_text, i.width, i.height, i.availability = 'sold' AS sold FROM event_images x \
         JOIN images i ON i.workspace_id = x.workspace_id AND i.id = x.image_id \
         WHERE x.workspace_id = $1 AND x.event_id = $2 ORDER BY x.position, x.image_id",
        ws,
        id
    )
}

/// Appends images (already checked to be this workspace's).
pub async fn add_images(tx: &mut WorkspaceTx, id: Uuid, images: &[Uuid]) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    let mut next: i64 = fetch_scalar!(
        tx,
        i64,
        "SELECT COALESCE(MAX(position), -1) + 1 FROM event_images WHERE workspace_id = $1 AND event_id = $2",
        ws,
        id
    )?;
    let mut added = 0;
    for image in images {
        added += execute!(
            tx,
            "INSERT INTO event_images (workspace_id, event_id, image_id, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            ws,
            id,
            *image,
            next
        )?;
        next += 1;
    }
    Ok(added)
}

pub async fn remove_image(tx: &mut WorkspaceTx, id: Uuid, image: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM event_images WHERE workspace_id = $1 AND event_id = $2 AND image_id = $3", ws, id, image)
}

pub async fn set_image_order(tx: &mut WorkspaceTx, id: Uuid, ordered: &[Uuid]) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    for (position, image) in ordered.iter().enumerate() {
        execute!(
            tx,
            "UPDATE event_images SET position = $4 WHERE workspace_id = $1 AND event_id = $2 AND image_id = $3",
            ws,
            id,
            *image,
            position as i64
        )?;
    }
    Ok(())
}

/// Images that are in any post of the workspace (for "already scheduled").
pub async fn scheduled_image_ids(tx: &mut WorkspaceTx, calendar: Option<Uuid>) -> sqlx::Result<Vec<Uuid>> {
    let ws = tx.workspace_id();
    let sql = match calendar {
        Some(_) => {
            "SELECT DISTINCT x.image_id FROM event_images x JOIN events e \
                    ON e.workspace_id = x.workspace_id AND e.id = x.event_id WHERE x.workspace_id = $1 AND e.calendar_id = $2"
        }
        None => "SELECT DISTINCT image_id FROM event_images WHERE workspace_id = $1",
    };
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), sql, ws, calendar)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Every post of a calendar, in time order (for exports).
pub async fn of_calendar(tx: &mut WorkspaceTx, calendar: Uuid) -> sqlx::Result<Vec<Post>> {
    let ws = tx.workspace_id();
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM events e WHERE e.workspace_id = $1 AND e.calendar_id = $2 \
         ORDER BY e.starts_at, e.id"
    );
    fetch_all!(tx, Post, &sql, ws, calendar)
}

/// A caption written for the post as a suggestion (caption, hashtags), if any.
pub async fn suggestion(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<(String, String)>> {
    Ok(get(tx, id).await?.and_then(|post| post.suggestion()))
}

/// What a caption writer knows of one assigned artwork.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Artwork {
    pub id: Uuid,
    pub title: String,
    pub medium: String,
    pub description: String,
    pub alt_text: String,
    pub dimensions: String,
    pub year: Option<i32>,
    pub price: String,
    /// `available`, `sold` or `not_for_sale`.
    pub availability: String,
}

/// The post's artwork in carousel order, with the fields captions use.
pub async fn artwork(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<Artwork>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Artwork,
        "SELECT i.id, i.title, i.medium, i.description, i.alt_text, i.dimensions, i.year, i.price, \
           i.availability FROM event_images x \
         JOIN images i ON i.workspace_id = x.workspace_id AND i.id = x.image_id \
         WHERE x.workspace_id = $1 AND x.event_id = $2 ORDER BY x.position, x.image_id",
        ws,
        id
    )
}

/// One artwork as the editor lists it, if it is this workspace's.
pub async fn image_card(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<ImageCard>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        ImageCard,
        "SELECT id, title, alt_text, width, height FROM images WHERE workspace_id = $1 AND id = $2",
        ws,
        id
    )
}
