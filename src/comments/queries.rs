//! A post's comments and history rows, as the timeline and the review page
//! read them.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    tenancy::approval::Reviewer,
};

/// Who may read a comment: members only, or the client too (review links).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Internal,
    Client,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "internal" => Some(Self::Internal),
            "client" => Some(Self::Client),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Comment {
    pub id: Uuid,
    pub visibility: String,
    pub author_id: Option<Uuid>,
    pub review_link_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub edited_at: Option<OffsetDateTime>,
}

impl Comment {
    pub fn is_client(&self) -> bool {
        self.visibility == Visibility::Client.as_str()
    }
}

const COLUMNS: &str = "id, visibility, author_id, review_link_id, author_name, body, created_at, edited_at";

/// The condition that keeps a thread to what the client may read.
const CLIENT_ONLY: &str = "AND visibility = 'client'";

/// The post's thread, oldest first: every comment for members, only the
/// client ones when `client_only` (viewers, review links).
pub async fn thread(tx: &mut WorkspaceTx, post: Uuid, client_only: bool) -> sqlx::Result<Vec<Comment>> {
    let ws = tx.workspace_id();
    let only = if client_only { CLIENT_ONLY } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM post_comments WHERE workspace_id = $1 AND event_id = $2 {only} ORDER BY created_at, id"
    );
    fetch_all!(tx, Comment, &sql, ws, post)
}

/// What a review link shows of a post's thread: its client comments only,
/// never an internal one.
pub async fn for_review_link(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Vec<Comment>> {
    thread(tx, post, true).await
}

pub async fn get(tx: &mut WorkspaceTx, post: Uuid, comment: Uuid) -> sqlx::Result<Option<Comment>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {COLUMNS} FROM post_comments WHERE workspace_id = $1 AND event_id = $2 AND id = $3");
    fetch_optional!(tx, Comment, &sql, ws, post, comment)
}

/// Whether the post is in this workspace.
pub async fn post_exists(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let row: Option<(Uuid,)> =
        fetch_optional!(tx, (Uuid,), "SELECT id FROM events WHERE workspace_id = $1 AND id = $2", ws, post)?;
    Ok(row.is_some())
}

/// A member's comment (the same row `approval::add_comment` writes, with
/// the visibility they chose).
pub async fn insert(
    tx: &mut WorkspaceTx,
    post: Uuid,
    who: &Reviewer,
    visibility: Visibility,
    body: &str,
) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    execute!(
        tx,
        "INSERT INTO post_comments (workspace_id, id, event_id, visibility, author_id, review_link_id, author_name, \
           body, created_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8)",
        ws,
        id,
        post,
        visibility.as_str(),
        who.user_id,
        who.name.as_str(),
        body,
        OffsetDateTime::now_utc()
    )?;
    Ok(id)
}

pub async fn update(tx: &mut WorkspaceTx, comment: Uuid, body: &str) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE post_comments SET body = $3, edited_at = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        comment,
        body,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

pub async fn delete(tx: &mut WorkspaceTx, comment: Uuid) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM post_comments WHERE workspace_id = $1 AND id = $2", ws, comment).map(drop)
}

/// One line of a post's history (`post_history`).
#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub id: Uuid,
    pub kind: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_name: String,
    pub via: String,
    pub detail: String,
    pub created_at: OffsetDateTime,
}

/// A post's comments (only the client ones when `client_only`) and its
/// history, in no particular order, in one statement: the editor reads
/// both for every post it opens.
pub async fn thread_and_history(
    tx: &mut WorkspaceTx,
    post: Uuid,
    client_only: bool,
) -> sqlx::Result<(Vec<Comment>, Vec<HistoryRow>)> {
    let ws = tx.workspace_id();
    let sql = match client_only {
        true => &THREAD_AND_HISTORY[1],
        false => &THREAD_AND_HISTORY[0],
    };
    let rows = fetch_all!(tx, TimelineRow, sql.as_str(), ws, post)?;
    let (comments, history): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.is_comment);
    Ok((comments.into_iter().map(|r| r.comment).collect(), history.into_iter().map(TimelineRow::history).collect()))
}

/// For members, then for the client.
static THREAD_AND_HISTORY: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
    let sql = |only: &str| {
        format!(
            "SELECT TRUE AS is_comment, {COLUMNS}, '' AS kind, '' AS from_state, '' AS to_state, '' AS via, \
               '' AS detail FROM post_comments WHERE workspace_id = $1 AND event_id = $2 {only} \
             UNION ALL \
             SELECT FALSE, id, '', NULL, NULL, actor_name, '', created_at, NULL, kind, from_state, to_state, via, \
               detail FROM post_history WHERE workspace_id = $1 AND event_id = $2"
        )
    };
    [sql(""), sql(CLIENT_ONLY)]
});

/// A comment or a history line: `COLUMNS`, then `HistoryRow`'s own.
#[derive(sqlx::FromRow)]
struct TimelineRow {
    is_comment: bool,
    #[sqlx(flatten)]
    comment: Comment,
    kind: String,
    from_state: String,
    to_state: String,
    via: String,
    detail: String,
}

impl TimelineRow {
    fn history(self) -> HistoryRow {
        let Comment { id, author_name: actor_name, created_at, .. } = self.comment;
        let Self { kind, from_state, to_state, via, detail, .. } = self;
        HistoryRow { id, kind, from_state, to_state, actor_name, via, detail, created_at }
    }
}
