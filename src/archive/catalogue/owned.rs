//! Tables owned by one workspace.

use super::{
    Kind::{Bool, Int, Person, Text, Time, Uuid},
    Scope::{Workspace, WorkspaceInstanceOnly},
    Table,
    tables::{col, opt},
};

pub const WORKSPACE_SETTINGS: Table = Table {
    name: "workspace_settings",
    scope: Workspace,
    key: &["workspace_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("display_name", Text),
        col("time_zone", Text),
        col("updated_at", Time),
        col("company_name", Text),
        col("branded_hashtag", Text),
        col("content_tone", Text),
        col("shop_url", Text),
        col("instagram_hashtag_count", Int),
        col("pinterest_hashtag_count", Int),
        col("posting_times", Text),
    ],
};

pub const IMAGES: Table = Table {
    name: "images",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("sha256", Text),
        col("original_name", Text),
        col("content_type", Text),
        col("extension", Text),
        col("byte_size", Int),
        col("stored_bytes", Int),
        col("width", Int),
        col("height", Int),
        col("title", Text),
        col("description", Text),
        col("medium", Text),
        col("dimensions", Text),
        opt("year", Int),
        col("price", Text),
        col("availability", Text),
        col("alt_text", Text),
        col("created_at", Time),
        col("updated_at", Time),
        col("palette", Text),
    ],
};

/// An artwork's crop (or mat) per platform preset, in the original's pixels.
pub const IMAGE_CROPS: Table = Table {
    name: "image_crops",
    scope: Workspace,
    key: &["workspace_id", "image_id", "preset"],
    columns: &[
        col("workspace_id", Uuid),
        col("image_id", Uuid),
        col("preset", Text),
        col("x", Int),
        col("y", Int),
        col("width", Int),
        col("height", Int),
        col("mode", Text),
        col("mat_colour", Text),
        col("updated_at", Time),
    ],
};

pub const IMAGE_TAGS: Table = Table {
    name: "image_tags",
    scope: Workspace,
    key: &["workspace_id", "image_id", "tag"],
    columns: &[col("workspace_id", Uuid), col("image_id", Uuid), col("tag", Text)],
};

pub const COLLECTIONS: Table = Table {
    name: "collections",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("name", Text),
        col("description", Text),
        col("created_at", Time),
        col("updated_at", Time),
    ],
};

pub const COLLECTION_IMAGES: Table = Table {
    name: "collection_images",
    scope: Workspace,
    key: &["workspace_id", "collection_id", "image_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("collection_id", Uuid),
        col("image_id", Uuid),
        col("position", Int),
        col("is_cover", Bool),
        col("added_at", Time),
    ],
};

pub const WORKSPACE_USAGE: Table = Table {
    name: "workspace_usage",
    scope: WorkspaceInstanceOnly,
    key: &["workspace_id"],
    columns: &[col("workspace_id", Uuid), col("image_count", Int), col("storage_bytes", Int)],
};

pub const HASHTAG_SETS: Table = Table {
    name: "hashtag_sets",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("name", Text),
        col("hashtags", Text),
        col("created_at", Time),
    ],
};

pub const CALENDARS: Table = Table {
    name: "calendars",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("name", Text),
        col("colour", Text),
        col("default_platform", Text),
        col("created_at", Time),
        col("updated_at", Time),
    ],
};

pub const EVENTS: Table = Table {
    name: "events",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        col("calendar_id", Uuid),
        col("starts_at", Time),
        col("platform", Text),
        col("caption", Text),
        col("hashtags", Text),
        col("notes", Text),
        col("status", Text),
        col("created_at", Time),
        col("updated_at", Time),
        col("suggested_caption", Text),
        col("suggested_hashtags", Text),
        col("review", Text),
        col("approved_version", Text),
        opt("created_by", Person),
    ],
};

pub const EVENT_IMAGES: Table = Table {
    name: "event_images",
    scope: Workspace,
    key: &["workspace_id", "event_id", "image_id"],
    columns: &[col("workspace_id", Uuid), col("event_id", Uuid), col("image_id", Uuid), col("position", Int)],
};

pub const CALENDAR_FEEDS: Table = Table {
    name: "calendar_feeds",
    scope: WorkspaceInstanceOnly,
    key: &["token_hash"],
    columns: &[
        col("token_hash", Text),
        col("workspace_id", Uuid),
        col("calendar_id", Uuid),
        col("created_at", Time),
        opt("created_by", Person),
    ],
};

pub const AUDIT_LOG: Table = Table {
    name: "audit_log",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Uuid),
        opt("actor_id", Person),
        col("actor_name", Text),
        col("action", Text),
        col("target", Text),
        col("detail", Text),
        col("ip", Text),
        col("created_at", Time),
    ],
};

pub const WORKSPACE_SECRETS: Table = Table {
    name: "workspace_secrets",
    scope: WorkspaceInstanceOnly,
    key: &["workspace_id", "field"],
    columns: &[
        col("workspace_id", Uuid),
        col("field", Text),
        col("sealed", Text),
        col("last4", Text),
        col("set_by", Text),
        col("set_at", Time),
        col("origin", Text),
    ],
};

pub const WORKSPACE_INTEGRATIONS: Table = Table {
    name: "workspace_integrations",
    scope: Workspace,
    key: &["workspace_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("openai_base_url", Text),
        col("openai_model", Text),
        col("publer_workspace_id", Text),
        col("openai_vision", Bool),
    ],
};

pub const MONTHLY_USAGE: Table = Table {
    name: "monthly_usage",
    scope: Workspace,
    key: &["workspace_id", "month"],
    columns: &[
        col("workspace_id", Uuid),
        col("month", Text),
        col("ai_generations", Int),
        col("ai_tokens", Int),
        col("publer_posts", Int),
    ],
};

pub const PUBLER_ACCOUNTS: Table = Table {
    name: "publer_accounts",
    scope: Workspace,
    key: &["workspace_id", "id"],
    columns: &[
        col("workspace_id", Uuid),
        col("id", Text),
        col("name", Text),
        col("provider", Text),
        col("kind", Text),
        col("listed_at", Time),
    ],
};

pub const PUBLER_ROUTES: Table = Table {
    name: "publer_routes",
    scope: Workspace,
    key: &["workspace_id", "calendar_id", "platform"],
    columns: &[col("workspace_id", Uuid), col("calendar_id", Uuid), col("platform", Text), col("account_id", Text)],
};

pub const PUBLER_SENDS: Table = Table {
    name: "publer_sends",
    scope: Workspace,
    key: &["workspace_id", "event_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("event_id", Uuid),
        col("state", Text),
        col("step", Text),
        col("account_id", Text),
        col("media_ids", Text),
        col("job_id", Text),
        col("publer_post_ids", Text),
        col("error", Text),
        col("attempts", Int),
        col("requested_by", Text),
        col("requested_at", Time),
        col("updated_at", Time),
        opt("lease_until", Time),
        col("leased_by", Text),
    ],
};

pub const USAGE_SNAPSHOTS: Table = Table {
    name: "usage_snapshots",
    scope: WorkspaceInstanceOnly,
    key: &["workspace_id", "day"],
    columns: &[
        col("workspace_id", Uuid),
        col("day", Text),
        col("images", Int),
        col("storage_bytes", Int),
        col("members", Int),
        col("posts_ahead", Int),
        col("ai_generations", Int),
        col("publer_posts", Int),
    ],
};
