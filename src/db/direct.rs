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

use std::ffi::{CStr, c_char, c_int};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::{
    FromRow, Postgres, SqliteConnection,
    postgres::{PgArguments, PgRow},
    query::QueryAs,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Target;

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

/// Every row of `sql`, on the connection's lock.
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
            code => return Err(failure(db, code)),
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
        let mut raw = ptr::null_mut();
        // SAFETY: `sql` is valid for `length` bytes; SQLite does not keep the pointer.
        let code = unsafe {
            ffi::sqlite3_prepare_v2(db.as_ptr(), sql.as_ptr().cast::<c_char>(), length, &mut raw, ptr::null_mut())
        };
        match code {
            ffi::SQLITE_OK if !raw.is_null() => Ok(Self { db, raw }),
            ffi::SQLITE_OK => Err(protocol("empty statement")),
            code => Err(failure(db, code)),
        }
    }

    /// Binds `$n` to `args[n - 1]`; a parameter the statement does not
    /// name is simply not bound (as with sqlx, a case may leave one out).
    fn bind_all(&self, args: &[Arg<'_>]) -> sqlx::Result<()> {
        // SAFETY: `raw` is a live statement.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(self.raw) };
        for index in 1..=count {
            let arg = self.parameter_number(index).and_then(|n| args.get(n - 1));
            let arg = arg.ok_or_else(|| protocol("a parameter without a value"))?;
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
            code => Err(failure(self.db, code)),
        }
    }

    fn check_columns(&self, expected: &[&str]) -> sqlx::Result<()> {
        // SAFETY: `raw` is live; each name is a C string SQLite owns.
        let count = unsafe { ffi::sqlite3_column_count(self.raw) };
        let names = (0..count).map(|i| unsafe { CStr::from_ptr(ffi::sqlite3_column_name(self.raw, i)) });
        if names.map(CStr::to_bytes).eq(expected.iter().map(|name| name.as_bytes())) {
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

/// The current row of a statement being stepped.
pub struct Row<'s> {
    statement: &'s Statement,
}

impl Row<'_> {
    /// Column `index`, decoded as `T`.
    pub fn get<T: Column>(&self, index: usize) -> sqlx::Result<T> {
        let at = c_int::try_from(index).map_err(|_| protocol("column index"))?;
        T::read(self, at)
            .map_err(|source| sqlx::Error::ColumnDecode { index: index.to_string(), source: source.into() })
    }

    fn kind(&self, at: c_int) -> c_int {
        // SAFETY: the statement is live and on a row.
        unsafe { ffi::sqlite3_column_type(self.statement.raw, at) }
    }

    fn bytes(&self, at: c_int, blob: bool) -> &[u8] {
        let raw = self.statement.raw;
        // SAFETY: the statement is on a row; the pointer is valid, for the
        // length `sqlite3_column_bytes` gives (asked after it, as SQLite
        // requires), until the next step, which needs `&mut` on nothing we
        // lend out: the slice does not outlive `self`.
        unsafe {
            let data: *const u8 =
                if blob { ffi::sqlite3_column_blob(raw, at).cast() } else { ffi::sqlite3_column_text(raw, at) };
            let length = usize::try_from(ffi::sqlite3_column_bytes(raw, at)).unwrap_or(0);
            if data.is_null() || length == 0 { &[] } else { std::slice::from_raw_parts(data, length) }
        }
    }

    fn text(&self, at: c_int) -> Result<&str, String> {
        match self.kind(at) {
            ffi::SQLITE_TEXT => std::str::from_utf8(self.bytes(at, false)).map_err(|err| err.to_string()),
            kind => Err(format!("expected text, found SQLite type {kind}")),
        }
    }

    fn integer(&self, at: c_int) -> Result<i64, String> {
        match self.kind(at) {
            // SAFETY: the statement is on a row.
            ffi::SQLITE_INTEGER => Ok(unsafe { ffi::sqlite3_column_int64(self.statement.raw, at) }),
            kind => Err(format!("expected an integer, found SQLite type {kind}")),
        }
    }
}

/// A Rust type one column decodes into.
pub trait Column: Sized {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String>;
}

impl Column for String {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        row.text(at).map(str::to_owned)
    }
}

impl Column for i64 {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        row.integer(at)
    }
}

impl Column for bool {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        row.integer(at).map(|n| n != 0)
    }
}

impl Column for Uuid {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        match row.kind(at) {
            ffi::SQLITE_BLOB => Uuid::from_slice(row.bytes(at, true)).map_err(|err| err.to_string()),
            kind => Err(format!("expected a 16-byte blob, found SQLite type {kind}")),
        }
    }
}

impl Column for OffsetDateTime {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        match row.kind(at) {
            ffi::SQLITE_INTEGER => OffsetDateTime::from_unix_timestamp(row.integer(at)?).map_err(|err| err.to_string()),
            _ => time_from_text(row.text(at)?),
        }
    }
}

impl<T: Column> Column for Option<T> {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, String> {
        match row.kind(at) {
            ffi::SQLITE_NULL => Ok(None),
            _ => T::read(row, at).map(Some),
        }
    }
}

/// RFC 3339, as sqlx writes times; else SQLite's own `YYYY-MM-DD HH:MM:SS`
/// in UTC, as `CURRENT_TIMESTAMP` writes them (both are what sqlx reads).
fn time_from_text(text: &str) -> Result<OffsetDateTime, String> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day][first [ ][T]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    time::PrimitiveDateTime::parse(text, &format)
        .map(time::PrimitiveDateTime::assume_utc)
        .map_err(|err| format!("invalid time {text:?}: {err}"))
}

fn failure(db: NonNull<ffi::sqlite3>, code: c_int) -> sqlx::Error {
    // SAFETY: `db` is the locked connection; the message is a C string SQLite owns.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    protocol(&format!("SQLite error {code}: {}", message.to_string_lossy()))
}

fn protocol(message: &str) -> sqlx::Error {
    sqlx::Error::Protocol(message.to_owned())
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Sample {
        id: Uuid,
        at: OffsetDateTime,
        title: Option<String>,
        count: i64,
        sold: bool,
    }

    impl Direct for Sample {
        const COLUMNS: &'static [&'static str] = &["id", "at", "title", "count", "sold"];
        fn read(row: &Row<'_>) -> sqlx::Result<Self> {
            Ok(Self { id: row.get(0)?, at: row.get(1)?, title: row.get(2)?, count: row.get(3)?, sold: row.get(4)? })
        }
    }

    async fn table() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (id BLOB, at TEXT, title TEXT, count INTEGER, sold INTEGER)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }

    #[tokio::test]
    async fn rows_written_by_sqlx_read_back_the_same_with_parameters_in_any_order() {
        let mut conn = table().await;
        let at = time::macros::datetime!(2030-06-01 09:30:15.25 UTC);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for (id, title, count) in [(a, Some("Piece"), 3_i64), (b, None, 5)] {
            sqlx::query("INSERT INTO t VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(at)
                .bind(title)
                .bind(count)
                .bind(count > 4)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let sql = "SELECT id, at, title, count, sold FROM t WHERE count < $3 AND at = $2 AND id <> $1 ORDER BY count";
        let rows: Vec<Sample> =
            fetch_all(&mut conn, sql, &[Uuid::nil().into(), at.into(), 10_i64.into()]).await.unwrap();
        let expected = [(a, Some("Piece".to_owned()), 3, false), (b, None, 5, true)]
            .map(|(id, title, count, sold)| Sample { id, at, title, count, sold });
        assert_eq!(rows, expected);
        let title: Option<&str> = None;
        let none: Vec<Sample> =
            fetch_all(&mut conn, "SELECT id, at, title, count, sold FROM t WHERE title = $1", &[title.into()])
                .await
                .unwrap();
        assert!(none.is_empty(), "NULL matches nothing");
    }

    #[tokio::test]
    async fn a_reader_for_other_columns_a_missing_value_or_a_wrong_type_is_an_error() {
        let mut conn = table().await;
        sqlx::query("INSERT INTO t VALUES (x'00', 'June', NULL, 'many', 0)").execute(&mut conn).await.unwrap();
        let other = fetch_all::<Sample>(&mut conn, "SELECT id, at, count, title, sold FROM t", &[]).await;
        assert!(matches!(other, Err(sqlx::Error::Protocol(_))), "{other:?}");
        let unbound =
            fetch_all::<Sample>(&mut conn, "SELECT id, at, title, count, sold FROM t WHERE count = $2", &[]).await;
        assert!(matches!(unbound, Err(sqlx::Error::Protocol(_))), "{unbound:?}");
        let short_id = fetch_all::<Sample>(&mut conn, "SELECT id, at, title, count, sold FROM t", &[]).await;
        assert!(matches!(short_id, Err(sqlx::Error::ColumnDecode { .. })), "{short_id:?}");
        let broken = fetch_all::<Sample>(&mut conn, "SELECT id, at FROM nowhere", &[]).await;
        assert!(matches!(broken, Err(sqlx::Error::Protocol(_))), "{broken:?}");
        // The connection is sqlx's again afterwards.
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t").fetch_one(&mut conn).await.unwrap();
        assert_eq!(n, 1);
    }

    #[tokio::test]
    async fn sqlite_keeps_one_page_cache_per_connection() {
        // `.cargo/config.toml` builds SQLite without the option that puts
        // every connection's pages behind one mutex.
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(&mut conn).await.unwrap();
        assert!(options.iter().any(|o| o.starts_with("THREADSAFE=")), "{options:?}");
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    }

    #[test]
    fn times_are_read_as_sqlx_writes_them_and_as_sqlite_does() {
        let at = time::macros::datetime!(2030-06-01 09:30:15.25 UTC);
        assert_eq!(time_from_text(&at.format(&Rfc3339).unwrap()), Ok(at));
        assert_eq!(time_from_text("2030-06-01 09:30:15"), Ok(time::macros::datetime!(2030-06-01 09:30:15 UTC)));
        assert_eq!(time_from_text("2030-06-01T09:30:15.25"), Ok(at));
        assert!(time_from_text("June").is_err());
    }
}
