//! SQL of review links: making, listing and revoking them, finding one by
//! its token, and what the public page needs of the workspace's own row.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        Databases, WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    tenancy::approval::Mode,
};

/// How many links the list shows (the newest first).
pub const LISTED: i64 = 200;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Link {
    pub id: Uuid,
    pub reviewer_name: String,
    pub reviewer_email: String,
    /// A calendar and local dates; or none, and the posts are hand-picked.
    pub calendar_id: Option<Uuid>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_opened_at: Option<OffsetDateTime>,
}

/// Whether a link still opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Active,
    Expired,
    Revoked,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl Link {
    pub fn standing(&self, now: OffsetDateTime) -> Standing {
        if self.revoked_at.is_some() {
            Standing::Revoked
        } else if self.expires_at <= now {
            Standing::Expired
        } else {
            Standing::Active
        }
    }
}

/// A link about to be made.
pub struct NewLink<'a> {
    pub reviewer_name: &'a str,
    pub reviewer_email: &'a str,
    pub range: Option<(Uuid, String, String)>,
    pub posts: &'a [Uuid],
    pub created_by: Uuid,
    pub expires_at: OffsetDateTime,
}

const COLUMNS: &str = "id, reviewer_name, reviewer_email, calendar_id, starts_on, ends_on, created_by, created_at, \
                       expires_at, revoked_at, last_opened_at";

/// Stores the link, its hand-picked posts and its token's hash.
pub async fn insert(tx: &mut WorkspaceTx, link: &NewLink<'_>, token_hash: &str) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    let (calendar, starts_on, ends_on) = match &link.range {
        Some((c, s, e)) => (Some(*c), Some(s.as_str()), Some(e.as_str())),
        None => (None, None, None),
    };
    execute!(
        tx,
        "INSERT INTO review_links (workspace_id, id, reviewer_name, reviewer_email, calendar_id, starts_on, ends_on, \
           created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        ws,
        id,
        link.reviewer_name,
        link.reviewer_email,
        calendar,
        starts_on,
        ends_on,
        link.created_by,
        OffsetDateTime::now_utc(),
        link.expires_at
    )?;
    for post in link.posts {
        execute!(
            tx,
            "INSERT INTO review_link_posts (workspace_id, link_id, event_id) VALUES ($1, $2, $3)",
            ws,
            id,
            *post
        )?;
    }
    execute!(
        tx,
        "INSERT INTO review_link_tokens (token_hash, workspace_id, link_id) VALUES ($1, $2, $3)",
        token_hash,
        ws,
        id
    )?;
    Ok(id)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Link>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {COLUMNS} FROM review_links WHERE workspace_id = $1 AND id = $2");
    fetch_optional!(tx, Link, &sql, ws, id)
}

/// The workspace's links, newest first.
pub async fn list(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Link>> {
    let ws = tx.workspace_id();
    let sql =
        format!("SELECT {COLUMNS} FROM review_links WHERE workspace_id = $1 ORDER BY created_at DESC, id LIMIT $2");
    fetch_all!(tx, Link, &sql, ws, LISTED)
}

/// Turns the link off (once); the token stays, so the reviewer is told so.
pub async fn revoke(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE review_links SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        ws,
        id,
        OffsetDateTime::now_utc()
    )
}

pub async fn mark_opened(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE review_links SET last_opened_at = $3 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// Which workspace and link a token opens: looked up in every database
/// (the token is the reviewer's only credential); none for a workspace
/// scheduled for deletion, or a row in a database the workspace has left.
pub async fn target(databases: &Databases, token_hash: &str) -> anyhow::Result<Option<(Uuid, Uuid)>> {
    for (name, db) in databases.all() {
        let found: Option<(Uuid, Uuid)> = fetch_optional!(
            db,
            (Uuid, Uuid),
            "SELECT workspace_id, link_id FROM review_link_tokens WHERE token_hash = $1",
            token_hash
        )?;
        let Some((workspace, link)) = found else { continue };
        let placed: Option<(String,)> = fetch_optional!(
            databases.main(),
            (String,),
            "SELECT placement FROM workspaces WHERE id = $1 AND delete_after IS NULL",
            workspace
        )?;
        if placed.is_some_and(|(p,)| p == name) {
            return Ok(Some((workspace, link)));
        }
    }
    Ok(None)
}

/// What the public page shows of the workspace, from its global row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Front {
    pub name: String,
    #[sqlx(try_from = "String")]
    pub approval: Mode,
    pub brand_colour: String,
    pub logo: String,
    /// Hidden only when the workspace asks and its plan allows it (the
    /// same rule as the app's pages).
    pub hide_powered_by: bool,
    /// Suspended or being moved: it reads, nothing writes.
    pub frozen: bool,
}

pub async fn front(tx: &mut WorkspaceTx) -> sqlx::Result<Option<Front>> {
    let id = tx.workspace_id();
    fetch_optional!(
        tx.global().await?,
        Front,
        "SELECT w.name, w.approval, w.brand_colour, w.logo, \
           (w.hide_powered_by AND COALESCE(w.custom_can_hide_branding, p.can_hide_branding, FALSE)) AS hide_powered_by, \
           (w.suspended_at IS NOT NULL OR w.moving_to IS NOT NULL) AS frozen \
         FROM workspaces w LEFT JOIN plans p ON p.key = w.plan WHERE w.id = $1 AND w.delete_after IS NULL",
        id
    )
}

/// A person's name, for "made by" and the mail (people live in `main`).
pub async fn person_name(tx: &mut WorkspaceTx, user: Option<Uuid>) -> sqlx::Result<Option<String>> {
    let Some(user) = user else { return Ok(None) };
    let row: Option<(String,)> =
        fetch_optional!(tx.global().await?, (String,), "SELECT name FROM users WHERE id = $1", user)?;
    Ok(row.map(|(n,)| n))
}
