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

/// Tables never archived: sign-in sessions (people sign in again), the
/// migration ledger (the target is migrated by its own Easel), and this
/// instance's own jobs, whose files live beside it and not in an archive:
/// backup runs (a backup would hold its own unfinished run) and in-app
/// exports (a short-lived download, made again in a minute); and the
/// cluster's runtime state: once-per-cluster job claims and the shared
/// rate-limit counters; and the search indexes (migration 0029), which
/// triggers rebuild from the images and tags an import or restore inserts.
pub const NEVER: [&str; 17] = [
    "tower_sessions",
    "_sqlx_migrations",
    "backup_runs",
    "workspace_exports",
    "cluster_jobs",
    "rate_limits",
    // Bulk caption jobs: progress of a few minutes' work, not content.
    "caption_jobs",
    "caption_job_posts",
    // Gallery search: SQLite's FTS5 table, its shadow tables and its
    // content; PostgreSQL's suffixes.
    "image_search",
    "image_search_fts",
    "image_search_fts_data",
    "image_search_fts_idx",
    "image_search_fts_docsize",
    "image_search_fts_config",
    "image_search_suffixes",
    // Billing's open Checkout Sessions (a day's life) and the tally of
    // refused webhook calls.
    "billing_checkouts",
    "stripe_refusals",
];

mod global;
mod owned;
mod review;
mod tables;

pub use tables::TABLES;

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// Columns left out of workspace and personal archives but kept in instance
/// archives: secrets and sign-in material (a restored instance must let
/// people sign in), a scheduled deletion (an imported workspace starts
/// live; a restored instance keeps its schedule), and which instance holds
/// a Publer send's lease (another instance's claim means nothing elsewhere).
pub fn stays_in_instance(table: &str, column: &str) -> bool {
    matches!(
        (table, column),
        ("users", "password_hash" | "session_generation")
            | ("invitations", "token_hash")
            | (
                "workspaces",
                "delete_after" | "deletion_requested_at" | "deletion_requested_by" | "purge_lease_until" | "placement"
            )
            // An address on this instance (`{slug}.EASEL_BASE_DOMAIN`).
            | ("workspaces", "slug")
            | ("publer_sends", "lease_until" | "leased_by")
    )
}

/// Columns no archive carries: where a workspace's rows live is this
/// instance's own arrangement (`EASEL_DATABASES`), and whatever an archive
/// holds is imported or restored into `main`, which the column's default says;
/// a move under way belongs to the databases it runs between.
pub fn stays_here(table: &str, column: &str) -> bool {
    matches!((table, column), ("workspaces", "placement" | "moving_to"))
}

#[cfg(test)]
mod tests;
