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

pub(crate) use {execute, fetch_all, fetch_one, fetch_optional, fetch_scalar, on_backend};
