//! Tables of client review (issue 17), owned by one workspace: a post's
//! history and comments, review links and the bell's notices.

use super::{
    Kind::{Bool, Person, Text, Time, Uuid},
    Scope::{Workspace, WorkspaceInstanceOnly},
    Table,
    tables::{col, opt},
};

pub const POST_HISTORY: Table = Table {
    name: "post_history",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("event_id", Uuid),
        col("kind", Text),
        col("from_state", Text),
        col("to_state", Text),
        opt("actor_id", Person),
        col("actor_name", Text),
        col("via", Text),
        opt("review_link_id", Uuid),
        col("ip", Text),
        col("detail", Text),
        col("created_at", Time),
    ],
};

pub const REVIEW_LINKS: Table = Table {
    name: "review_links",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("reviewer_name", Text),
        col("reviewer_email", Text),
        opt("calendar_id", Uuid),
        opt("starts_on", Text),
        opt("ends_on", Text),
        opt("created_by", Person),
        col("created_at", Time),
        col("expires_at", Time),
        opt("revoked_at", Time),
        opt("last_opened_at", Time),
    ],
};

pub const REVIEW_LINK_POSTS: Table = Table {
    name: "review_link_posts",
    scope: Workspace,
    key: &["workspace_id", "link_id", "event_id"],
    columns: &[col("workspace_id", Uuid), col("link_id", Uuid), col("event_id", Uuid)],
};

/// The token is this instance's credential, like a feed's.
pub const REVIEW_LINK_TOKENS: Table = Table {
    name: "review_link_tokens",
    scope: WorkspaceInstanceOnly,
    key: &["token_hash"],
    columns: &[col("token_hash", Text), col("workspace_id", Uuid), col("link_id", Uuid)],
};

pub const POST_COMMENTS: Table = Table {
    name: "post_comments",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("event_id", Uuid),
        col("visibility", Text),
        opt("author_id", Person),
        opt("review_link_id", Uuid),
        col("author_name", Text),
        col("body", Text),
        col("created_at", Time),
        opt("edited_at", Time),
    ],
};

pub const NOTIFICATIONS: Table = Table {
    name: "notifications",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("user_id", Person),
        col("kind", Text),
        opt("event_id", Uuid),
        col("text", Text),
        col("link", Text),
        col("created_at", Time),
        opt("read_at", Time),
        opt("emailed_at", Time),
        col("in_app", Bool),
        col("by_mail", Bool),
    ],
};
