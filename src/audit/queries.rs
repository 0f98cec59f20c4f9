//! SQL of the audit log. Rows are only ever added.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        WorkspaceTx,
        query::{and_each, execute, fetch_all},
    },
    tenancy::Workspace,
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Entry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
    pub created_at: OffsetDateTime,
}

/// Who did something, as the log remembers them: a person with an
/// account, or (with no id) a client reviewing through a review link.
pub struct Actor<'a> {
    pub id: Option<Uuid>,
    pub name: &'a str,
    pub ip: &'a str,
}

impl<'a> From<&'a Workspace> for Actor<'a> {
    fn from(ws: &'a Workspace) -> Self {
        Self { id: Some(ws.user().id), name: &ws.user().name, ip: ws.client_ip() }
    }
}

/// Records an action by the person behind `ws`, in the same transaction as
/// the change itself: both happen, or neither.
pub async fn record(
    tx: &mut WorkspaceTx,
    ws: &Workspace,
    action: &str,
    target: &str,
    detail: &str,
) -> sqlx::Result<()> {
    record_by(tx, Actor::from(ws), action, target, detail).await
}

/// Records an action by someone who is not (yet) a member, such as a person
/// accepting an invitation.
pub async fn record_by(
    tx: &mut WorkspaceTx,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> sqlx::Result<()> {
    let workspace = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO audit_log (workspace_id, id, actor_id, actor_name, action, target, detail, ip, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        workspace,
        Uuid::now_v7(),
        actor.id,
        actor.name,
        action,
        target,
        detail,
        actor.ip,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// One page of the log, newest first, optionally for one person or action.
pub async fn page(
    tx: &mut WorkspaceTx,
    person: Option<Uuid>,
    action: &str,
    before: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    let workspace = tx.workspace_id();
    let mut sql = String::from(
        "SELECT id, actor_id, actor_name, action, target, detail, ip, created_at FROM audit_log WHERE workspace_id = $1",
    );
    and_each(
        &mut sql,
        &[(person.is_some(), "actor_id = $2"), (!action.is_empty(), "action = $3"), (before.is_some(), "id < $4")],
    );
    sql.push_str(" ORDER BY id DESC LIMIT $5");
    fetch_all!(tx, Entry, &sql, workspace, person, action, before, limit)
}

/// The people who appear in the log, for its filter.
pub async fn actors(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<(Uuid, String)>> {
    let workspace = tx.workspace_id();
    fetch_all!(
        tx,
        (Uuid, String),
        "SELECT actor_id, MAX(actor_name) FROM audit_log WHERE workspace_id = $1 AND actor_id IS NOT NULL \
         GROUP BY actor_id ORDER BY MAX(actor_name)",
        workspace
    )
}
