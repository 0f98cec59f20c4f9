//! Every table an archive may hold, its columns and their kinds, in an order
//! where each table comes after the tables it points at (so rows can be
//! inserted in catalogue order). A unit test checks this list against the
//! migrated schema, so a new migration cannot be forgotten here.

/// How a column's value is written in canonical rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A UUID, as its hyphenated string.
    Uuid,
    /// A UUID naming a person: their email in a workspace archive.
    Person,
    Text,
    Int,
    Bool,
    /// A moment, as RFC 3339 UTC with microseconds.
    Time,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

/// Where a table's rows belong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Instance-wide (people, sign-in, plans): only in instance archives.
    Global,
    /// Owned by one workspace (`workspace_id`): in both kinds of archive.
    Workspace,
    /// Owned by one workspace but tied to this instance (sealed keys, feed
    /// tokens, counters that are recomputed): only in instance archives.
    WorkspaceInstanceOnly,
}

#[derive(Clone, Copy, Debug)]
pub struct Table {
    pub name: &'static str,
    pub scope: Scope,
    pub columns: &'static [Column],
    /// The primary key, the order rows are written in.
    pub key: &'static [&'static str],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether a workspace archive carries this table.
    pub fn in_workspace_archive(&self) -> bool {
        self.scope == Scope::Workspace
    }
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: false }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: true }
}

use Kind::{Bool, Int, Person, Text, Time, Uuid};
use Scope::{Global, Workspace, WorkspaceInstanceOnly};

/// Tables never archived: sign-in sessions (people sign in again), the
/// migration ledger (the target is migrated by its own Easel) and this
/// instance's own backup runs (a backup would hold its own unfinished run,
/// and a restore must not bring back old claims).
pub const NEVER: [&str; 3] = ["tower_sessions", "_sqlx_migrations", "backup_runs"];

/// The tables, parents first.
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        scope: Global,
        key: &["id"],
        columns: &[
            col("id", Uuid),
            col("email", Text),
            col("name", Text),
            opt("password_hash", Text),
            col("session_generation", Int),
            col("created_at", Time),
            col("is_platform_admin", Bool),
            opt("email_verified_at", Time),
        ],
    },
    Table {
        name: "plans",
        scope: Global,
        key: &["key"],
        columns: &[
            col("key", Text),
            col("name", Text),
            col("position", Int),
            opt("max_images", Int),
            opt("max_storage_bytes", Int),
            opt("max_members", Int),
            opt("max_ai_generations", Int),
            opt("max_publer_posts", Int),
            col("can_hide_branding", Bool),
        ],
    },
    Table {
        name: "workspaces",
        scope: Global,
        key: &["id"],
        columns: &[
            col("id", Uuid),
            col("name", Text),
            opt("created_by", Person),
            col("created_at", Time),
            col("plan", Text),
            opt("custom_max_images", Int),
            opt("custom_max_storage_bytes", Int),
            opt("custom_max_members", Int),
            opt("custom_max_ai_generations", Int),
            opt("custom_max_publer_posts", Int),
            opt("custom_can_hide_branding", Bool),
            opt("suspended_at", Time),
            col("brand_colour", Text),
            col("logo", Text),
            col("hide_powered_by", Bool),
            opt("last_active_at", Time),
            opt("delete_after", Time),
            opt("deletion_requested_at", Time),
            col("deletion_requested_by", Text),
            opt("purge_lease_until", Time),
        ],
    },
    Table {
        name: "memberships",
        scope: Global,
        key: &["workspace_id", "user_id"],
        columns: &[col("workspace_id", Uuid), col("user_id", Person), col("role", Text), col("created_at", Time)],
    },
    Table {
        name: "invitations",
        scope: Global,
        key: &["id"],
        columns: &[
            col("id", Uuid),
            col("workspace_id", Uuid),
            col("email", Text),
            col("role", Text),
            col("token_hash", Text),
            opt("invited_by", Person),
            col("created_at", Time),
            col("expires_at", Time),
            opt("accepted_at", Time),
            opt("revoked_at", Time),
        ],
    },
    Table {
        name: "password_resets",
        scope: Global,
        key: &["token_hash"],
        columns: &[
            col("token_hash", Text),
            col("user_id", Person),
            col("created_at", Time),
            col("expires_at", Time),
            opt("used_at", Time),
        ],
    },
    Table {
        name: "email_verifications",
        scope: Global,
        key: &["token_hash"],
        columns: &[
            col("token_hash", Text),
            col("user_id", Person),
            col("email", Text),
            col("created_at", Time),
            col("expires_at", Time),
            opt("used_at", Time),
        ],
    },
    Table {
        name: "oauth_identities",
        scope: Global,
        key: &["provider", "subject"],
        columns: &[
            col("provider", Text),
            col("subject", Text),
            col("user_id", Person),
            col("email", Text),
            col("created_at", Time),
        ],
    },
    Table {
        name: "two_factor",
        scope: Global,
        key: &["user_id"],
        columns: &[
            col("user_id", Person),
            col("secret_sealed", Text),
            opt("confirmed_at", Time),
            col("last_used_step", Int),
            col("created_at", Time),
        ],
    },
    Table {
        name: "two_factor_recovery_codes",
        scope: Global,
        key: &["user_id", "code_hash"],
        columns: &[col("user_id", Person), col("code_hash", Text), opt("used_at", Time)],
    },
    Table {
        name: "platform_audit",
        scope: Global,
        key: &["id"],
        columns: &[
            col("id", Uuid),
            opt("actor_id", Person),
            col("actor_email", Text),
            col("action", Text),
            opt("workspace_id", Uuid),
            col("workspace_name", Text),
            col("detail", Text),
            col("created_at", Time),
        ],
    },
    Table {
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
    },
    Table {
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
        ],
    },
    Table {
        name: "image_tags",
        scope: Workspace,
        key: &["workspace_id", "image_id", "tag"],
        columns: &[col("workspace_id", Uuid), col("image_id", Uuid), col("tag", Text)],
    },
    Table {
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
    },
    Table {
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
    },
    Table {
        name: "workspace_usage",
        scope: WorkspaceInstanceOnly,
        key: &["workspace_id"],
        columns: &[col("workspace_id", Uuid), col("image_count", Int), col("storage_bytes", Int)],
    },
    Table {
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
    },
    Table {
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
    },
    Table {
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
        ],
    },
    Table {
        name: "event_images",
        scope: Workspace,
        key: &["workspace_id", "event_id", "image_id"],
        columns: &[col("workspace_id", Uuid), col("event_id", Uuid), col("image_id", Uuid), col("position", Int)],
    },
    Table {
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
    },
    Table {
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
    },
    Table {
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
    },
    Table {
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
    },
    Table {
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
    },
    Table {
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
    },
    Table {
        name: "publer_routes",
        scope: Workspace,
        key: &["workspace_id", "calendar_id", "platform"],
        columns: &[col("workspace_id", Uuid), col("calendar_id", Uuid), col("platform", Text), col("account_id", Text)],
    },
    Table {
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
        ],
    },
    Table {
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
    },
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Columns left out of workspace and personal archives but kept in instance
/// archives: secrets and sign-in material (a restored instance must let
/// people sign in), and a scheduled deletion (an imported workspace starts
/// live; a restored instance keeps its schedule).
pub fn stays_in_instance(table: &str, column: &str) -> bool {
    matches!(
        (table, column),
        ("users", "password_hash" | "session_generation")
            | ("invitations", "token_hash")
            | ("workspaces", "delete_after" | "deletion_requested_at" | "deletion_requested_by" | "purge_lease_until")
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every table and column of the migrated schema is in the catalogue
    /// (and nothing else is), so a new migration cannot be left out of
    /// backups and copies.
    #[tokio::test]
    async fn the_catalogue_matches_the_schema() {
        let db = crate::db::Db::connect("sqlite::memory:").await.expect("db");
        db.migrate().await.expect("migrate");
        let crate::db::Db::Sqlite(pool) = &db else { panic!("sqlite") };
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        let mut schema = BTreeSet::new();
        for (table,) in tables.into_iter().filter(|(t,)| !NEVER.contains(&t.as_str())) {
            let columns: Vec<(String,)> = sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(pool)
                .await
                .expect("columns");
            schema.extend(columns.into_iter().map(|(c,)| format!("{table}.{c}")));
        }
        let catalogue: BTreeSet<String> =
            TABLES.iter().flat_map(|t| t.columns.iter().map(move |c| format!("{}.{}", t.name, c.name))).collect();
        assert_eq!(
            schema.difference(&catalogue).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing from the catalogue"
        );
        assert_eq!(catalogue.difference(&schema).collect::<Vec<_>>(), Vec::<&String>::new(), "not in the schema");
    }

    #[test]
    fn parents_come_before_children() {
        let position = |name: &str| TABLES.iter().position(|t| t.name == name).expect(name);
        for (parent, child) in [
            ("users", "workspaces"),
            ("workspaces", "memberships"),
            ("images", "image_tags"),
            ("collections", "collection_images"),
            ("calendars", "events"),
            ("events", "event_images"),
            ("publer_accounts", "publer_routes"),
            ("events", "publer_sends"),
            ("memberships", "calendar_feeds"),
        ] {
            assert!(position(parent) < position(child), "{parent} before {child}");
        }
    }
}
