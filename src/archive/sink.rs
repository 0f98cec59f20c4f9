//! Writing canonical rows into a database, a batch of rows per statement,
//! on either backend.

use sqlx::{Database, Encode, Type, query::Query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ArchiveError,
    canonical::Cell,
    catalogue::{Column, Kind, Table},
};
use crate::db::Tx;

/// Parameters per statement: well under both backends' limits.
const PARAMETERS: usize = 900;

/// Gathers rows of one table and inserts them in batches.
pub struct Inserter {
    table: &'static Table,
    columns: Vec<&'static Column>,
    rows: Vec<Vec<Cell>>,
    batch: usize,
    pub inserted: u64,
}

impl Inserter {
    pub fn new(table: &'static Table, columns: Vec<&'static Column>) -> Self {
        let batch = (PARAMETERS / columns.len().max(1)).max(1);
        Self { table, columns, rows: Vec::with_capacity(batch), batch, inserted: 0 }
    }

    pub fn columns(&self) -> &[&'static Column] {
        &self.columns
    }

    pub async fn push(&mut self, tx: &mut Tx, cells: Vec<Cell>) -> Result<(), ArchiveError> {
        self.rows.push(cells);
        if self.rows.len() >= self.batch { self.flush(tx).await } else { Ok(()) }
    }

    pub async fn flush(&mut self, tx: &mut Tx) -> Result<(), ArchiveError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = insert_sql(self.table, &self.columns, self.rows.len());
        let kinds: Vec<Kind> = self.columns.iter().map(|c| c.kind).collect();
        let rows = std::mem::take(&mut self.rows);
        let count = rows.len() as u64;
        let table = self.table.name;
        let done = crate::db::query::on_backend!(tx, c => {
            let mut query = sqlx::query(&sql);
            for row in rows {
                for (cell, kind) in row.into_iter().zip(&kinds) {
                    query = bind(query, cell, *kind);
                }
            }
            query.execute(c).await.map(|_| ())
        });
        done.map_err(|e| ArchiveError::Db(format!("writing the table {table}: {e}")))?;
        self.inserted += count;
        Ok(())
    }
}

fn insert_sql(table: &Table, columns: &[&Column], rows: usize) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, names.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            n += 1;
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    sql
}

/// Binds one cell; a NULL is bound with its column's type, which
/// PostgreSQL needs.
fn bind<'q, DB: Database>(
    query: Query<'q, DB, <DB as Database>::Arguments<'q>>,
    cell: Cell,
    kind: Kind,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    Option<Uuid>: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<OffsetDateTime>: Encode<'q, DB> + Type<DB>,
{
    match (cell, kind) {
        (Cell::Uuid(id), _) => query.bind(Some(id)),
        (Cell::Text(text), _) => query.bind(Some(text)),
        (Cell::Int(n), _) => query.bind(Some(n)),
        (Cell::Bool(b), _) => query.bind(Some(b)),
        (Cell::Time(at), _) => query.bind(Some(at)),
        (Cell::Null, Kind::Uuid | Kind::Person) => query.bind(None::<Uuid>),
        (Cell::Null, Kind::Text) => query.bind(None::<String>),
        (Cell::Null, Kind::Int) => query.bind(None::<i64>),
        (Cell::Null, Kind::Bool) => query.bind(None::<bool>),
        (Cell::Null, Kind::Time) => query.bind(None::<OffsetDateTime>),
    }
}

/// A write transaction that may touch every workspace (on PostgreSQL,
/// `app.platform_admin`), for imports, restores and copies.
pub async fn begin(db: &crate::db::Db) -> Result<Tx, ArchiveError> {
    Ok(crate::db::AdminTx::begin(db).await?.into_tx())
}
