//! Canonical rows: one JSON object per line, keys in catalogue order, the
//! same bytes from SQLite and PostgreSQL for the same data. UUIDs are
//! hyphenated strings, times RFC 3339 UTC with microseconds (PostgreSQL's
//! precision), booleans and integers as themselves, NULL as `null`.

use serde_json::Value;
use sqlx::{ColumnIndex, Decode, Row, Type};
use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339, macros::format_description};
use uuid::Uuid;

use super::{
    ArchiveError,
    catalogue::{Column, Kind, Table},
};

/// One decoded value, ready to bind on either backend.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Bool(bool),
    Time(OffsetDateTime),
}

/// Times in canonical form: UTC, microseconds, `Z`.
pub fn time_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let micros = at.replace_nanosecond(at.nanosecond() / 1000 * 1000).unwrap_or(at);
    micros
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"))
        .unwrap_or_default()
}

impl Cell {
    /// The canonical JSON text of this value.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Uuid(id) => Value::String(id.to_string()),
            Cell::Text(text) => Value::String(text.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Time(at) => Value::String(time_text(*at)),
        }
    }

    /// Reads a canonical JSON value as a column of `kind`.
    pub fn from_json(value: &Value, column: &Column, table: &str) -> Result<Self, ArchiveError> {
        let wrong = || {
            ArchiveError::Invalid(format!(
                "The archive's table {table} has a value in column {} that is not {}.",
                column.name,
                kind_name(column.kind)
            ))
        };
        if value.is_null() {
            return if column.nullable { Ok(Cell::Null) } else { Err(wrong()) };
        }
        Ok(match column.kind {
            Kind::Uuid | Kind::Person => {
                Cell::Uuid(value.as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(wrong)?)
            }
            Kind::Text => Cell::Text(value.as_str().ok_or_else(wrong)?.to_owned()),
            Kind::Int => Cell::Int(value.as_i64().ok_or_else(wrong)?),
            Kind::Bool => Cell::Bool(value.as_bool().ok_or_else(wrong)?),
            Kind::Time => {
                Cell::Time(value.as_str().and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok()).ok_or_else(wrong)?)
            }
        })
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Uuid => "a UUID",
        Kind::Person => "a person",
        Kind::Text => "text",
        Kind::Int => "an integer",
        Kind::Bool => "true or false",
        Kind::Time => "an RFC 3339 time",
    }
}

/// Reads one column of a database row, on either backend.
pub fn read_cell<'r, R>(row: &'r R, index: usize, kind: Kind) -> Result<Cell, sqlx::Error>
where
    R: Row,
    usize: ColumnIndex<R>,
    Option<Uuid>: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
    Option<OffsetDateTime>: Decode<'r, R::Database> + Type<R::Database>,
{
    let cell = match kind {
        Kind::Uuid | Kind::Person => row.try_get::<Option<Uuid>, _>(index)?.map(Cell::Uuid),
        Kind::Text => row.try_get::<Option<String>, _>(index)?.map(Cell::Text),
        Kind::Int => row.try_get::<Option<i64>, _>(index)?.map(Cell::Int),
        Kind::Bool => row.try_get::<Option<bool>, _>(index)?.map(Cell::Bool),
        Kind::Time => row.try_get::<Option<OffsetDateTime>, _>(index)?.map(Cell::Time),
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// Writes a row as its canonical line (without the newline). `columns` are
/// the ones written, in order; `cells` their values.
pub fn line(columns: &[&Column], cells: &[Value]) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    for (i, (column, value)) in columns.iter().zip(cells).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(column.name.to_owned()).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

/// The columns of `table` an archive line carries, in order, and checks
/// that every key of `object` is one of them.
pub fn parse_line(table: &'static Table, text: &str) -> Result<serde_json::Map<String, Value>, ArchiveError> {
    let bad = |why: &str| ArchiveError::Invalid(format!("The archive's table {} has a row that {why}.", table.name));
    let value: Value = serde_json::from_str(text).map_err(|_| bad("is not a JSON object"))?;
    let Value::Object(object) = value else { return Err(bad("is not a JSON object")) };
    if let Some(unknown) = object.keys().find(|k| table.column(k).is_none()) {
        return Err(ArchiveError::Invalid(format!(
            "The archive's table {} has a column Easel does not know: {unknown}.",
            table.name
        )));
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::catalogue;

    #[test]
    fn times_are_utc_with_microseconds() {
        let at = OffsetDateTime::parse("2026-11-27T14:05:06.123456789+02:00", &Rfc3339).expect("time");
        assert_eq!(time_text(at), "2026-11-27T12:05:06.123456Z");
        let whole = OffsetDateTime::parse("2026-01-02T03:04:05Z", &Rfc3339).expect("time");
        assert_eq!(time_text(whole), "2026-01-02T03:04:05.000000Z");
    }

    #[test]
    fn a_line_round_trips() {
        let table = catalogue::table("collections").expect("table");
        let id = Uuid::now_v7();
        let cells = [
            Cell::Uuid(id),
            Cell::Uuid(id),
            Cell::Text("Blue \"period\"\n".into()),
            Cell::Text(String::new()),
            Cell::Time(OffsetDateTime::UNIX_EPOCH),
            Cell::Time(OffsetDateTime::UNIX_EPOCH),
        ];
        let columns: Vec<&Column> = table.columns.iter().collect();
        let values: Vec<Value> = cells.iter().map(Cell::to_json).collect();
        let text = line(&columns, &values);
        assert!(!text.contains('\n'));
        assert!(text.starts_with(&format!("{{\"workspace_id\":\"{id}\",\"id\"")));
        let object = parse_line(table, &text).expect("parse");
        for (column, cell) in table.columns.iter().zip(&cells) {
            assert_eq!(&Cell::from_json(&object[column.name], column, table.name).expect("cell"), cell);
        }
    }

    #[test]
    fn wrong_values_are_named() {
        let table = catalogue::table("images").expect("table");
        let column = table.column("width").expect("column");
        let err = Cell::from_json(&Value::String("wide".into()), column, "images").expect_err("refused");
        assert!(err.to_string().contains("column width"), "{err}");
        assert!(parse_line(table, "{\"evil\":1}").expect_err("unknown").to_string().contains("evil"));
    }
}
