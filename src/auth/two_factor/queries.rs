//! SQL of two-factor sign-in (global tables, keyed by person).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Db, Tx,
    query::{execute, fetch_all, fetch_optional, fetch_scalar},
};

/// A person's TOTP enrolment: pending until `confirmed_at` is set.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Enrolment {
    pub secret_sealed: String,
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_used_step: i64,
}

impl Enrolment {
    pub fn is_on(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

pub async fn enrolment(db: &Db, user: Uuid) -> sqlx::Result<Option<Enrolment>> {
    fetch_optional!(
        db,
        Enrolment,
        "SELECT secret_sealed, confirmed_at, last_used_step FROM two_factor WHERE user_id = $1",
        user
    )
}

/// Whether this person signs in with a second factor.
pub async fn is_on(db: &Db, user: Uuid) -> sqlx::Result<bool> {
    Ok(enrolment(db, user).await?.is_some_and(|e| e.is_on()))
}

/// Starts (or starts over) an enrolment with a new sealed secret; refused
/// (0 rows) while two-factor is on, so a confirmed secret is never replaced.
pub async fn start(db: &Db, user: Uuid, secret_sealed: &str) -> sqlx::Result<u64> {
    execute!(
        db,
        "INSERT INTO two_factor (user_id, secret_sealed, confirmed_at, last_used_step, created_at) \
         VALUES ($1, $2, NULL, 0, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at \
         WHERE two_factor.confirmed_at IS NULL",
        user,
        secret_sealed,
        OffsetDateTime::now_utc()
    )
}

/// Turns two-factor on with the step of the code that proved it.
pub async fn confirm(tx: &mut Tx, user: Uuid, step: i64) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE two_factor SET confirmed_at = $2, last_used_step = $3 WHERE user_id = $1 AND confirmed_at IS NULL",
        user,
        OffsetDateTime::now_utc(),
        step
    )
}

/// Claims a time step for a code: false when that step (or a later one)
/// was already used, so the same code never passes twice, even in a race.
pub async fn use_step(db: &Db, user: Uuid, step: i64) -> sqlx::Result<bool> {
    let done = execute!(
        db,
        "UPDATE two_factor SET last_used_step = $2 \
         WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_used_step < $2",
        user,
        step
    )?;
    Ok(done == 1)
}

/// Replaces the person's recovery codes with these hashes.
pub async fn replace_recovery_codes(tx: &mut Tx, user: Uuid, hashes: &[String]) -> sqlx::Result<()> {
    execute!(tx, "DELETE FROM two_factor_recovery_codes WHERE user_id = $1", user)?;
    for hash in hashes {
        execute!(tx, "INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES ($1, $2)", user, hash)?;
    }
    Ok(())
}

/// Uses up a recovery code: false when it is not one of theirs or was used.
pub async fn use_recovery_code(db: &Db, user: Uuid, hash: &str) -> sqlx::Result<bool> {
    let done = execute!(
        db,
        "UPDATE two_factor_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        user,
        hash,
        OffsetDateTime::now_utc()
    )?;
    Ok(done == 1)
}

pub async fn unused_recovery_codes(db: &Db, user: Uuid) -> sqlx::Result<i64> {
    fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM two_factor_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        user
    )
}

/// Turns two-factor off: the secret and the recovery codes go.
pub async fn remove(tx: &mut Tx, user: Uuid) -> sqlx::Result<()> {
    execute!(tx, "DELETE FROM two_factor_recovery_codes WHERE user_id = $1", user)?;
    execute!(tx, "DELETE FROM two_factor WHERE user_id = $1", user)?;
    Ok(())
}

/// Whether the person owns or administers any workspace (`staff` rule).
pub async fn is_workspace_staff(db: &Db, user: Uuid) -> sqlx::Result<bool> {
    let count = fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND role IN ('owner', 'admin')",
        user
    )?;
    Ok(count > 0)
}

/// Every stored secret, for re-sealing under a new master key.
pub async fn all_secrets(db: &Db) -> sqlx::Result<Vec<(Uuid, String)>> {
    fetch_all!(db, (Uuid, String), "SELECT user_id, secret_sealed FROM two_factor")
}

pub async fn reseal(db: &Db, user: Uuid, secret_sealed: &str) -> sqlx::Result<u64> {
    execute!(db, "UPDATE two_factor SET secret_sealed = $2 WHERE user_id = $1", user, secret_sealed)
}
