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
}

const USER_COLUMNS: &str = "id, email, name, password_hash, session_generation, is_platform_admin";

pub async fn by_id(db: &Db, id: Uuid) -> sqlx::Result<Option<User>> {
    fetch_optional!(db, User, &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), id)
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
         WHERE m.user_id = $1 AND m.role = 'owner' \
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
