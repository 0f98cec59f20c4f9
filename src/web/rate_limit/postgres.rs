//! The counters every instance on one PostgreSQL shares: the unlogged table
//! `rate_limits`, keyed by the SHA-256 digest of the key. Each new window
//! takes the next stamp from a sequence, and a window more than `max_keys`
//! stamps old is evicted, so the table holds at most `max_keys` keys (the
//! oldest goes first, as in memory). One statement per attempt, whatever
//! the number of keys it counts under.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

/// Counts one attempt under each of `digests` (distinct); yields the
/// attempts made in each one's current window (capped far past any limit,
/// so a flood cannot overflow it). A digest missing from the answer had its
/// window evicted by a concurrent attempt at that very moment.
pub(super) async fn count(
    pool: &PgPool,
    digests: &[[u8; 32]],
    window: Duration,
    max_keys: usize,
) -> sqlx::Result<Vec<([u8; 32], i64)>> {
    let now = OffsetDateTime::now_utc();
    let window_began_after = now.saturating_sub(time::Duration::try_from(window).unwrap_or(time::Duration::ZERO));
    let keys: Vec<Vec<u8>> = digests.iter().map(|d| d.to_vec()).collect();
    // Every part sees the table as it was when the statement began: a live
    // window is bumped, otherwise a new one starts (replacing an expired
    // row) and pushes out the windows `max_keys` stamps older. One row must
    // not be both bumped and evicted (which of two changes to a row in one
    // statement wins is undefined), so a window being evicted is not bumped:
    // as in memory, its key starts over.
    let rows: Vec<(Vec<u8>, i32)> = sqlx::query_as(
        "WITH keys AS (SELECT DISTINCT digest FROM unnest($1::bytea[]) AS k (digest)), \
         start AS ( \
             INSERT INTO rate_limits (digest, window_start, attempts, stamp) \
             SELECT keys.digest, $2, 1, nextval('rate_limit_stamps') FROM keys WHERE NOT EXISTS \
               (SELECT 1 FROM rate_limits r WHERE r.digest = keys.digest AND r.window_start > $3) \
             ON CONFLICT (digest) DO UPDATE SET window_start = excluded.window_start, attempts = 1, \
               stamp = excluded.stamp \
             RETURNING digest, attempts, stamp \
         ), oldest_kept AS ( \
             SELECT COALESCE(max(stamp), 0) - $4 AS stamp FROM start \
         ), evict AS ( \
             DELETE FROM rate_limits WHERE stamp <= (SELECT stamp FROM oldest_kept) \
         ), bump AS ( \
             UPDATE rate_limits r SET attempts = LEAST(r.attempts + 1, 1000000) FROM keys \
             WHERE r.digest = keys.digest AND r.window_start > $3 \
               AND r.stamp > (SELECT stamp FROM oldest_kept) \
             RETURNING r.digest, r.attempts \
         ) \
         SELECT digest, attempts FROM bump UNION ALL SELECT digest, attempts FROM start",
    )
    .bind(keys)
    .bind(now)
    .bind(window_began_after)
    .bind(i64::try_from(max_keys).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(digest, attempts)| Some((<[u8; 32]>::try_from(digest.as_slice()).ok()?, i64::from(attempts))))
        .collect())
}

/// How many keys the table holds.
pub(super) async fn len(pool: &PgPool) -> sqlx::Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_limits").fetch_one(pool).await?;
    Ok(usize::try_from(n).unwrap_or(0))
}
