//! Daily usage snapshots: each workspace's figures, recorded once an hour
//! for the current day (UTC), so the admin page can chart them over time;
//! once per hour for the whole cluster, not once per instance.

use std::time::Duration;

use super::queries;
use crate::{
    config::MAIN,
    db::{AdminTx, Databases, cluster},
};

/// Today, as snapshots name days: `YYYY-MM-DD` in UTC.
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

/// The day `days` before today.
pub fn days_ago(days: i64) -> String {
    let then = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", then.year(), u8::from(then.month()), then.day())
}

/// Records today's figures of every workspace, each in the database that
/// holds its rows; returns how many. A database that does not answer is
/// skipped (its workspaces get no snapshot this hour).
pub async fn take(databases: &Databases) -> anyhow::Result<usize> {
    let mut tx = AdminTx::begin(databases.main()).await?;
    let rows = super::figures::dashboard_rows(&mut tx, databases, "", "name", false).await?;
    let day = today();
    let mut taken = 0;
    for row in rows.iter().filter(|r| r.placement == MAIN && !r.unavailable) {
        queries::save_snapshot(&mut tx, row, &day).await?;
        taken += 1;
    }
    tx.commit().await?;
    for (name, db) in databases.all().into_iter().filter(|(name, _)| *name != MAIN) {
        let mine: Vec<_> = rows.iter().filter(|r| r.placement == name && !r.unavailable).collect();
        if mine.is_empty() {
            continue;
        }
        let mut tx = AdminTx::begin(db).await?;
        for row in &mine {
            queries::save_snapshot(&mut tx, row, &day).await?;
        }
        tx.commit().await?;
        taken += mine.len();
    }
    Ok(taken)
}

/// A workspace's snapshots of the last 30 days, from its database (none
/// when that database does not answer).
pub async fn history(
    tx: &mut AdminTx,
    databases: &Databases,
    row: &queries::WorkspaceRow,
) -> sqlx::Result<Vec<queries::Snapshot>> {
    let since = days_ago(29);
    if row.placement == MAIN {
        return queries::snapshots(tx, row.id, &since).await;
    }
    let Ok(db) = databases.by_name(&row.placement) else { return Ok(Vec::new()) };
    if row.unavailable {
        return Ok(Vec::new());
    }
    let mut other = AdminTx::begin(db).await?;
    let found = queries::snapshots(&mut other, row.id, &since).await?;
    other.commit().await?;
    Ok(found)
}

/// Takes a snapshot every hour for the whole cluster, for as long as Easel
/// runs: whichever instance claims the hour takes it (DESIGN §9).
pub async fn keep_taking(databases: Databases, lease: Duration) {
    let main = databases.main().clone();
    cluster::keep_doing(main, "usage snapshots", Duration::from_secs(3600), lease, move || {
        let databases = databases.clone();
        async move { take(&databases).await.map(drop) }
    })
    .await;
}
