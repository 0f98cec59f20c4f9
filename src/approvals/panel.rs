//! The editor's review panel (`templates/posts/review_panel.html`): where
//! the post stands, what this person may do about it, and what changed
//! since the version under review.

use askama::Template;
use uuid::Uuid;

use crate::{
    calendars::clock::Clock,
    db::{WorkspaceTx, query::fetch_optional},
    error::AppResult,
    images::presets::post_thumb_url,
    tenancy::{
        Role,
        approval::{self, Mode, Review, Version},
    },
    web::{
        Layout,
        word_diff::{Piece, word_diff},
    },
};

pub struct ReviewPanel {
    pub mode: Mode,
    pub review: Review,
    /// "Send for review" (members and up, from a draft or changes requested).
    pub can_submit: bool,
    /// "Approve" / "Request changes": this person answers the current stage.
    pub can_answer: bool,
    /// Who the post waits for, in words.
    pub waiting_for: &'static str,
    /// Said after an action done in place (HTMX).
    pub note: Option<String>,
    pub changed: Option<Changes>,
}

/// An edit that sent the post back to review: the caption's words marked,
/// and the other fields and artwork before and after.
pub struct Changes {
    pub by: String,
    pub when: String,
    pub caption: Vec<Piece>,
    pub hashtags: Option<(String, String)>,
    pub time: Option<(String, String)>,
    pub before: Vec<Thumb>,
    pub after: Vec<Thumb>,
    pub artwork_changed: bool,
}

pub struct Thumb {
    pub src: String,
    pub title: String,
    /// Its frame for the platform is not the one it had (or has) on the other side.
    pub reframed: bool,
}

impl ReviewPanel {
    pub fn badge_class(&self) -> &'static str {
        badge_class(self.review)
    }
}

/// The CSS modifier of a review state's badge.
pub fn badge_class(review: Review) -> &'static str {
    match review {
        Review::None => "is-draft",
        Review::Internal | Review::Client => "is-review",
        Review::Approved => "is-approved",
        Review::ChangesRequested => "is-changes",
    }
}

/// The panel alone, swapped in place after an HTMX action.
#[derive(Template)]
#[template(path = "approvals/panel.html")]
pub struct PanelFragment {
    pub layout: Layout,
    pub id: Uuid,
    pub review: Option<ReviewPanel>,
}

fn waiting_for(review: Review) -> &'static str {
    match review {
        Review::None => "Not sent for review yet: it cannot go to Publer until it is approved.",
        Review::Internal => "Waiting for an owner or admin to approve it.",
        Review::Client => "Waiting for the client to approve it.",
        Review::Approved => "Approved: it can be sent to Publer.",
        Review::ChangesRequested => "Changes were requested: edit it, then send it for review again.",
    }
}

/// The panel for `post` as `role` sees it; `None` when approval is off.
/// `can_write` is false while the workspace is read-only.
pub async fn load(
    tx: &mut WorkspaceTx,
    mode: Mode,
    role: Role,
    post: Uuid,
    can_write: bool,
) -> AppResult<Option<ReviewPanel>> {
    if !mode.is_on() {
        return Ok(None);
    }
    let Some(review) = approval::review_of(tx, post).await? else { return Ok(None) };
    let can_submit = can_write
        && role.can(crate::tenancy::Permission::EditContent)
        && matches!(review, Review::None | Review::ChangesRequested);
    let changed = if review.in_review() { last_reopen(tx, post).await? } else { None };
    Ok(Some(ReviewPanel {
        mode,
        review,
        can_submit,
        can_answer: can_write && approval::capacity_of(role).is_some_and(|c| c.answers(review)),
        waiting_for: waiting_for(review),
        note: None,
        changed,
    }))
}

/// The edit that last sent the post back to review, unless it was sent for
/// review again afresh since.
async fn last_reopen(tx: &mut WorkspaceTx, post: Uuid) -> AppResult<Option<Changes>> {
    let ws = tx.workspace_id();
    let row: Option<(String, String, String, time::OffsetDateTime)> = fetch_optional!(
        tx,
        (String, String, String, time::OffsetDateTime),
        "SELECT kind, detail, actor_name, created_at FROM post_history WHERE workspace_id = $1 AND event_id = $2 \
           AND kind IN ('reopened', 'submitted') ORDER BY created_at DESC, id DESC LIMIT 1",
        ws,
        post
    )?;
    let Some((_, detail, by, at)) = row.filter(|r| r.0 == "reopened") else { return Ok(None) };
    let Ok(parsed) = serde_json::from_str::<serde_json::Value>(&detail) else { return Ok(None) };
    let side = |key: &str| serde_json::from_value::<Version>(parsed[key].clone()).ok();
    let (Some(before), Some(after)) = (side("before"), side("after")) else { return Ok(None) };
    let clock = Clock::new(&crate::settings::queries::get(tx).await?.time_zone);
    Ok(Some(changes(&clock, before, after, by, at)))
}

fn local(clock: &Clock, rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|at| {
            let (date, time) = clock.local(at);
            crate::web::dates::day_and_time(date, time)
        })
        .unwrap_or_default()
}

fn changes(clock: &Clock, before: Version, after: Version, by: String, at: time::OffsetDateTime) -> Changes {
    let (date, time) = clock.local(at);
    let thumbs = |v: &Version, other: &Version| -> Vec<Thumb> {
        v.images
            .iter()
            .map(|a| Thumb {
                src: post_thumb_url(a.id, &v.platform),
                title: a.title.clone(),
                reframed: other.images.iter().any(|o| o.id == a.id && o.frame != a.frame),
            })
            .collect()
    };
    let ids = |v: &Version| v.images.iter().map(|a| (a.id, a.frame.clone())).collect::<Vec<_>>();
    Changes {
        by,
        when: crate::web::dates::day_and_time(date, time),
        caption: word_diff(&before.caption, &after.caption),
        hashtags: (before.hashtags != after.hashtags).then(|| (before.hashtags.clone(), after.hashtags.clone())),
        time: (before.starts_at != after.starts_at)
            .then(|| (local(clock, &before.starts_at), local(clock, &after.starts_at))),
        artwork_changed: ids(&before) != ids(&after),
        before: thumbs(&before, &after),
        after: thumbs(&after, &before),
    }
}

impl Changes {
    pub fn caption_changed(&self) -> bool {
        self.caption.iter().any(|p| !matches!(p, Piece::Same(_)))
    }
}

/// The modes as the settings page offers them, each with what it does.
pub const MODES: [(Mode, &str); 4] = [
    (Mode::None, "No approval: a post can be sent to Publer as soon as it is ready."),
    (Mode::Internal, "An owner or admin approves each post before it can be sent."),
    (Mode::Client, "The client approves each post, on a review link or signed in as a viewer."),
    (Mode::InternalThenClient, "An owner or admin approves first, then the client does."),
];
