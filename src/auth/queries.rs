//! SQL about people (a global table: not workspace data).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Db, Tx,
    query::{execute, fetch_one, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub session_generation: i64,
}

const USER_COLUMNS: &str = "id, email, name, password_hash, session_generation";

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
