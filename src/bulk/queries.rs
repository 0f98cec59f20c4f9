//! SQL of the bulk actions: the selected posts as one read, and the
//! per-post changes each action makes.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_optional},
};

/// What a bulk action needs to know of one selected post.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Selected {
    pub id: Uuid,
    pub calendar_id: Uuid,
    pub calendar_name: String,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub status: String,
    pub caption: String,
    pub hashtags: String,
    pub image_count: i64,
    /// `sending`, `scheduled` or `failed` once handed to Publer, else empty.
    pub publer_state: String,
    /// Where it stands in review (`events.review`).
    pub review: String,
}

impl Selected {
    /// Published, or in Publer's hands: changing it here would not reach
    /// the post people see, so bulk edits leave it alone.
    pub fn is_out_of_our_hands(&self) -> bool {
        matches!(self.status.as_str(), "published" | "scheduled")
            || matches!(self.publer_state.as_str(), "sending" | "scheduled")
    }
}

/// One selected post of this workspace, or `None` (unknown or another
/// workspace's: the caller refuses the whole action).
pub async fn selected(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Selected>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        Selected,
        "SELECT e.id, e.calendar_id, c.name AS calendar_name, e.starts_at, e.platform, e.status, e.caption, \
           e.hashtags, \
           (SELECT COUNT(*) FROM event_images x WHERE x.workspace_id = e.workspace_id AND x.event_id = e.id) \
             AS image_count, \
           COALESCE(s.state, '') AS publer_state, e.review \
         FROM events e JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         LEFT JOIN publer_sends s ON s.workspace_id = e.workspace_id AND s.event_id = e.id \
         WHERE e.workspace_id = $1 AND e.id = $2",
        ws,
        id
    )
}

pub async fn set_status(tx: &mut WorkspaceTx, id: Uuid, status: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET status = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        status,
        OffsetDateTime::now_utc()
    )
}

pub async fn set_hashtags(tx: &mut WorkspaceTx, id: Uuid, hashtags: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET hashtags = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        hashtags,
        OffsetDateTime::now_utc()
    )
}

pub async fn set_caption(tx: &mut WorkspaceTx, id: Uuid, caption: &str, hashtags: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET caption = $3, hashtags = $4, updated_at = $5 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        caption,
        hashtags,
        OffsetDateTime::now_utc()
    )
}
