//! SQL about workspaces and memberships (global tables).

use std::sync::LazyLock;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{approval::Mode, permissions::Role};
use crate::{
    auth::{self, queries::User},
    db::{
        Db, Reader, Tx, WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    settings,
};

/// A workspace as one of its members sees it, for the switcher.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Membership {
    pub workspace_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub brand_colour: String,
    pub logo: String,
    /// When the person last switched to it (`None`: never).
    pub last_used_at: Option<OffsetDateTime>,
}

/// A membership as a request needs it: with the workspace's standing and
/// branding.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActiveMembership {
    pub workspace_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub suspended: bool,
    pub brand_colour: String,
    pub logo: String,
    /// The workspace hides "Powered by Easel" and its plan allows it.
    pub hide_powered_by: bool,
    /// The database holding its rows.
    pub placement: String,
    /// Being moved to another database: it reads, nothing writes.
    pub moving: bool,
    /// How its posts are approved before they are sent.
    #[sqlx(try_from = "String")]
    pub approval: Mode,
    /// Since when a payment has been failing (billing's grace runs from here).
    pub billing_past_due_since: Option<OffsetDateTime>,
}

/// An [`ActiveMembership`]'s columns: what each is, and its name.
const ACTIVE_COLUMNS: [(&str, &str); 11] = [
    ("m.workspace_id", "workspace_id"),
    ("w.name", "name"),
    ("m.role", "role"),
    ("w.suspended_at IS NOT NULL", "suspended"),
    ("w.brand_colour", "brand_colour"),
    ("w.logo", "logo"),
    ("(w.hide_powered_by AND COALESCE(w.custom_can_hide_branding, p.can_hide_branding, FALSE))", "hide_powered_by"),
    ("w.placement", "placement"),
    ("w.moving_to IS NOT NULL", "moving"),
    ("w.approval", "approval"),
    ("w.billing_past_due_since", "billing_past_due_since"),
];

/// The `SELECT` of an [`ActiveMembership`], each column named `{prefix}{name}`.
fn active_select(prefix: &str) -> String {
    let columns: Vec<String> = ACTIVE_COLUMNS.iter().map(|(what, name)| format!("{what} AS {prefix}{name}")).collect();
    format!(
        "SELECT {} FROM memberships m JOIN workspaces w ON w.id = m.workspace_id LEFT JOIN plans p ON p.key = w.plan",
        columns.join(", ")
    )
}

static ACTIVE: LazyLock<String> = LazyLock::new(|| active_select(""));

/// A workspace scheduled for deletion is gone for its members: no page, no
/// switcher entry, no fallback to it. Only its owner's "Restore" sees it.
const KEPT: &str = "w.delete_after IS NULL";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WorkspaceSummary {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub members: i64,
    /// When someone last changed something in it.
    pub last_active_at: Option<OffsetDateTime>,
}

impl WorkspaceSummary {
    pub fn initial(&self) -> String {
        crate::web::layout::initial(&self.name)
    }

    pub fn last_activity(&self) -> String {
        self.last_active_at.map_or_else(|| "No changes yet".into(), crate::web::dates::day_utc)
    }
}

pub async fn membership(db: &Db, user_id: Uuid, workspace_id: Uuid) -> sqlx::Result<Option<ActiveMembership>> {
    fetch_optional!(db, ActiveMembership, &MEMBERSHIP, user_id, workspace_id)
}

static MEMBERSHIP: LazyLock<String> =
    LazyLock::new(|| format!("{} WHERE m.user_id = $1 AND m.workspace_id = $2 AND {KEPT}", *ACTIVE));

/// A signed-in person's row and, in the same statement, their membership
/// of `workspace_id` (`None` when they have none): the two lookups every
/// workspace page starts with, in one round trip.
pub async fn user_with_membership(
    mut db: Reader<'_>,
    user_id: Uuid,
    workspace_id: Uuid,
) -> sqlx::Result<Option<(User, Option<ActiveMembership>)>> {
    let row = match fetch_optional!(db, UserWithMembership, &USER_WITH_MEMBERSHIP, user_id, workspace_id) {
        Ok(row) => row,
        Err(e) => {
            db.failed();
            return Err(e);
        }
    };
    row.map(UserWithMembership::split).transpose()
}

static USER_WITH_MEMBERSHIP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT u.*, a.* FROM ({}) u LEFT JOIN ({} WHERE m.user_id = $1 AND m.workspace_id = $2 AND {KEPT}) a ON TRUE",
        auth::queries::USER_BY_ID,
        active_select("ws_")
    )
});

/// A person's row, and the `ws_` columns of a membership that may be missing.
#[derive(sqlx::FromRow)]
struct UserWithMembership {
    #[sqlx(flatten)]
    user: User,
    ws_workspace_id: Option<Uuid>,
    ws_name: Option<String>,
    ws_role: Option<String>,
    ws_suspended: Option<bool>,
    ws_brand_colour: Option<String>,
    ws_logo: Option<String>,
    ws_hide_powered_by: Option<bool>,
    ws_placement: Option<String>,
    ws_moving: Option<bool>,
    ws_approval: Option<String>,
    ws_billing_past_due_since: Option<OffsetDateTime>,
}

impl UserWithMembership {
    fn split(self) -> sqlx::Result<(User, Option<ActiveMembership>)> {
        let Some(workspace_id) = self.ws_workspace_id else { return Ok((self.user, None)) };
        let decode = |e: String| sqlx::Error::Decode(e.into());
        let membership = ActiveMembership {
            workspace_id,
            name: self.ws_name.unwrap_or_default(),
            role: Role::try_from(self.ws_role.unwrap_or_default()).map_err(decode)?,
            suspended: self.ws_suspended.unwrap_or_default(),
            brand_colour: self.ws_brand_colour.unwrap_or_default(),
            logo: self.ws_logo.unwrap_or_default(),
            hide_powered_by: self.ws_hide_powered_by.unwrap_or_default(),
            placement: self.ws_placement.unwrap_or_default(),
            moving: self.ws_moving.unwrap_or_default(),
            approval: Mode::try_from(self.ws_approval.unwrap_or_default()).map_err(decode)?,
            billing_past_due_since: self.ws_billing_past_due_since,
        };
        Ok((self.user, Some(membership)))
    }
}

/// Most recently used first, never-used last (written out because the two
/// backends sort NULLs on opposite ends), then the one joined first.
const RECENT_FIRST: &str = "(m.last_used_at IS NULL), m.last_used_at DESC";

/// The workspace a person falls back to (after signing in, say): the one
/// they used last, or else the one they joined first.
pub async fn first_membership(db: &Db, user_id: Uuid) -> sqlx::Result<Option<ActiveMembership>> {
    let sql = format!(
        "{} WHERE m.user_id = $1 AND {KEPT} ORDER BY {RECENT_FIRST}, m.created_at, m.workspace_id LIMIT 1",
        *ACTIVE
    );
    fetch_optional!(db, ActiveMembership, &sql, user_id)
}

/// Every workspace of a person for the navbar's switcher, most recently
/// used first and then by name.
pub async fn memberships_of(db: &Db, user_id: Uuid) -> sqlx::Result<Vec<Membership>> {
    fetch_all!(db, Membership, &memberships_sql(), user_id)
}

/// The navbar switcher's share of a person's other workspaces, in an open
/// transaction (the global side of the active one's): the `recent` used
/// last, most recent first, then the rest, `size` in all. An agency's staff
/// may belong to hundreds; reading them all on every page cost more than
/// the page.
pub async fn switcher_in(
    tx: &mut Tx,
    user_id: Uuid,
    active: Uuid,
    recent: usize,
    size: usize,
) -> sqlx::Result<Vec<Membership>> {
    let sql = switcher_sql("");
    let rows = fetch_all!(tx, SwitcherRow, &sql, user_id, active, recent as i64, size as i64)?;
    Ok(in_switcher_order(rows))
}

#[derive(sqlx::FromRow)]
struct SwitcherRow {
    recently_used: bool,
    #[sqlx(flatten)]
    membership: Membership,
}

#[derive(sqlx::FromRow)]
struct WithUnread {
    #[sqlx(flatten)]
    row: SwitcherRow,
    unread: i64,
}

/// `switcher_in` carrying the bell's figure (`notices::unread_count`) on
/// each row: one round trip on every page instead of two. Only for a
/// workspace whose rows share the main database; the figure is `None` when
/// there is no other workspace to carry it.
pub async fn switcher_with_unread(
    tx: &mut WorkspaceTx,
    user_id: Uuid,
    recent: usize,
    size: usize,
) -> sqlx::Result<(Vec<Membership>, Option<i64>)> {
    let active = tx.workspace_id();
    let sql = switcher_sql(&format!(", ({}) AS unread", super::notices::UNREAD));
    let rows = fetch_all!(tx, WithUnread, &sql, user_id, active, recent as i64, size as i64)?;
    let unread = rows.first().map(|r| r.unread);
    Ok((in_switcher_order(rows.into_iter().map(|r| r.row).collect()), unread))
}

/// Two index walks of the person's memberships: the `$3` used last, and the
/// first `$4` by name (which may repeat some of those; `in_switcher_order`
/// drops the repeats). Ranking every membership in one window cost a quarter
/// of a page's time on SQLite for a person in 100 workspaces.
fn switcher_sql(extra: &str) -> String {
    let columns = "m.workspace_id, w.name, m.role, w.brand_colour, w.logo, m.last_used_at";
    let from = format!(
        "FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND m.workspace_id <> $2 AND {KEPT}"
    );
    format!(
        "SELECT s.*{extra} FROM ( \
           SELECT * FROM (SELECT TRUE AS recently_used, {columns} {from} AND m.last_used_at IS NOT NULL \
                          ORDER BY m.last_used_at DESC LIMIT $3) r \
           UNION ALL \
           SELECT * FROM (SELECT FALSE, {columns} {from} ORDER BY LOWER(w.name), w.id LIMIT $4) n) s"
    )
}

/// The recently used first (most recent first), then the others without
/// the ones already listed; the layout sorts the others by name itself.
fn in_switcher_order(rows: Vec<SwitcherRow>) -> Vec<Membership> {
    let (recent, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.recently_used);
    let mut list: Vec<Membership> = recent.into_iter().map(|r| r.membership).collect();
    list.sort_by_key(|m| std::cmp::Reverse(m.last_used_at));
    let listed: Vec<Uuid> = list.iter().map(|m| m.workspace_id).collect();
    list.extend(others.into_iter().map(|r| r.membership).filter(|m| !listed.contains(&m.workspace_id)));
    list
}

fn memberships_sql() -> String {
    format!(
        "SELECT m.workspace_id, w.name, m.role, w.brand_colour, w.logo, m.last_used_at \
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND {KEPT} ORDER BY {RECENT_FIRST}, LOWER(w.name), w.id"
    )
}

/// Records that the person opened this workspace now, for the switcher's
/// order and the workspace they land in after signing in.
pub async fn touch(db: &Db, user_id: Uuid, workspace_id: Uuid) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    execute!(
        db,
        "UPDATE memberships SET last_used_at = $3 WHERE user_id = $1 AND workspace_id = $2",
        user_id,
        workspace_id,
        now
    )
    .map(drop)
}

/// Every workspace of a person, by name, with its member count.
pub async fn workspaces_of(db: &Db, user_id: Uuid) -> sqlx::Result<Vec<WorkspaceSummary>> {
    fetch_all!(
        db,
        WorkspaceSummary,
        "SELECT w.id, w.name, m.role, \
                (SELECT COUNT(*) FROM memberships c WHERE c.workspace_id = w.id) AS members, w.last_active_at \
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND w.delete_after IS NULL ORDER BY LOWER(w.name), w.id",
        user_id,
    )
}

/// How many workspaces this person owns, and whether they are a platform
/// admin. Workspaces scheduled for deletion do not count: deleting one is
/// how an owner at the cap makes room (restoring one checks the cap again).
pub async fn ownership_of(db: &Db, user_id: Uuid) -> sqlx::Result<(i64, bool)> {
    let row: Option<(i64, bool)> = fetch_optional!(
        db,
        (i64, bool),
        "SELECT (SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
           WHERE m.user_id = u.id AND m.role = 'owner' AND w.delete_after IS NULL), u.is_platform_admin \
         FROM users u WHERE u.id = $1",
        user_id
    )?;
    Ok(row.unwrap_or((0, false)))
}

/// Creates the workspace `tx` is scoped to, with `owner` as its owner and
/// default settings, its rows in the database `placement` names. Placed
/// apart from main, that database gets an anchor copy of the `workspaces`
/// row (for the foreign keys of the workspace's own tables).
pub async fn create(tx: &mut WorkspaceTx, name: &str, owner: Uuid, plan: &str, placement: &str) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    let id = tx.workspace_id();
    execute!(
        tx.global().await?,
        "INSERT INTO workspaces (id, name, created_by, created_at, plan, placement) VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        name,
        owner,
        now,
        plan,
        placement,
    )?;
    execute!(
        tx.global().await?,
        "INSERT INTO memberships (workspace_id, user_id, role, created_at, last_used_at) VALUES ($1, $2, $3, $4, $4)",
        id,
        owner,
        Role::Owner.as_str(),
        now,
    )?;
    if tx.is_placed_apart() {
        add_anchor(tx, name, now).await?;
    }
    settings::queries::create_defaults(tx, name).await
}

/// The anchor copy of a workspace's `workspaces` row in the database that
/// holds its rows: only what the foreign keys need (no person, no plan).
pub async fn add_anchor(tx: &mut WorkspaceTx, name: &str, created_at: OffsetDateTime) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        id,
        name,
        created_at
    )
    .map(drop)
}

/// Records that the workspace changed something (at most once a minute).
pub async fn mark_active(tx: &mut crate::db::WorkspaceTx) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    let now = time::OffsetDateTime::now_utc();
    execute!(
        tx.global().await?,
        "UPDATE workspaces SET last_active_at = $2 WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < $3)",
        id,
        now,
        now - time::Duration::minutes(1)
    )
    .map(drop)
}
