//! Reading SQLite on the request's own thread, for statements with many rows.
//!
//! sqlx runs each SQLite connection on a worker thread. There it copies every
//! value of every row (`sqlite3_value_dup`) into a boxed row, which the
//! request decodes and frees on a Tokio thread. For a month's ~700 post rows
//! that copying, the frees from the other thread and the lookups by column
//! name were about 40% of the page's CPU (perf, docs/PERFORMANCE.md, session
//! 9). Here the request takes the connection's lock from sqlx
//! (`lock_handle`, one trip to the worker, which then waits) and steps the
//! statement itself, decoding each column straight into its Rust type.
//!
//! Values are bound and read as sqlx would: a UUID is a 16-byte blob, a time
//! is RFC 3339 text, a bool an integer. PostgreSQL keeps sqlx's path
//! (`fetch_all_on`).

use std::borrow::Cow;
use std::ffi::{CStr, c_char, c_int};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::{
    FromRow, Postgres, SqliteConnection,
    error::{DatabaseError, ErrorKind},
    postgres::{PgArguments, PgRow},
    query::QueryAs,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Target;

mod row;

pub use row::{Column, Row};

/// A value bound to `$n`, typed even when NULL (PostgreSQL needs the type).
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
    Uuid(Option<Uuid>),
    Time(Option<OffsetDateTime>),
}

impl From<Uuid> for Arg<'_> {
    fn from(id: Uuid) -> Self {
        Self::Uuid(Some(id))
    }
}

impl From<Option<Uuid>> for Arg<'_> {
    fn from(id: Option<Uuid>) -> Self {
        Self::Uuid(id)
    }
}

impl From<OffsetDateTime> for Arg<'_> {
    fn from(at: OffsetDateTime) -> Self {
        Self::Time(Some(at))
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Self::Int(Some(n))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(Some(text))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(text: Option<&'a str>) -> Self {
        Self::Text(text)
    }
}

/// A row type read by column position. `COLUMNS` names the statement's
/// columns in order; each run checks them once, so a statement and its reader
/// cannot drift apart silently.
pub trait Direct: Sized {
    const COLUMNS: &'static [&'static str];
    fn read(row: &Row<'_>) -> sqlx::Result<Self>;
}

/// Every row of `sql` with `$n` bound to `args[n - 1]`: read directly on
/// SQLite, through sqlx's `FromRow` on PostgreSQL.
pub async fn fetch_all_on<T>(target: Target<'_>, sql: &str, args: &[Arg<'_>]) -> sqlx::Result<Vec<T>>
where
    T: Direct + for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    match target {
        Target::Sqlite(conn) => fetch_all(conn, sql, args).await,
        Target::SqlitePool(pool) => fetch_all(&mut *pool.acquire().await?, sql, args).await,
        Target::Postgres(conn) => postgres_query(sql, args).fetch_all(conn).await,
        Target::PostgresPool(pool) => postgres_query(sql, args).fetch_all(pool).await,
    }
}

fn postgres_query<'q, T>(sql: &'q str, args: &[Arg<'q>]) -> QueryAs<'q, Postgres, T, PgArguments>
where
    T: for<'r> FromRow<'r, PgRow>,
{
    args.iter().fold(sqlx::query_as(sql), |query, arg| match *arg {
        Arg::Int(n) => query.bind(n),
        Arg::Text(text) => query.bind(text),
        Arg::Uuid(id) => query.bind(id),
        Arg::Time(at) => query.bind(at),
    })
}

/// Every row of `sql`, on the connection's lock. The statement runs on the
/// request's thread: in WAL mode a reader never waits for a writer, so
/// SQLite's busy handler (which could sleep here) is not reached in practice.
async fn fetch_all<T: Direct>(conn: &mut SqliteConnection, sql: &str, args: &[Arg<'_>]) -> sqlx::Result<Vec<T>> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    // Declared after `handle`, so finalized before the lock is given back.
    let statement = Statement::prepare(db, sql)?;
    statement.bind_all(args)?;
    statement.check_columns(T::COLUMNS)?;
    let mut rows = Vec::new();
    loop {
        // SAFETY: the statement is prepared on `db`, whose lock we hold.
        match unsafe { ffi::sqlite3_step(statement.raw) } {
            ffi::SQLITE_ROW => rows.push(T::read(&Row { statement: &statement })?),
            ffi::SQLITE_DONE => return Ok(rows),
            _ => return Err(failure(db)),
        }
    }
}

struct Statement {
    db: NonNull<ffi::sqlite3>,
    raw: *mut ffi::sqlite3_stmt,
}

impl Statement {
    fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> sqlx::Result<Self> {
        let length = c_int::try_from(sql.len()).map_err(|_| protocol("statement too long"))?;
        let (mut raw, mut tail) = (ptr::null_mut(), ptr::null());
        // SAFETY: `sql` is valid for `length` bytes; SQLite does not keep the
        // pointer, and `tail` points into it.
        let code =
            unsafe { ffi::sqlite3_prepare_v2(db.as_ptr(), sql.as_ptr().cast::<c_char>(), length, &mut raw, &mut tail) };
        let statement = match code {
            ffi::SQLITE_OK if !raw.is_null() => Self { db, raw },
            ffi::SQLITE_OK => return Err(protocol("empty statement")),
            _ => return Err(failure(db)),
        };
        // One statement only: text after it would silently never run.
        let used = (tail as usize).saturating_sub(sql.as_ptr() as usize);
        match sql.get(used..).is_none_or(|rest| rest.trim().is_empty()) {
            true => Ok(statement),
            false => Err(protocol("more than one statement")),
        }
    }

    /// Binds `$n` to `args[n - 1]`; a parameter the statement does not
    /// name is simply not bound (as with sqlx, a case may leave one out).
    fn bind_all(&self, args: &[Arg<'_>]) -> sqlx::Result<()> {
        // SAFETY: `raw` is a live statement.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(self.raw) };
        for index in 1..=count {
            let arg = self.parameter_number(index).and_then(|n| args.get(n - 1));
            let arg = arg.ok_or_else(|| protocol(&format!("no value for parameter {index} ($n only)")))?;
            self.bind(index, arg)?;
        }
        Ok(())
    }

    /// `n` of the parameter named `$n` at `index`.
    fn parameter_number(&self, index: c_int) -> Option<usize> {
        // SAFETY: `raw` is live; the name, if any, is a C string SQLite owns.
        let name = unsafe { ffi::sqlite3_bind_parameter_name(self.raw, index) };
        if name.is_null() {
            return None;
        }
        let name = unsafe { CStr::from_ptr(name) }.to_str().ok()?;
        name.strip_prefix('$')?.parse().ok().filter(|n| *n > 0)
    }

    fn bind(&self, index: c_int, arg: &Arg<'_>) -> sqlx::Result<()> {
        let raw = self.raw;
        // SAFETY: `raw` is live; SQLITE_TRANSIENT makes SQLite copy the bytes
        // before the call returns.
        let code = unsafe {
            match *arg {
                Arg::Int(None) | Arg::Text(None) | Arg::Uuid(None) | Arg::Time(None) => {
                    ffi::sqlite3_bind_null(raw, index)
                }
                Arg::Int(Some(n)) => ffi::sqlite3_bind_int64(raw, index, n),
                Arg::Text(Some(text)) => bind_text(raw, index, text)?,
                Arg::Uuid(Some(id)) => {
                    let bytes = id.as_bytes();
                    ffi::sqlite3_bind_blob(raw, index, bytes.as_ptr().cast(), 16, ffi::SQLITE_TRANSIENT())
                }
                Arg::Time(Some(at)) => {
                    let text = at.format(&Rfc3339).map_err(|err| protocol(&err.to_string()))?;
                    bind_text(raw, index, &text)?
                }
            }
        };
        match code {
            ffi::SQLITE_OK => Ok(()),
            _ => Err(failure(self.db)),
        }
    }

    fn check_columns(&self, expected: &[&str]) -> sqlx::Result<()> {
        // SAFETY: `raw` is live; each name is a C string SQLite owns.
        let count = unsafe { ffi::sqlite3_column_count(self.raw) };
        let name = |i| {
            let name = unsafe { ffi::sqlite3_column_name(self.raw, i) };
            // NULL only when SQLite is out of memory.
            (!name.is_null()).then(|| unsafe { CStr::from_ptr(name) }.to_bytes())
        };
        if (0..count).map(name).eq(expected.iter().map(|name| Some(name.as_bytes()))) {
            Ok(())
        } else {
            Err(protocol("the statement's columns are not the ones its reader expects"))
        }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: prepared by us, finalized once.
        unsafe { ffi::sqlite3_finalize(self.raw) };
    }
}

/// SAFETY: `raw` must be a live statement.
unsafe fn bind_text(raw: *mut ffi::sqlite3_stmt, index: c_int, text: &str) -> sqlx::Result<c_int> {
    let length = c_int::try_from(text.len()).map_err(|_| protocol("value too long"))?;
    Ok(unsafe { ffi::sqlite3_bind_text(raw, index, text.as_ptr().cast(), length, ffi::SQLITE_TRANSIENT()) })
}

/// SQLite's error, as sqlx reports one: a database error with its code.
#[derive(Debug)]
struct Failure {
    code: c_int,
    message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for Failure {}

impl DatabaseError for Failure {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(self.code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

fn failure(db: NonNull<ffi::sqlite3>) -> sqlx::Error {
    // SAFETY: `db` is the locked connection; the message is a C string SQLite owns.
    let (code, message) =
        unsafe { (ffi::sqlite3_extended_errcode(db.as_ptr()), CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr()))) };
    sqlx::Error::Database(Box::new(Failure { code, message: message.to_string_lossy().into_owned() }))
}

fn protocol(message: &str) -> sqlx::Error {
    sqlx::Error::Protocol(message.to_owned())
}

#[cfg(test)]
mod tests;
