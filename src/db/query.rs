//! One SQL text, two backends.
//!
//! `Target` is whatever a query can run on: either pool, or the connection of
//! an open transaction. The macros expand their body once per backend, so the
//! same `sqlx::query_as(...)` is type-checked against SQLite and PostgreSQL.
//! Placeholders are `$1`, `$2`, … on both.

use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};

pub enum Target<'a> {
    SqlitePool(&'a SqlitePool),
    PostgresPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's executor.
macro_rules! on_backend {
    ($exec:expr, $c:ident => $body:expr) => {
        match $exec.target() {
            $crate::db::Target::SqlitePool($c) => $body,
            $crate::db::Target::PostgresPool($c) => $body,
            $crate::db::Target::Sqlite($c) => $body,
            $crate::db::Target::Postgres($c) => $body,
        }
    };
}

/// Exactly one row, decoded with `FromRow`.
macro_rules! fetch_one {
    ($exec:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::query::on_backend!($exec, c => ::sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_one(c).await)
    };
}

/// Zero or one row.
macro_rules! fetch_optional {
    ($exec:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::query::on_backend!($exec, c => ::sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(c).await)
    };
}

/// Every row.
macro_rules! fetch_all {
    ($exec:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::query::on_backend!($exec, c => ::sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(c).await)
    };
}

/// The first column of exactly one row.
macro_rules! fetch_scalar {
    ($exec:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::query::on_backend!($exec, c => ::sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(c).await)
    };
}

/// A statement; yields the number of rows it touched.
macro_rules! execute {
    ($exec:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::query::on_backend!($exec, c => ::sqlx::query($sql)$(.bind($arg))*.execute(c).await.map(|done| done.rows_affected()))
    };
}

/// Appends ` AND condition` for each filter that is on. Statements built
/// this way name only the filters in use (their values are bound all the
/// same), so each combination is prepared, and planned, for itself: an
/// `$n IS NULL OR id < $n` would keep an index scan from starting at `$n`.
pub fn and_each(sql: &mut String, filters: &[(bool, &str)]) {
    for (_, condition) in filters.iter().filter(|(on, _)| *on) {
        sql.push_str(" AND ");
        sql.push_str(condition);
    }
}

pub(crate) use {execute, fetch_all, fetch_one, fetch_optional, fetch_scalar, on_backend};
