//! The version of a post under review (`events.approved_version`): what
//! was submitted or approved, so an edit afterwards can be told apart from
//! a save that changed nothing, and shown as before and after.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use uuid::Uuid;

use super::{Mode, Review, Reviewer, Step, apply};
use crate::{
    db::{
        WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    error::AppResult,
    images::presets::Preset,
};

/// What a reviewer approves: the words, the time, and the artwork in order
/// with the frame each shows on the post's platform.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub caption: String,
    pub hashtags: String,
    /// UTC, RFC 3339.
    pub starts_at: String,
    #[serde(default)]
    pub platform: String,
    pub images: Vec<Artwork>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artwork {
    pub id: Uuid,
    /// For showing only: renaming a piece does not change the post.
    #[serde(default)]
    pub title: String,
    /// The saved frame for the platform's preset; `None` is the centred
    /// default (or a platform without a preset).
    #[serde(default)]
    pub frame: Option<Frame>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub preset: String,
    /// `crop` or `mat`.
    pub mode: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub mat_colour: String,
}

impl Version {
    /// Whether a reviewer would see the same post in both.
    pub fn same_post_as(&self, other: &Version) -> bool {
        let untitled = |v: &Version| {
            let mut v = v.clone();
            v.images.iter_mut().for_each(|a| a.title.clear());
            v
        };
        untitled(self) == untitled(other)
    }

    pub fn parse(json: &str) -> Option<Version> {
        serde_json::from_str(json).ok()
    }
}

type ArtRow = (Uuid, String, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<String>);

/// The post as it stands now; `None` when it is not in this workspace.
pub async fn current(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Option<Version>> {
    let ws = tx.workspace_id();
    let row: Option<(String, String, OffsetDateTime, String)> = fetch_optional!(
        tx,
        (String, String, OffsetDateTime, String),
        "SELECT caption, hashtags, starts_at, platform FROM events WHERE workspace_id = $1 AND id = $2",
        ws,
        post
    )?;
    let Some((caption, hashtags, starts_at, platform)) = row else { return Ok(None) };
    let preset = Preset::for_platform(&platform).map_or("", Preset::slug);
    let rows: Vec<ArtRow> = fetch_all!(
        tx,
        ArtRow,
        "SELECT i.id, i.title, c.mode, c.x, c.y, c.width, c.height, c.mat_colour FROM event_images x \
         JOIN images i ON i.workspace_id = x.workspace_id AND i.id = x.image_id \
         LEFT JOIN image_crops c ON c.workspace_id = x.workspace_id AND c.image_id = x.image_id AND c.preset = $3 \
         WHERE x.workspace_id = $1 AND x.event_id = $2 ORDER BY x.position, x.image_id",
        ws,
        post,
        preset
    )?;
    let images = rows
        .into_iter()
        .map(|(id, title, mode, x, y, width, height, mat_colour)| {
            let frame = mode.map(|mode| Frame {
                preset: preset.to_owned(),
                mode,
                x: x.unwrap_or_default(),
                y: y.unwrap_or_default(),
                width: width.unwrap_or_default(),
                height: height.unwrap_or_default(),
                mat_colour: mat_colour.unwrap_or_default(),
            });
            Artwork { id, title, frame }
        })
        .collect();
    let starts_at = starts_at.format(&Rfc3339).unwrap_or_default();
    Ok(Some(Version { caption, hashtags, starts_at, platform, images }))
}

/// Keeps the post as it stands as the version under review.
pub async fn store(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<()> {
    let Some(version) = current(tx, post).await? else { return Ok(()) };
    let json = serde_json::to_string(&version).unwrap_or_default();
    let ws = tx.workspace_id();
    execute!(tx, "UPDATE events SET approved_version = $3 WHERE workspace_id = $1 AND id = $2", ws, post, json)
        .map(drop)
}

/// The post's review state and the version it was submitted or approved as.
async fn stored(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Option<(Review, String)>> {
    let ws = tx.workspace_id();
    let row: Option<(String, String)> = fetch_optional!(
        tx,
        (String, String),
        "SELECT review, approved_version FROM events WHERE workspace_id = $1 AND id = $2",
        ws,
        post
    )?;
    Ok(row.map(|(review, version)| (Review::parse(&review).unwrap_or_default(), version)))
}

/// After an edit: each of `posts` that is in review or approved and now
/// differs from the version under review goes back to the mode's first
/// stage, with the before and after in its history. Call it in the edit's
/// own transaction; returns the posts it reopened.
pub async fn reopen_if_changed(
    tx: &mut WorkspaceTx,
    mode: Mode,
    posts: &[Uuid],
    who: &Reviewer,
) -> AppResult<Vec<Uuid>> {
    let mut reopened = Vec::new();
    if !mode.is_on() {
        return Ok(reopened);
    }
    for &post in posts {
        let Some((review, stored)) = stored(tx, post).await? else { continue };
        if !(review.in_review() || review == Review::Approved) {
            continue;
        }
        let Some(after) = current(tx, post).await? else { continue };
        // Nothing to compare with (submitted before versions were kept):
        // any edit counts as a change.
        let before = Version::parse(&stored).unwrap_or_default();
        if before.same_post_as(&after) {
            continue;
        }
        let detail = serde_json::json!({ "before": before, "after": after }).to_string();
        apply(tx, mode, post, who, Step::Reopen { detail }).await?;
        reopened.push(post);
    }
    Ok(reopened)
}

/// The posts in review or approved that show `image` (a crop of it changed).
pub async fn posts_showing(tx: &mut WorkspaceTx, image: Uuid) -> sqlx::Result<Vec<Uuid>> {
    let ws = tx.workspace_id();
    let rows: Vec<(Uuid,)> = fetch_all!(
        tx,
        (Uuid,),
        "SELECT e.id FROM event_images x JOIN events e ON e.workspace_id = x.workspace_id AND e.id = x.event_id \
         WHERE x.workspace_id = $1 AND x.image_id = $2 AND e.review IN ('internal', 'client', 'approved') \
         ORDER BY e.id",
        ws,
        image
    )?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
