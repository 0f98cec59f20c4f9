//! SQL of members and invitations. These tables are global (a person's
//! memberships span workspaces), so every function takes the workspace from
//! a `WorkspaceTx` and names it in its `WHERE`.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        Db, WorkspaceTx,
        query::{execute, fetch_all, fetch_optional, fetch_scalar},
    },
    tenancy::Role,
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub joined_at: OffsetDateTime,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub invited_by_name: Option<String>,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// The workspace's branding, for its invitation page.
    pub brand_colour: String,
    pub logo: String,
}

const INVITATION_SELECT: &str = "SELECT i.id, i.workspace_id, w.name AS workspace_name, i.email, i.role, \
       u.name AS invited_by_name, i.expires_at, i.accepted_at, i.revoked_at, w.brand_colour, w.logo \
     FROM invitations i JOIN workspaces w ON w.id = i.workspace_id LEFT JOIN users u ON u.id = i.invited_by";

pub async fn members(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Member>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx.global().await?,
        Member,
        "SELECT u.id AS user_id, u.name, u.email, m.role, m.created_at AS joined_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.created_at, u.id",
        ws
    )
}

pub async fn member(tx: &mut WorkspaceTx, user_id: Uuid) -> sqlx::Result<Option<Member>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx.global().await?,
        Member,
        "SELECT u.id AS user_id, u.name, u.email, m.role, m.created_at AS joined_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND m.user_id = $2",
        ws,
        user_id
    )
}

pub async fn owner_count(tx: &mut WorkspaceTx) -> sqlx::Result<i64> {
    let ws = tx.workspace_id();
    fetch_scalar!(
        tx.global().await?,
        i64,
        "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'",
        ws
    )
}

pub async fn set_role(tx: &mut WorkspaceTx, user_id: Uuid, role: Role) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx.global().await?,
        "UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2",
        ws,
        user_id,
        role.as_str()
    )
}

/// Ends a membership, and the person's calendar feed addresses with it (in
/// the workspace's database: the feeds' rows live there, the membership in
/// `main`).
pub async fn remove(tx: &mut WorkspaceTx, user_id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM calendar_feeds WHERE workspace_id = $1 AND created_by = $2", ws, user_id)?;
    execute!(tx.global().await?, "DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2", ws, user_id)
}

/// Adds a member, or leaves an existing membership as it is.
pub async fn add(tx: &mut WorkspaceTx, user_id: Uuid, role: Role) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx.global().await?,
        "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workspace_id, user_id) DO NOTHING",
        ws,
        user_id,
        role.as_str(),
        OffsetDateTime::now_utc()
    )
}

/// Invitations not yet accepted or revoked, newest first.
pub async fn pending(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Invitation>> {
    let ws = tx.workspace_id();
    let sql = format!(
        "{INVITATION_SELECT} WHERE i.workspace_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
         ORDER BY i.created_at DESC, i.id"
    );
    fetch_all!(tx.global().await?, Invitation, &sql, ws)
}

pub async fn invitation(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Invitation>> {
    let ws = tx.workspace_id();
    let sql = format!("{INVITATION_SELECT} WHERE i.workspace_id = $1 AND i.id = $2");
    fetch_optional!(tx.global().await?, Invitation, &sql, ws, id)
}

/// The invitation a token opens, in whatever state (a global lookup: the
/// token is all a stranger has).
pub async fn by_token(db: &Db, token_hash: &str) -> sqlx::Result<Option<Invitation>> {
    // A workspace scheduled for deletion takes nobody in: its link is dead.
    let sql = format!("{INVITATION_SELECT} WHERE i.token_hash = $1 AND w.delete_after IS NULL");
    fetch_optional!(db, Invitation, &sql, token_hash)
}

/// The newest usable invitation for an email, in any workspace (for a person
/// whose first sign-in is through a provider).
pub async fn pending_for_email(db: &Db, email: &str) -> sqlx::Result<Option<Invitation>> {
    let sql = format!(
        "{INVITATION_SELECT} WHERE i.email = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
         AND w.delete_after IS NULL \
         AND i.expires_at > $2 ORDER BY i.created_at DESC LIMIT 1"
    );
    fetch_optional!(db, Invitation, &sql, email, OffsetDateTime::now_utc())
}

pub async fn create(
    tx: &mut WorkspaceTx,
    email: &str,
    role: Role,
    token_hash: &str,
    invited_by: Uuid,
    expires_at: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    execute!(
        tx.global().await?,
        "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        ws,
        email,
        role.as_str(),
        token_hash,
        invited_by,
        OffsetDateTime::now_utc(),
        expires_at
    )?;
    Ok(id)
}

/// A new token for a pending invitation: the old link stops working.
pub async fn renew(tx: &mut WorkspaceTx, id: Uuid, token_hash: &str, expires_at: OffsetDateTime) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx.global().await?,
        "UPDATE invitations SET token_hash = $3, expires_at = $4 \
         WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
        ws,
        id,
        token_hash,
        expires_at
    )
}

pub async fn revoke(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx.global().await?,
        "UPDATE invitations SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL \
         AND revoked_at IS NULL",
        ws,
        id,
        OffsetDateTime::now_utc()
    )
}

/// Marks the invitation used; false when it was used or withdrawn meanwhile.
pub async fn mark_accepted(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let done = execute!(
        tx.global().await?,
        "UPDATE invitations SET accepted_at = $3 WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL \
         AND revoked_at IS NULL",
        ws,
        id,
        OffsetDateTime::now_utc()
    )?;
    Ok(done == 1)
}
