//! The agency overview on `/workspaces`: for each of the person's workspaces
//! the posts of the next 7 days, drafts that need work, failed sends and the
//! last activity, each read through that workspace's own transaction (its
//! rows may live in another database).

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::queries::WorkspaceSummary;
use crate::{
    db::{Databases, WorkspaceTx, query::fetch_one},
    error::AppResult,
};

/// At most this many workspaces get figures on one page view (an agency
/// with more sees the rest listed without them): each costs a transaction.
pub const WITH_FIGURES: usize = 100;

/// What needs attention in one workspace.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Figures {
    pub next_week: i64,
    pub drafts: i64,
    pub failed: i64,
}

/// A row of the overview.
pub struct Row {
    pub summary: WorkspaceSummary,
    pub figures: Option<Figures>,
}

/// How the overview is sorted (`?sort=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Name,
    NextWeek,
    Drafts,
    Failed,
    Activity,
}

impl Sort {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "next-week" => Self::NextWeek,
            "drafts" => Self::Drafts,
            "failed" => Self::Failed,
            "activity" => Self::Activity,
            _ => Self::Name,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NextWeek => "next-week",
            Self::Drafts => "drafts",
            Self::Failed => "failed",
            Self::Activity => "activity",
        }
    }
}

async fn figures_of(tx: &mut WorkspaceTx, now: OffsetDateTime) -> sqlx::Result<Figures> {
    let ws = tx.workspace_id();
    fetch_one!(
        tx,
        Figures,
        "SELECT (SELECT COUNT(*) FROM events WHERE workspace_id = $1 AND starts_at >= $2 AND starts_at < $3) \
                  AS next_week, \
                (SELECT COUNT(*) FROM events e WHERE e.workspace_id = $1 AND e.status = 'draft' AND (e.caption = '' \
                  OR NOT EXISTS (SELECT 1 FROM event_images x WHERE x.workspace_id = e.workspace_id \
                  AND x.event_id = e.id))) AS drafts, \
                (SELECT COUNT(*) FROM events e WHERE e.workspace_id = $1 AND (e.status = 'failed' OR EXISTS \
                  (SELECT 1 FROM publer_sends s WHERE s.workspace_id = e.workspace_id AND s.event_id = e.id \
                  AND s.state = 'failed'))) AS failed",
        ws,
        now,
        now + Duration::days(7)
    )
}

/// Figures for the first `WITH_FIGURES` workspaces (in the order given),
/// then the rows sorted as asked.
pub async fn rows(databases: &Databases, workspaces: Vec<WorkspaceSummary>, sort: Sort) -> AppResult<Vec<Row>> {
    let now = OffsetDateTime::now_utc();
    let mut rows = Vec::with_capacity(workspaces.len());
    for (n, summary) in workspaces.into_iter().enumerate() {
        let figures = match n < WITH_FIGURES {
            true => Some(read(databases, summary.id, now).await?),
            false => None,
        };
        rows.push(Row { summary, figures });
    }
    sort_rows(&mut rows, sort);
    Ok(rows)
}

async fn read(databases: &Databases, workspace: Uuid, now: OffsetDateTime) -> AppResult<Figures> {
    let mut tx = databases.workspace_tx(workspace, false).await?;
    let figures = figures_of(&mut tx, now).await?;
    tx.commit().await?;
    Ok(figures)
}

/// Busiest first for the counts, most recent first for activity; ties by name.
fn sort_rows(rows: &mut [Row], sort: Sort) {
    let count = |r: &Row| {
        r.figures.map_or(-1, |f| match sort {
            Sort::NextWeek => f.next_week,
            Sort::Drafts => f.drafts,
            Sort::Failed => f.failed,
            Sort::Name | Sort::Activity => 0,
        })
    };
    rows.sort_by(|a, b| {
        let by_name = || a.summary.name.to_lowercase().cmp(&b.summary.name.to_lowercase());
        match sort {
            Sort::Name => by_name(),
            Sort::Activity => b.summary.last_active_at.cmp(&a.summary.last_active_at).then_with(by_name),
            _ => count(b).cmp(&count(a)).then_with(by_name),
        }
    });
}
