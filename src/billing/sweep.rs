//! Subscriptions canceled before their paid period was over keep their plan
//! until then; this returns their workspaces to Free when it is. Every
//! instance may run it: each ending is claimed by one update.

use std::time::Duration;

use time::OffsetDateTime;

use super::{
    apply::{self, FREE, Outcome},
    queries,
};
use crate::db::{AdminTx, Databases};

const EVERY: Duration = Duration::from_secs(60);

/// Once now, then every minute.
pub async fn keep_ending(databases: Databases) {
    loop {
        if let Err(e) = end_due(&databases).await {
            tracing::warn!(error = %e, "could not end the subscriptions that are due");
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Moves every workspace whose canceled subscription's period is over to Free.
pub async fn end_due(databases: &Databases) -> anyhow::Result<usize> {
    let mut tx = AdminTx::begin(databases.main()).await?;
    let due = queries::due_downgrades(&mut tx, OffsetDateTime::now_utc()).await?;
    tx.commit().await?;
    let mut ended = 0;
    for (ws, at) in due {
        let mut tx = AdminTx::begin(databases.main()).await?;
        let Some(standing) = queries::standing(&mut tx, ws).await? else { continue };
        if !queries::claim_downgrade(&mut tx, ws, at).await? {
            continue;
        }
        let mut outcome = Outcome { workspace: Some(ws), ..Outcome::default() };
        apply::change_plan(&mut tx, ws, &standing, FREE, "the canceled subscription's period ended", &mut outcome)
            .await?;
        apply::commit(databases, tx, &outcome).await?;
        ended += 1;
    }
    Ok(ended)
}
