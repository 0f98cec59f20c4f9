//! Approval before sending (issue 17): the workspace's mode, where a post
//! stands in review, and the one function that moves a post through review,
//! recording who, when and from where in the post's history and the
//! workspace's audit log, in the caller's transaction.

mod history;
mod sending;
pub mod version;

use time::OffsetDateTime;
use uuid::Uuid;

pub use history::{record_sent, record_status};
pub use sending::{refusal, refusal_in_sender, why_not_sent};
pub use version::{Version, reopen_if_changed};

use super::{Role, Workspace, notices};
use crate::{
    audit::queries::{Actor, record_by},
    db::{
        WorkspaceTx,
        query::{execute, fetch_optional},
    },
    error::{AppError, AppResult},
};

/// How a workspace approves posts before they are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// No approval: posts are sent as today.
    #[default]
    None,
    /// An owner or admin approves.
    Internal,
    /// The client approves, on a review link or as a viewer.
    Client,
    /// An owner or admin, then the client.
    InternalThenClient,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::None, Mode::Internal, Mode::Client, Mode::InternalThenClient];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Internal => "internal",
            Self::Client => "client",
            Self::InternalThenClient => "internal_then_client",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None: posts are sent without approval",
            Self::Internal => "Internal: an owner or admin approves",
            Self::Client => "Client: the reviewer approves",
            Self::InternalThenClient => "Internal, then the client",
        }
    }

    pub fn is_on(self) -> bool {
        self != Self::None
    }

    /// The review a submitted post waits for first.
    pub fn first_stage(self) -> Review {
        match self {
            Self::None => Review::None,
            Self::Internal | Self::InternalThenClient => Review::Internal,
            Self::Client => Review::Client,
        }
    }

    /// Where a post goes once `stage` approves it.
    fn after(self, stage: Review) -> Review {
        match (self, stage) {
            (Self::InternalThenClient, Review::Internal) => Review::Client,
            _ => Review::Approved,
        }
    }

    /// Whether a post in `review` may be sent.
    pub fn may_send(self, review: Review) -> bool {
        !self.is_on() || review == Review::Approved
    }
}

impl TryFrom<String> for Mode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("unknown approval mode {value:?}"))
    }
}

/// Where a post stands in review (`events.review`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Review {
    /// Not submitted: a draft.
    #[default]
    None,
    /// Waiting for an owner or admin.
    Internal,
    /// Waiting for the client.
    Client,
    Approved,
    /// Sent back to its author (a draft again until resubmitted).
    ChangesRequested,
}

impl Review {
    pub const ALL: [Review; 5] =
        [Review::None, Review::Internal, Review::Client, Review::Approved, Review::ChangesRequested];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Internal => "internal",
            Self::Client => "client",
            Self::Approved => "approved",
            Self::ChangesRequested => "changes_requested",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "Draft",
            Self::Internal => "In review",
            Self::Client => "Waiting for the client",
            Self::Approved => "Approved",
            Self::ChangesRequested => "Changes requested",
        }
    }

    /// Waiting for someone's approval.
    pub fn in_review(self) -> bool {
        matches!(self, Self::Internal | Self::Client)
    }
}

impl TryFrom<String> for Review {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("unknown review state {value:?}"))
    }
}

/// Which approval a person may give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// An owner or admin: the internal approval.
    Team,
    /// The client: a review link's reviewer, or a viewer in the app.
    Client,
}

impl Capacity {
    /// Whether this approval is the one `stage` waits for.
    pub fn answers(self, stage: Review) -> bool {
        matches!((self, stage), (Self::Team, Review::Internal) | (Self::Client, Review::Client))
    }
}

/// The approval a member with `role` gives: owners and admins for the
/// team, viewers for the client; members submit only.
pub fn capacity_of(role: Role) -> Option<Capacity> {
    match role {
        Role::Owner | Role::Admin => Some(Capacity::Team),
        Role::Viewer => Some(Capacity::Client),
        Role::Member => None,
    }
}

/// Where an action came from, as the post's history says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    App,
    ReviewLink(Uuid),
    /// Easel itself (an edit's automatic return to review is the editor's).
    Easel,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::ReviewLink(_) => "review_link",
            Self::Easel => "easel",
        }
    }

    fn link(self) -> Option<Uuid> {
        match self {
            Self::ReviewLink(id) => Some(id),
            _ => None,
        }
    }
}

/// Who acts on a post's review.
#[derive(Clone, Debug)]
pub struct Reviewer {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub ip: String,
    pub via: Via,
    /// What they may approve; `None` for a member, who only submits.
    pub capacity: Option<Capacity>,
}

impl Reviewer {
    /// The signed-in person behind `ws`: owners and admins approve for the
    /// team, viewers for the client, members submit only.
    pub fn member(ws: &Workspace) -> Self {
        let capacity = capacity_of(ws.role());
        let user = ws.user();
        Self { user_id: Some(user.id), name: user.name.clone(), ip: ws.client_ip().to_owned(), via: Via::App, capacity }
    }

    /// A review link's named reviewer.
    pub fn client(link: Uuid, name: &str, ip: &str) -> Self {
        Self {
            user_id: None,
            name: name.to_owned(),
            ip: ip.to_owned(),
            via: Via::ReviewLink(link),
            capacity: Some(Capacity::Client),
        }
    }

    /// Easel itself, acting for `name` (a background job landing an edit).
    pub fn easel(name: &str) -> Self {
        Self { user_id: None, name: name.to_owned(), ip: String::new(), via: Via::Easel, capacity: None }
    }

    /// Whether this person gives the approval `stage` waits for.
    pub fn answers(&self, stage: Review) -> bool {
        self.capacity.is_some_and(|c| c.answers(stage))
    }
}

/// What is done to a post's review.
#[derive(Clone, Debug)]
pub enum Step {
    /// Its author sends it for review.
    Submit,
    Approve,
    /// Back to its author, with what to change (a comment on the post:
    /// `client` visibility when the client asks).
    RequestChanges {
        comment: String,
    },
    /// An approved (or in-review) post was edited: it waits for the first
    /// approval again. `detail` is what changed, for the history (JSON).
    Reopen {
        detail: String,
    },
}

const NOT_ON: &str = "Approval is off in this workspace.";
const NOT_YOURS: &str = "This post is not waiting for your approval.";
const NOT_DRAFT: &str = "Only a draft or a post with changes requested can be sent for review.";
const NEEDS_COMMENT: &str = "Say what should change: the comment is empty.";

/// The post's review state; `None` when the post is not in this workspace.
pub async fn review_of(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Option<Review>> {
    let ws = tx.workspace_id();
    let row: Option<(String,)> =
        fetch_optional!(tx, (String,), "SELECT review FROM events WHERE workspace_id = $1 AND id = $2", ws, post)?;
    Ok(row.map(|(r,)| Review::parse(&r).unwrap_or_default()))
}

/// The approval mode of the workspace `tx` is in, for work that has no
/// request (and so no `Workspace::approval()`): the background sender and
/// jobs. A global row, read on the main database.
pub async fn mode_of(tx: &mut WorkspaceTx) -> sqlx::Result<Mode> {
    let id = tx.workspace_id();
    let row: Option<(String,)> =
        fetch_optional!(tx.global().await?, (String,), "SELECT approval FROM workspaces WHERE id = $1", id)?;
    Ok(row.and_then(|(m,)| Mode::parse(&m)).unwrap_or_default())
}

/// Takes `step` on `post` under `mode`; returns the post's new review state.
/// A post of another workspace is a 404; a step this person may not take,
/// or that does not fit where the post stands, is a 409 with the reason.
pub async fn apply(tx: &mut WorkspaceTx, mode: Mode, post: Uuid, who: &Reviewer, step: Step) -> AppResult<Review> {
    if !mode.is_on() {
        return Err(AppError::Conflict(NOT_ON));
    }
    let from = review_of(tx, post).await?.ok_or(AppError::NotFound)?;
    let to = next(mode, from, who, &step)?;
    set_review(tx, post, to).await?;
    // What is submitted, approved or reopened is the version under review:
    // the next edit is compared with it.
    if matches!(step, Step::Submit | Step::Approve | Step::Reopen { .. }) {
        version::store(tx, post).await?;
    }
    let (kind, detail) = match &step {
        Step::Submit => ("submitted", String::new()),
        Step::Approve => ("approved", String::new()),
        Step::RequestChanges { comment } => {
            let id = add_comment(tx, post, who, comment).await?;
            notices::comment_added(tx, post, id, who, comment).await?;
            ("changes_requested", comment.clone())
        }
        Step::Reopen { detail } => ("reopened", detail.clone()),
    };
    record(tx, post, kind, (from, to), who, &detail).await?;
    notices::review_changed(tx, post, from, to, who).await?;
    Ok(to)
}

/// The state `step` leads to from `from`, or why it may not be taken.
fn next(mode: Mode, from: Review, who: &Reviewer, step: &Step) -> AppResult<Review> {
    match step {
        Step::Submit if matches!(from, Review::None | Review::ChangesRequested) => Ok(mode.first_stage()),
        Step::Submit => Err(AppError::Conflict(NOT_DRAFT)),
        Step::Approve if who.answers(from) => Ok(mode.after(from)),
        Step::RequestChanges { comment } if who.answers(from) => {
            if comment.trim().is_empty() {
                return Err(AppError::Conflict(NEEDS_COMMENT));
            }
            Ok(Review::ChangesRequested)
        }
        Step::Approve | Step::RequestChanges { .. } => Err(AppError::Conflict(NOT_YOURS)),
        Step::Reopen { .. } => Ok(mode.first_stage()),
    }
}

/// Changes requested make the post a draft again; an approval for the last
/// stage marks it ready.
async fn set_review(tx: &mut WorkspaceTx, post: Uuid, to: Review) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let status = match to {
        Review::ChangesRequested => "CASE WHEN status = 'ready' THEN 'draft' ELSE status END",
        Review::Approved => "CASE WHEN status = 'draft' THEN 'ready' ELSE status END",
        _ => "status",
    };
    let sql = format!(
        "UPDATE events SET review = $3, status = {status}, updated_at = $4 WHERE workspace_id = $1 AND id = $2"
    );
    execute!(tx, &sql, ws, post, to.as_str(), OffsetDateTime::now_utc()).map(drop)
}

/// A comment on the post by `who`: `client` when the client wrote it, so
/// the review link shows it; `internal` otherwise.
pub async fn add_comment(tx: &mut WorkspaceTx, post: Uuid, who: &Reviewer, body: &str) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    let visibility = if who.capacity == Some(Capacity::Client) { "client" } else { "internal" };
    execute!(
        tx,
        "INSERT INTO post_comments (workspace_id, id, event_id, visibility, author_id, review_link_id, author_name, \
           body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ws,
        id,
        post,
        visibility,
        who.user_id,
        who.via.link(),
        who.name.as_str(),
        body.trim(),
        OffsetDateTime::now_utc()
    )?;
    Ok(id)
}

/// One line of the post's history, and the same in the audit log.
pub async fn record(
    tx: &mut WorkspaceTx,
    post: Uuid,
    kind: &str,
    (from, to): (Review, Review),
    who: &Reviewer,
    detail: &str,
) -> sqlx::Result<()> {
    history::insert(tx, post, kind, (from.as_str(), to.as_str()), who, detail).await?;
    let actor = Actor { id: who.user_id, name: &who.name, ip: &who.ip };
    let what = format!("{} → {}", from.label(), to.label());
    record_by(tx, actor, &format!("post.{kind}"), &post.to_string(), &what).await
}

#[cfg(test)]
mod tests;
