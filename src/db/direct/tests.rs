use sqlx::Connection;

use super::row::time_from_text;
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
    let rows: Vec<Sample> = fetch_all(&mut conn, sql, &[Uuid::nil().into(), at.into(), 10_i64.into()]).await.unwrap();
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
    assert!(matches!(&broken, Err(sqlx::Error::Database(e)) if e.message().contains("nowhere")), "{broken:?}");
    let two = "SELECT id, at, title, count, sold FROM t; DELETE FROM t";
    let two = fetch_all::<Sample>(&mut conn, two, &[]).await;
    assert!(matches!(two, Err(sqlx::Error::Protocol(_))), "{two:?}");
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
    assert_eq!(time_from_text("2030-06-01 11:30:15.25+02:00"), Ok(at));
    assert_eq!(time_from_text("2030-06-01 09:30:15.25Z"), Ok(at));
    assert_eq!(time_from_text("2030-06-01 09:30"), Ok(time::macros::datetime!(2030-06-01 09:30 UTC)));
    assert!(time_from_text("June").is_err());
}
