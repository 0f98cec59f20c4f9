//! SQL about workspaces and memberships (global tables).

use time::OffsetDateTime;
use uuid::Uuid;

use super::permissions::Role;
use crate::{
    db::{
        Db, WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    settings,
};

/// A workspace as one of its members sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Membership {
    pub workspace_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WorkspaceSummary {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub members: i64,
}

impl WorkspaceSummary {
    pub fn initial(&self) -> String {
        crate::web::layout::initial(&self.name)
    }
}

pub async fn membership(db: &Db, user_id: Uuid, workspace_id: Uuid) -> sqlx::Result<Option<Membership>> {
    fetch_optional!(
        db,
        Membership,
        "SELECT m.workspace_id, w.name, m.role FROM memberships m \
         JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND m.workspace_id = $2",
        user_id,
        workspace_id,
    )
}

/// The workspace a person falls back to: the one they joined first.
pub async fn first_membership(db: &Db, user_id: Uuid) -> sqlx::Result<Option<Membership>> {
    fetch_optional!(
        db,
        Membership,
        "SELECT m.workspace_id, w.name, m.role FROM memberships m \
         JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 ORDER BY m.created_at, m.workspace_id LIMIT 1",
        user_id,
    )
}

/// Every workspace of a person, by name, for the navbar's switcher.
pub async fn memberships_of(db: &Db, user_id: Uuid) -> sqlx::Result<Vec<Membership>> {
    fetch_all!(
        db,
        Membership,
        "SELECT m.workspace_id, w.name, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 ORDER BY LOWER(w.name), w.id",
        user_id,
    )
}

/// Every workspace of a person, by name, with its member count.
pub async fn workspaces_of(db: &Db, user_id: Uuid) -> sqlx::Result<Vec<WorkspaceSummary>> {
    fetch_all!(
        db,
        WorkspaceSummary,
        "SELECT w.id, w.name, m.role, \
                (SELECT COUNT(*) FROM memberships c WHERE c.workspace_id = w.id) AS members \
         FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 ORDER BY LOWER(w.name), w.id",
        user_id,
    )
}

/// Creates the workspace `tx` is scoped to, with `owner` as its owner and
/// default settings.
pub async fn create(tx: &mut WorkspaceTx, name: &str, owner: Uuid) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspaces (id, name, created_by, created_at) VALUES ($1, $2, $3, $4)",
        id,
        name,
        owner,
        now,
    )?;
    execute!(
        tx,
        "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        id,
        owner,
        Role::Owner.as_str(),
        now,
    )?;
    settings::queries::create_defaults(tx, name).await
}
