//! Work that must happen once for the whole cluster, however many instances
//! share the database (DESIGN §9): a job is claimed in `cluster_jobs` with a
//! lease that the working instance renews, so only one instance does a due
//! job, and a dead instance's claim runs out and is taken over.
//!
//! On SQLite one process is the cluster; the same claims simply always win.

use std::{future::Future, sync::OnceLock, time::Duration};

use time::OffsetDateTime;

use super::{
    Db,
    query::{execute, fetch_optional},
};

/// This process, as leases name it: host, process id and a random tag (in
/// containers every instance may be pid 1, and a restarted one must not
/// mistake its predecessor's leases for its own).
pub fn instance() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "easel".into());
        let tag = uuid::Uuid::new_v4().simple().to_string();
        format!("{host} (pid {}) {}", std::process::id(), &tag[..8])
    })
}

/// `now + span`, saturating (a span comes from the configuration).
pub fn later(now: OffsetDateTime, span: Duration) -> OffsetDateTime {
    now.saturating_add(time::Duration::try_from(span).unwrap_or(time::Duration::days(1)))
}

/// Claims `job` for `lease` when no live lease holds it and it was last done
/// at least `every` ago (or never); true when this instance must do it now.
pub async fn claim_due(db: &Db, job: &str, every: Duration, lease: Duration) -> sqlx::Result<bool> {
    let now = OffsetDateTime::now_utc();
    let done_before = now.saturating_sub(time::Duration::try_from(every).unwrap_or(time::Duration::ZERO));
    let mut tx = db.begin_write().await?;
    execute!(tx, "INSERT INTO cluster_jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", job)?;
    // The conditions are checked on the row itself: of two instances
    // claiming at once, the second finds the first's lease.
    let claimed: Option<(String,)> = fetch_optional!(
        tx,
        (String,),
        "UPDATE cluster_jobs SET lease_until = $3, done_by = $4 WHERE name = $1 \
           AND (lease_until IS NULL OR lease_until < $2) AND (last_done_at IS NULL OR last_done_at <= $5) \
         RETURNING name",
        job,
        now,
        later(now, lease),
        instance(),
        done_before
    )?;
    tx.commit().await?;
    Ok(claimed.is_some())
}

/// Extends this instance's lease on `job`; false when it is no longer ours.
pub async fn renew(db: &Db, job: &str, lease: Duration) -> sqlx::Result<bool> {
    let until = later(OffsetDateTime::now_utc(), lease);
    let renewed = execute!(
        db,
        "UPDATE cluster_jobs SET lease_until = $2 WHERE name = $1 AND done_by = $3 AND lease_until IS NOT NULL",
        job,
        until,
        instance()
    )?;
    Ok(renewed == 1)
}

/// Gives the lease back; a job that `succeeded` is not due again for its interval.
pub async fn finish(db: &Db, job: &str, succeeded: bool) -> sqlx::Result<()> {
    let done = if succeeded {
        execute!(
            db,
            "UPDATE cluster_jobs SET lease_until = NULL, last_done_at = $3 WHERE name = $1 AND done_by = $2 \
               AND lease_until IS NOT NULL",
            job,
            instance(),
            OffsetDateTime::now_utc()
        )
    } else {
        execute!(
            db,
            "UPDATE cluster_jobs SET lease_until = NULL WHERE name = $1 AND done_by = $2 AND lease_until IS NOT NULL",
            job,
            instance()
        )
    };
    done.map(drop)
}

/// Runs `work` while renewing a lease every third of `lease` with `renew`;
/// `None` when the lease was lost (another instance took the work over, so
/// this one stops where it stands: every step of the work is conditional).
pub async fn holding<T, E, R, F>(lease: Duration, mut renew: R, work: impl Future<Output = T>) -> Option<T>
where
    E: std::fmt::Display,
    R: FnMut() -> F,
    F: Future<Output = Result<bool, E>>,
{
    let keep = async {
        loop {
            tokio::time::sleep(lease / 3).await;
            match renew().await {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup: keep working; a lost lease shows at the next renewal.
                Err(e) => tracing::warn!(error = %e, "could not renew a lease"),
            }
        }
    };
    tokio::select! {
        done = work => Some(done),
        () = keep => None,
    }
}

/// Does `job` every `every` for the whole cluster, for as long as Easel
/// runs: each instance looks at most every minute (sooner for shorter jobs),
/// and the one that claims a due job does it.
pub async fn keep_doing<F, W>(db: Db, job: &'static str, every: Duration, lease: Duration, mut work: W)
where
    W: FnMut() -> F,
    F: Future<Output = anyhow::Result<()>>,
{
    let look = every.min(Duration::from_secs(60)).max(Duration::from_secs(1));
    loop {
        match claim_due(&db, job, every, lease).await {
            Ok(true) => {
                let renewing = || renew(&db, job, lease);
                let succeeded = match holding(lease, renewing, work()).await {
                    Some(Ok(())) => true,
                    Some(Err(e)) => {
                        tracing::warn!(job, error = %e, "a cluster job failed; it is tried again soon");
                        false
                    }
                    None => {
                        tracing::warn!(job, "a cluster job lost its lease to another instance");
                        false
                    }
                };
                if let Err(e) = finish(&db, job, succeeded).await {
                    tracing::warn!(job, error = %e, "could not record a cluster job's end");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(job, error = %e, "could not look whether a cluster job is due"),
        }
        tokio::time::sleep(look).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn database() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("easel-cluster-{}", uuid::Uuid::new_v4().simple()));
        let db = Db::connect(&format!("sqlite://{}", dir.join("easel.db").display())).await.expect("db");
        db.migrate().await.expect("migrate");
        (db, dir)
    }

    const HOUR: Duration = Duration::from_secs(3600);
    const LEASE: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn a_due_job_is_claimed_once_until_done_or_its_lease_runs_out() {
        let (db, dir) = database().await;
        assert!(claim_due(&db, "snapshots", HOUR, LEASE).await.expect("claim"), "never done: due");
        assert!(!claim_due(&db, "snapshots", HOUR, LEASE).await.expect("claim"), "leased: not again");
        assert!(renew(&db, "snapshots", LEASE).await.expect("renew"));
        finish(&db, "snapshots", true).await.expect("finish");
        assert!(!claim_due(&db, "snapshots", HOUR, LEASE).await.expect("claim"), "done within the hour");
        assert!(claim_due(&db, "snapshots", Duration::ZERO, LEASE).await.expect("claim"), "due again");
        // Its instance died: the lease runs out and the job is taken over.
        let past = OffsetDateTime::now_utc() - time::Duration::minutes(5);
        execute!(&db, "UPDATE cluster_jobs SET lease_until = $1, done_by = 'a dead instance'", past).expect("expire");
        assert!(!renew(&db, "snapshots", LEASE).await.expect("renew"), "not ours");
        assert!(claim_due(&db, "snapshots", Duration::ZERO, LEASE).await.expect("claim"), "taken over");
        finish(&db, "snapshots", false).await.expect("finish");
        assert!(
            claim_due(&db, "snapshots", Duration::ZERO, LEASE).await.expect("claim"),
            "a failed run gives its lease back"
        );
        assert!(claim_due(&db, "backups", HOUR, LEASE).await.expect("claim"), "jobs are separate");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_lost_lease_stops_the_work() {
        let stopped = holding(
            Duration::from_millis(30),
            || async { Ok::<bool, sqlx::Error>(false) },
            std::future::pending::<()>(),
        )
        .await;
        assert!(stopped.is_none());
        let done = holding(Duration::from_secs(60), || async { Ok::<bool, sqlx::Error>(true) }, async { 7 }).await;
        assert_eq!(done, Some(7));
    }
}
