//! The cross-workspace SQL of the admin module, all in `AdminTx`.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    AdminTx,
    query::{execute, fetch_all, fetch_optional},
};

/// One workspace's line on the dashboard.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: Uuid,
    pub name: String,
    pub owner: Option<String>,
    pub plan: String,
    pub members: i64,
    #[sqlx(default)]
    pub images: i64,
    #[sqlx(default)]
    pub storage_bytes: i64,
    #[sqlx(default)]
    pub posts_ahead: i64,
    #[sqlx(default)]
    pub ai_month: i64,
    #[sqlx(default)]
    pub publer_month: i64,
    pub last_active_at: Option<OffsetDateTime>,
    pub suspended: bool,
    /// Scheduled for deletion: when it is purged.
    pub delete_after: Option<OffsetDateTime>,
    /// Who scheduled it (an email; their account may be gone).
    pub deletion_requested_by: String,
    /// The database holding its rows.
    pub placement: String,
    /// A plan set by hand that billing does not change.
    pub complimentary_plan: bool,
    /// Since when its payment has been failing (billing's grace runs from here).
    pub billing_past_due_since: Option<OffsetDateTime>,
    /// Its database did not answer: its figures are unknown (shown as 0).
    #[sqlx(default)]
    pub unavailable: bool,
}

impl WorkspaceRow {
    /// When a scheduled workspace goes, for its status.
    pub fn goes_on(&self) -> Option<String> {
        self.delete_after.map(crate::tenancy::deletion::when)
    }
}

/// The global half of a line: everything `main` knows. The figures (images,
/// posts, usage) live with each workspace's rows: see `admin::figures`.
const ROWS: &str = "SELECT w.id, w.name, \
       (SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.workspace_id = w.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1) AS owner, \
       w.plan, (SELECT COUNT(*) FROM memberships m WHERE m.workspace_id = w.id) AS members, \
       w.last_active_at, w.suspended_at IS NOT NULL AS suspended, w.delete_after, w.deletion_requested_by, \
       w.placement, w.complimentary_plan, w.billing_past_due_since \
     FROM workspaces w";

/// The keys the dashboard may sort by.
pub const SORTS: [&str; 11] =
    ["name", "owner", "plan", "members", "images", "storage", "ahead", "ai", "publer", "activity", "status"];

/// Every workspace whose name or owner contains `search` (global columns
/// only; `admin::figures` adds the rest and sorts).
pub async fn workspaces(tx: &mut AdminTx, search: &str) -> sqlx::Result<Vec<WorkspaceRow>> {
    let sql = format!(
        "{ROWS} WHERE ($1 = '' OR LOWER(w.name) LIKE $1 ESCAPE '\\' \
           OR LOWER(COALESCE((SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = w.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1), '')) LIKE $1 ESCAPE '\\') \
         ORDER BY w.id"
    );
    let pattern = if search.is_empty() { String::new() } else { format!("%{}%", escape_like(&search.to_lowercase())) };
    fetch_all!(tx, WorkspaceRow, &sql, pattern)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub async fn workspace(tx: &mut AdminTx, id: Uuid) -> sqlx::Result<Option<WorkspaceRow>> {
    let sql = format!("{ROWS} WHERE w.id = $1");
    fetch_optional!(tx, WorkspaceRow, &sql, id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: OffsetDateTime,
}

pub async fn members(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<Vec<Member>> {
    fetch_all!(
        tx,
        Member,
        "SELECT u.name, u.email, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email",
        workspace
    )
}

/// A workspace's own limits (NULL: the plan's; negative: no limit).
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct CustomLimits {
    pub custom_max_images: Option<i64>,
    pub custom_max_storage_bytes: Option<i64>,
    pub custom_max_members: Option<i64>,
    pub custom_max_ai_generations: Option<i64>,
    pub custom_max_publer_posts: Option<i64>,
    pub custom_can_hide_branding: Option<bool>,
}

pub async fn custom_limits(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<CustomLimits> {
    Ok(fetch_optional!(
        tx,
        CustomLimits,
        "SELECT custom_max_images, custom_max_storage_bytes, custom_max_members, custom_max_ai_generations, \
           custom_max_publer_posts, custom_can_hide_branding FROM workspaces WHERE id = $1",
        workspace
    )?
    .unwrap_or_default())
}

pub async fn set_custom_limits(tx: &mut AdminTx, workspace: Uuid, c: &CustomLimits) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE workspaces SET custom_max_images = $2, custom_max_storage_bytes = $3, custom_max_members = $4, \
           custom_max_ai_generations = $5, custom_max_publer_posts = $6, custom_can_hide_branding = $7 WHERE id = $1",
        workspace,
        c.custom_max_images,
        c.custom_max_storage_bytes,
        c.custom_max_members,
        c.custom_max_ai_generations,
        c.custom_max_publer_posts,
        c.custom_can_hide_branding
    )
}

/// Sets a plan by hand; `complimentary` keeps billing from changing it.
pub async fn set_plan(tx: &mut AdminTx, workspace: Uuid, plan: &str, complimentary: bool) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE workspaces SET plan = $2, complimentary_plan = $3 WHERE id = $1",
        workspace,
        plan,
        complimentary
    )
}

pub async fn set_suspended(tx: &mut AdminTx, workspace: Uuid, suspended: bool) -> sqlx::Result<u64> {
    let at = suspended.then(OffsetDateTime::now_utc);
    execute!(tx, "UPDATE workspaces SET suspended_at = $2 WHERE id = $1", workspace, at)
}

pub async fn set_platform_admin(tx: &mut AdminTx, email: &str, admin: bool) -> sqlx::Result<bool> {
    let changed = execute!(
        tx,
        "UPDATE users SET is_platform_admin = $2 WHERE email = $1 AND is_platform_admin <> $2",
        email,
        admin
    )?;
    Ok(changed == 1)
}

/// Whether the person with that email is a platform admin, and whether
/// they confirmed the address; `None` when nobody has that email.
pub async fn admin_standing(tx: &mut AdminTx, email: &str) -> sqlx::Result<Option<(bool, bool)>> {
    fetch_optional!(
        tx,
        (bool, bool),
        "SELECT is_platform_admin, email_verified_at IS NOT NULL FROM users WHERE email = $1",
        email
    )
}

/// Appends to the platform audit log.
pub async fn record(
    tx: &mut AdminTx,
    actor: Option<Uuid>,
    actor_email: &str,
    action: &str,
    workspace: Option<(Uuid, &str)>,
    detail: &str,
) -> sqlx::Result<()> {
    execute!(
        tx,
        "INSERT INTO platform_audit (id, actor_id, actor_email, action, workspace_id, workspace_name, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        actor,
        actor_email,
        action,
        workspace.map(|(id, _)| id),
        workspace.map_or("", |(_, name)| name),
        detail,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditEntry {
    pub actor_email: String,
    pub action: String,
    pub workspace_id: Option<Uuid>,
    pub workspace_name: String,
    pub detail: String,
    pub created_at: OffsetDateTime,
}

pub async fn audit(tx: &mut AdminTx, limit: i64, offset: i64) -> sqlx::Result<Vec<AuditEntry>> {
    fetch_all!(
        tx,
        AuditEntry,
        "SELECT actor_email, action, workspace_id, workspace_name, detail, created_at FROM platform_audit \
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
        limit,
        offset
    )
}

/// One day of a workspace's figures.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Snapshot {
    pub day: String,
    pub images: i64,
    pub storage_bytes: i64,
    pub members: i64,
    pub posts_ahead: i64,
    pub ai_generations: i64,
    pub publer_posts: i64,
}

pub async fn snapshots(tx: &mut AdminTx, workspace: Uuid, since: &str) -> sqlx::Result<Vec<Snapshot>> {
    fetch_all!(
        tx,
        Snapshot,
        "SELECT day, images, storage_bytes, members, posts_ahead, ai_generations, publer_posts FROM usage_snapshots \
         WHERE workspace_id = $1 AND day >= $2 ORDER BY day",
        workspace,
        since
    )
}

pub async fn save_snapshot(tx: &mut AdminTx, row: &WorkspaceRow, day: &str) -> sqlx::Result<()> {
    execute!(
        tx,
        "INSERT INTO usage_snapshots (workspace_id, day, images, storage_bytes, members, posts_ahead, ai_generations, \
           publer_posts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workspace_id, day) DO UPDATE SET \
           images = excluded.images, storage_bytes = excluded.storage_bytes, members = excluded.members, \
           posts_ahead = excluded.posts_ahead, ai_generations = excluded.ai_generations, \
           publer_posts = excluded.publer_posts",
        row.id,
        day,
        row.images,
        row.storage_bytes,
        row.members,
        row.posts_ahead,
        row.ai_month,
        row.publer_month
    )
    .map(drop)
}
