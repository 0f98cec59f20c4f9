//! Daily usage snapshots: each workspace's figures, recorded once an hour
//! for the current day (UTC), so the admin page can chart them over time;
//! once per hour for the whole cluster, not once per instance.

use std::time::Duration;

use super::queries;
use crate::db::{AdminTx, Db, cluster};

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

/// Records today's figures of every workspace; returns how many.
pub async fn take(db: &Db) -> anyhow::Result<usize> {
    let mut tx = AdminTx::begin(db).await?;
    let rows = queries::workspaces(&mut tx, "", "name", false).await?;
    let day = today();
    for row in &rows {
        queries::save_snapshot(&mut tx, row, &day).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Takes a snapshot every hour for the whole cluster, for as long as Easel
/// runs: whichever instance claims the hour takes it (DESIGN §9).
pub async fn keep_taking(db: Db, lease: Duration) {
    let taking = db.clone();
    cluster::keep_doing(db, "usage snapshots", Duration::from_secs(3600), lease, move || {
        let db = taking.clone();
        async move { take(&db).await.map(drop) }
    })
    .await;
}
