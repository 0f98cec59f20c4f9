//! SQL about people (a global table: not workspace data).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Db, Tx,
    query::{execute, fetch_all, fetch_one, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub session_generation: i64,
    pub is_platform_admin: bool,
    /// The person proved they receive mail at `email`.
    pub email_verified: bool,
}

macro_rules! user_columns {
    () => {
        "id, email, name, password_hash, session_generation, is_platform_admin, \
         email_verified_at IS NOT NULL AS email_verified"
    };
}

const USER_COLUMNS: &str = user_columns!();

/// A person by id (`$1`).
pub const USER_BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");

pub async fn by_id(db: &Db, id: Uuid) -> sqlx::Result<Option<User>> {
    fetch_optional!(db, User, USER_BY_ID, id)
}

pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Option<User>> {
    fetch_optional!(db, User, &format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"), email)
}

/// Inserts a person; a taken email surfaces as a unique violation.
pub async fn create(tx: &mut Tx, email: &str, name: &str, password_hash: Option<&str>) -> sqlx::Result<User> {
    fetch_one!(
        tx,
        User,
        &format!(
            "INSERT INTO users (id, email, name, password_hash, session_generation, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING {USER_COLUMNS}"
        ),
        Uuid::now_v7(),
        email,
        name,
        password_hash,
        OffsetDateTime::now_utc(),
    )
}

/// Ends every session of this person: each carries the generation it began in.
pub async fn end_all_sessions(db: &Db, id: Uuid) -> sqlx::Result<u64> {
    execute!(db, "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1", id)
}

pub async fn set_password(tx: &mut Tx, id: Uuid, password_hash: &str) -> sqlx::Result<u64> {
    execute!(tx, "UPDATE users SET password_hash = $2 WHERE id = $1", id, password_hash)
}

pub async fn set_name(db: &Db, id: Uuid, name: &str) -> sqlx::Result<u64> {
    execute!(db, "UPDATE users SET name = $2 WHERE id = $1", id, name)
}

/// Ends every session of a person inside a transaction (with a password change).
pub async fn end_sessions_in(tx: &mut Tx, id: Uuid) -> sqlx::Result<u64> {
    execute!(tx, "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1", id)
}

pub async fn create_reset(db: &Db, user: Uuid, token_hash: &str, expires_at: OffsetDateTime) -> sqlx::Result<u64> {
    execute!(
        db,
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        user,
        OffsetDateTime::now_utc(),
        expires_at
    )
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Reset {
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub async fn reset(db: &Db, token_hash: &str) -> sqlx::Result<Option<Reset>> {
    fetch_optional!(
        db,
        Reset,
        "SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        token_hash
    )
}

/// Kills every reset link of this person not used yet (after a password
/// reset or change: an older link must not set the password again).
pub async fn end_resets(tx: &mut Tx, user: Uuid) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        user,
        OffsetDateTime::now_utc()
    )
}

/// Marks a reset link used; false when it was used meanwhile.
pub async fn use_reset(tx: &mut Tx, token_hash: &str) -> sqlx::Result<bool> {
    let done = execute!(
        tx,
        "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
        token_hash,
        OffsetDateTime::now_utc()
    )?;
    Ok(done == 1)
}

/// Workspaces where this person is the only owner and others are members:
/// deleting the account would leave them without an owner.
pub async fn sole_owner_of_shared(db: &Db, user: Uuid) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = fetch_all!(
        db,
        (String,),
        "SELECT w.name FROM workspaces w JOIN memberships m ON m.workspace_id = w.id \
         WHERE m.user_id = $1 AND m.role = 'owner' AND w.delete_after IS NULL \
           AND (SELECT COUNT(*) FROM memberships o WHERE o.workspace_id = w.id AND o.role = 'owner') = 1 \
           AND (SELECT COUNT(*) FROM memberships a WHERE a.workspace_id = w.id) > 1 \
         ORDER BY w.name",
        user
    )?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// Workspaces this person is the only member of: they go with the account.
pub async fn solo_workspaces(db: &Db, user: Uuid) -> sqlx::Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = fetch_all!(
        db,
        (Uuid,),
        "SELECT m.workspace_id FROM memberships m WHERE m.user_id = $1 \
           AND (SELECT COUNT(*) FROM memberships a WHERE a.workspace_id = m.workspace_id) = 1",
        user
    )?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> sqlx::Result<u64> {
    execute!(tx, "DELETE FROM users WHERE id = $1", id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub user_id: Uuid,
    pub email: String,
}

pub async fn identity(db: &Db, provider: &str, subject: &str) -> sqlx::Result<Option<Identity>> {
    fetch_optional!(
        db,
        Identity,
        "SELECT provider, subject, user_id, email FROM oauth_identities WHERE provider = $1 AND subject = $2",
        provider,
        subject
    )
}

pub async fn identities_of(db: &Db, user: Uuid) -> sqlx::Result<Vec<Identity>> {
    fetch_all!(
        db,
        Identity,
        "SELECT provider, subject, user_id, email FROM oauth_identities WHERE user_id = $1 ORDER BY provider",
        user
    )
}

pub async fn link_identity(tx: &mut Tx, provider: &str, subject: &str, user: Uuid, email: &str) -> sqlx::Result<u64> {
    execute!(
        tx,
        "INSERT INTO oauth_identities (provider, subject, user_id, email, created_at) VALUES ($1, $2, $3, $4, $5)",
        provider,
        subject,
        user,
        email,
        OffsetDateTime::now_utc()
    )
}

pub async fn unlink_identity(db: &Db, user: Uuid, provider: &str) -> sqlx::Result<u64> {
    execute!(db, "DELETE FROM oauth_identities WHERE user_id = $1 AND provider = $2", user, provider)
}

/// Records that this person proved their address (a mailed link, or a
/// provider that verified it); true when it was not proved before.
pub async fn mark_verified(tx: &mut Tx, id: Uuid) -> sqlx::Result<bool> {
    let done = execute!(
        tx,
        "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL",
        id,
        OffsetDateTime::now_utc()
    )?;
    Ok(done == 1)
}

pub async fn create_verification(
    tx: &mut Tx,
    user: Uuid,
    email: &str,
    token_hash: &str,
    expires_at: OffsetDateTime,
) -> sqlx::Result<u64> {
    execute!(
        tx,
        "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        token_hash,
        user,
        email,
        OffsetDateTime::now_utc(),
        expires_at
    )
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Verification {
    pub user_id: Uuid,
    pub email: String,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub async fn verification(db: &Db, token_hash: &str) -> sqlx::Result<Option<Verification>> {
    fetch_optional!(
        db,
        Verification,
        "SELECT user_id, email, expires_at, used_at FROM email_verifications WHERE token_hash = $1",
        token_hash
    )
}

/// Uses up every verification link of this person; with `token_hash`, true
/// only when that link was still unused (a link used twice at once counts once).
pub async fn use_verifications(tx: &mut Tx, user: Uuid, token_hash: &str) -> sqlx::Result<bool> {
    let now = OffsetDateTime::now_utc();
    let this = execute!(
        tx,
        "UPDATE email_verifications SET used_at = $3 WHERE user_id = $1 AND token_hash = $2 AND used_at IS NULL",
        user,
        token_hash,
        now
    )?;
    execute!(tx, "UPDATE email_verifications SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", user, now)?;
    Ok(this == 1)
}

/// Takes away the password (nobody proved it was the address's owner's).
pub async fn drop_password(tx: &mut Tx, user: Uuid) -> sqlx::Result<u64> {
    execute!(tx, "UPDATE users SET password_hash = NULL WHERE id = $1", user)
}

/// Unlinks every provider of this person; how many there were.
pub async fn drop_identities(tx: &mut Tx, user: Uuid) -> sqlx::Result<u64> {
    execute!(tx, "DELETE FROM oauth_identities WHERE user_id = $1", user)
}

pub async fn email_of(tx: &mut Tx, user: Uuid) -> sqlx::Result<String> {
    let (email,): (String,) = fetch_one!(tx, (String,), "SELECT email FROM users WHERE id = $1", user)?;
    Ok(email)
}

/// Records an account event in the platform audit log (a global table), in
/// the same transaction as the change.
pub async fn record_account_event(
    tx: &mut Tx,
    user: Uuid,
    email: &str,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    execute!(
        tx,
        "INSERT INTO platform_audit (id, actor_id, actor_email, action, workspace_id, workspace_name, detail, created_at) \
         VALUES ($1, $2, $3, $4, NULL, '', $5, $6)",
        Uuid::now_v7(),
        user,
        email,
        action,
        detail,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}
