//! Decoding the current row of a statement being stepped.

use std::ffi::c_int;

use libsqlite3_sys as ffi;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Statement;

/// The current row of a statement being stepped.
pub struct Row<'s> {
    pub(super) statement: &'s Statement,
}

impl Row<'_> {
    /// Column `index`, decoded as `T`.
    pub fn get<T: Column>(&self, index: usize) -> sqlx::Result<T> {
        // SAFETY: the statement is live.
        let count = unsafe { ffi::sqlite3_column_count(self.statement.raw) };
        let at = c_int::try_from(index).ok().filter(|at| *at < count);
        let at = at.ok_or(sqlx::Error::ColumnIndexOutOfBounds { index, len: usize::try_from(count).unwrap_or(0) })?;
        T::read(self, at)
            .map_err(|source| sqlx::Error::ColumnDecode { index: index.to_string(), source: source.into() })
    }

    fn kind(&self, at: c_int) -> c_int {
        // SAFETY: the statement is live and on a row.
        unsafe { ffi::sqlite3_column_type(self.statement.raw, at) }
    }

    fn bytes(&self, at: c_int, blob: bool) -> Result<&[u8], String> {
        let raw = self.statement.raw;
        // SAFETY: the statement is on a row; the pointer is valid, for the
        // length `sqlite3_column_bytes` gives (asked after it, as SQLite
        // requires), until the next step, which needs `&mut` on nothing we
        // lend out: the slice does not outlive `self`.
        unsafe {
            let data: *const u8 =
                if blob { ffi::sqlite3_column_blob(raw, at).cast() } else { ffi::sqlite3_column_text(raw, at) };
            let length = usize::try_from(ffi::sqlite3_column_bytes(raw, at)).unwrap_or(0);
            match (data.is_null(), length) {
                (_, 0) => Ok(&[]),
                // SQLite could not allocate the value.
                (true, _) => Err("SQLite is out of memory".to_owned()),
                (false, _) => Ok(std::slice::from_raw_parts(data, length)),
            }
        }
    }

    fn text(&self, at: c_int) -> Result<&str, String> {
        match self.kind(at) {
            ffi::SQLITE_TEXT => std::str::from_utf8(self.bytes(at, false)?).map_err(|err| err.to_string()),
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
            ffi::SQLITE_BLOB => Uuid::from_slice(row.bytes(at, true)?).map_err(|err| err.to_string()),
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
pub(super) fn time_from_text(text: &str) -> Result<OffsetDateTime, String> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let with_offset = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day][first [ ][T]][hour]:[minute][optional [:[second][optional [.[subsecond]]]]]\
         [first [Z][[offset_hour sign:mandatory]:[offset_minute]]]"
    );
    if let Ok(at) = OffsetDateTime::parse(text, &with_offset) {
        return Ok(at);
    }
    let format = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day][first [ ][T]][hour]:[minute][optional [:[second][optional [.[subsecond]]]]]"
    );
    time::PrimitiveDateTime::parse(text, &format)
        .map(time::PrimitiveDateTime::assume_utc)
        .map_err(|err| format!("invalid time {text:?}: {err}"))
}
