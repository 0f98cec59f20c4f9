//! The dashboard's figures of each workspace (images, storage, posts ahead,
//! usage this month), read from the database that holds its rows: `main`
//! knows who and what a workspace is, its own database what is in it. A
//! database that does not answer marks its workspaces unavailable instead
//! of breaking the page.

use std::{collections::HashMap, time::Duration};

use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::{self, WorkspaceRow};
use crate::{
    config::MAIN,
    db::{AdminTx, Databases, Db, query::fetch_all},
};

/// How long the dashboard waits for a database before it shows that
/// database's workspaces as unavailable.
const PATIENCE: Duration = Duration::from_secs(3);

#[derive(sqlx::FromRow)]
struct Figures {
    id: Uuid,
    images: i64,
    storage_bytes: i64,
    posts_ahead: i64,
    ai_month: i64,
    publer_month: i64,
}

const FIGURES: &str = "SELECT w.id, \
       COALESCE((SELECT u.image_count FROM workspace_usage u WHERE u.workspace_id = w.id), 0) AS images, \
       COALESCE((SELECT u.storage_bytes FROM workspace_usage u WHERE u.workspace_id = w.id), 0) AS storage_bytes, \
       (SELECT COUNT(*) FROM events e WHERE e.workspace_id = w.id AND e.starts_at >= $1) AS posts_ahead, \
       COALESCE((SELECT mu.ai_generations FROM monthly_usage mu \
         WHERE mu.workspace_id = w.id AND mu.month = $2), 0) AS ai_month, \
       COALESCE((SELECT mu.publer_posts FROM monthly_usage mu \
         WHERE mu.workspace_id = w.id AND mu.month = $2), 0) AS publer_month \
     FROM workspaces w";

async fn read(tx: &mut AdminTx) -> sqlx::Result<Vec<Figures>> {
    fetch_all!(tx, Figures, FIGURES, OffsetDateTime::now_utc(), crate::usage::this_month())
}

/// The figures of one database other than `main`, within `PATIENCE`.
async fn read_elsewhere(db: &Db) -> anyhow::Result<Vec<Figures>> {
    let work = async {
        let mut tx = AdminTx::begin(db).await?;
        let figures = read(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(figures)
    };
    Ok(tokio::time::timeout(PATIENCE, work).await??)
}

/// Adds each row's figures from its database; `tx` is the admin's
/// transaction on `main`.
pub async fn fill(tx: &mut AdminTx, databases: &Databases, rows: &mut [WorkspaceRow]) -> sqlx::Result<()> {
    for (name, db) in databases.all() {
        if !rows.iter().any(|r| r.placement == name) {
            continue;
        }
        let figures = if name == MAIN { Ok(read(tx).await?) } else { read_elsewhere(db).await };
        let figures: HashMap<Uuid, Figures> = match figures {
            Ok(list) => list.into_iter().map(|f| (f.id, f)).collect(),
            Err(e) => {
                tracing::warn!(database = name, error = %e, "a workspace database did not answer the dashboard");
                rows.iter_mut().filter(|r| r.placement == name).for_each(|r| r.unavailable = true);
                continue;
            }
        };
        for row in rows.iter_mut().filter(|r| r.placement == name) {
            if let Some(f) = figures.get(&row.id) {
                (row.images, row.storage_bytes, row.posts_ahead) = (f.images, f.storage_bytes, f.posts_ahead);
                (row.ai_month, row.publer_month) = (f.ai_month, f.publer_month);
            }
        }
    }
    // A placement no configured database answers to.
    for row in rows.iter_mut().filter(|r| databases.by_name(&r.placement).is_err()) {
        row.unavailable = true;
    }
    Ok(())
}

/// Every workspace whose name or owner contains `search`, with its
/// figures, sorted by one of `queries::SORTS` (then by id).
pub async fn dashboard_rows(
    tx: &mut AdminTx,
    databases: &Databases,
    search: &str,
    sort: &str,
    descending: bool,
) -> sqlx::Result<Vec<WorkspaceRow>> {
    let mut rows = queries::workspaces(tx, search).await?;
    fill(tx, databases, &mut rows).await?;
    sort_rows(&mut rows, sort, descending);
    Ok(rows)
}

/// One workspace's line, with its figures.
pub async fn row(tx: &mut AdminTx, databases: &Databases, id: Uuid) -> sqlx::Result<Option<WorkspaceRow>> {
    let Some(row) = queries::workspace(tx, id).await? else { return Ok(None) };
    let mut rows = [row];
    fill(tx, databases, &mut rows).await?;
    let [row] = rows;
    Ok(Some(row))
}

fn status(r: &WorkspaceRow) -> u8 {
    if r.delete_after.is_some() {
        2
    } else if r.suspended {
        1
    } else {
        0
    }
}

fn sort_rows(rows: &mut [WorkspaceRow], sort: &str, descending: bool) {
    rows.sort_by(|a, b| {
        let order = match sort {
            "owner" => lower(a.owner.as_deref()).cmp(&lower(b.owner.as_deref())),
            "plan" => a.plan.cmp(&b.plan),
            "members" => a.members.cmp(&b.members),
            "images" => a.images.cmp(&b.images),
            "storage" => a.storage_bytes.cmp(&b.storage_bytes),
            "ahead" => a.posts_ahead.cmp(&b.posts_ahead),
            "ai" => a.ai_month.cmp(&b.ai_month),
            "publer" => a.publer_month.cmp(&b.publer_month),
            "activity" => a.last_active_at.cmp(&b.last_active_at),
            "status" => status(a).cmp(&status(b)),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(a.id.cmp(&b.id))
    });
}

fn lower(s: Option<&str>) -> String {
    s.unwrap_or_default().to_lowercase()
}
