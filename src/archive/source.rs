//! Reading tables as canonical rows from one consistent snapshot: one read
//! transaction on SQLite, one `REPEATABLE READ` transaction on PostgreSQL,
//! so a backup taken while Easel serves sees one moment of the data.

use futures_util::{StreamExt, stream::BoxStream};
use uuid::Uuid;

use super::{
    ArchiveError,
    canonical::{Cell, read_cell},
    catalogue::{Column, Kind, Scope, Table},
};
use crate::db::{Databases, Db, Tx};

/// Which rows of a table to read.
#[derive(Clone, Copy, Debug)]
pub enum Rows {
    All,
    /// The rows of one workspace (`workspace_id`, or `id` for `workspaces`).
    Workspace(Uuid),
    /// The rows about one person (their account, memberships, what they did).
    Person(Uuid),
}

pub struct Snapshot {
    /// The main database: global tables (and every workspace placed there).
    tx: Tx,
    /// Other databases holding workspaces' own tables: the one database of
    /// a workspace placed apart (then `main` has none of its rows), or every
    /// named database for an instance archive.
    others: Vec<Tx>,
    /// Whether `main` holds workspace rows this snapshot reads.
    main_has_rows: bool,
}

impl Snapshot {
    /// Opens the snapshot. On PostgreSQL the transaction may see every
    /// workspace (`app.platform_admin`), since an archive is platform work.
    pub async fn begin(db: &Db) -> Result<Self, ArchiveError> {
        Ok(Self { tx: open(db).await?, others: Vec::new(), main_has_rows: true })
    }

    /// A snapshot of a workspace whose rows live in `data`, another database
    /// than `main` (two snapshots, one per database: nothing is written to
    /// a workspace being archived, so they agree).
    pub async fn begin_placed(main: &Db, data: &Db) -> Result<Self, ArchiveError> {
        Ok(Self { tx: open(main).await?, others: vec![open(data).await?], main_has_rows: false })
    }

    /// A snapshot of every database: global tables from `main`, workspace
    /// tables from all of them (one snapshot per database).
    pub async fn begin_all(databases: &Databases) -> Result<Self, ArchiveError> {
        let mut others = Vec::new();
        for (_, db) in databases.all().into_iter().skip(1) {
            others.push(open(db).await?);
        }
        Ok(Self { tx: open(databases.main()).await?, others, main_has_rows: true })
    }

    /// The transaction on the main database, for global tables.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// The transaction for one workspace's own tables.
    pub fn data_tx(&mut self) -> &mut Tx {
        match self.others.first_mut() {
            Some(data) if !self.main_has_rows => data,
            _ => &mut self.tx,
        }
    }

    /// The transactions a table's rows are read from.
    fn sides(&mut self, global: bool) -> Vec<&mut Tx> {
        let mut sides = Vec::new();
        if global || self.main_has_rows {
            sides.push(&mut self.tx);
        }
        if !global {
            sides.extend(self.others.iter_mut());
        }
        sides
    }

    /// The last migration applied (the archive's schema version).
    pub async fn schema_version(&mut self) -> Result<i64, ArchiveError> {
        Ok(schema_version(&mut self.tx).await?)
    }

    pub async fn count(&mut self, table: &Table, rows: Rows) -> Result<u64, ArchiveError> {
        let (filter, id) = filter(table, rows);
        let sql = format!("SELECT COUNT(*) FROM {}{filter}", table.name);
        let mut total = 0;
        for tx in self.sides(table.scope == Scope::Global) {
            let count: i64 = match id {
                Some(id) => crate::db::query::fetch_scalar!(tx, i64, &sql, id)?,
                None => crate::db::query::fetch_scalar!(tx, i64, &sql)?,
            };
            total += count.max(0) as u64;
        }
        Ok(total)
    }

    /// Every row's cells (in `columns` order), in primary key order within
    /// each database, as a stream: nothing is held but the current row.
    pub fn rows<'a>(&'a mut self, query: &'a Query) -> BoxStream<'a, Result<Vec<Cell>, ArchiveError>> {
        let sides = self.sides(query.global);
        futures_util::stream::iter(sides).flat_map(move |tx| stream_rows(tx, query)).boxed()
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.tx, Tx::Postgres(_))
    }

    pub async fn close(self) -> Result<(), ArchiveError> {
        for other in self.others {
            other.commit().await?;
        }
        Ok(self.tx.commit().await?)
    }
}

/// One database's rows of `query`, streamed.
fn stream_rows<'a>(tx: &'a mut Tx, query: &'a Query) -> BoxStream<'a, Result<Vec<Cell>, ArchiveError>> {
    let (sql, id, kinds) = (query.sql.as_str(), query.id, query.kinds.as_slice());
    crate::db::query::on_backend!(tx, c => {
        let mut statement = sqlx::query(sql);
        if let Some(id) = id {
            statement = statement.bind(id);
        }
        statement
            .fetch(c)
            .map(move |row| {
                let row = row?;
                let mut cells = Vec::with_capacity(kinds.len());
                for (i, kind) in kinds.iter().enumerate() {
                    cells.push(read_cell(&row, i, *kind)?);
                }
                Ok(cells)
            })
            .boxed()
    })
}

async fn open(db: &Db) -> Result<Tx, ArchiveError> {
    Ok(match db {
        Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
        Db::Postgres(pool) => {
            let mut tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ").await?;
            sqlx::query("SELECT set_config('app.platform_admin', 'on', true)").execute(&mut *tx).await?;
            Tx::Postgres(tx)
        }
    })
}

/// A query whose rows a snapshot streams: its SQL, the one id it may take,
/// and the kinds of its columns.
pub struct Query {
    sql: String,
    id: Option<Uuid>,
    kinds: Vec<Kind>,
    /// Reads global tables (in `main`), not the workspace's own.
    global: bool,
}

impl Query {
    /// A table's rows in key order.
    pub fn table(table: &Table, columns: &[&Column], rows: Rows, postgres: bool) -> Self {
        let sql = select(table, columns, rows, postgres);
        let kinds = columns.iter().map(|c| c.kind).collect();
        Self { sql, id: filter(table, rows).1, kinds, global: table.scope == Scope::Global }
    }

    /// Any SELECT of the workspace's own tables, with its one parameter.
    pub fn sql(sql: String, id: Option<Uuid>, kinds: Vec<Kind>) -> Self {
        Self { sql, id, kinds, global: false }
    }

    /// Any SELECT of global tables, with its one parameter.
    pub fn global_sql(sql: String, id: Option<Uuid>, kinds: Vec<Kind>) -> Self {
        Self { sql, id, kinds, global: true }
    }
}

pub async fn schema_version(tx: &mut Tx) -> sqlx::Result<i64> {
    let version: Option<i64> =
        crate::db::query::fetch_scalar!(tx, Option<i64>, "SELECT MAX(version) FROM _sqlx_migrations")?;
    Ok(version.unwrap_or(0))
}

fn filter(table: &Table, rows: Rows) -> (String, Option<Uuid>) {
    match rows {
        Rows::All => (String::new(), None),
        Rows::Workspace(id) => {
            let column = if table.name == "workspaces" { "id" } else { "workspace_id" };
            (format!(" WHERE {column} = $1"), Some(id))
        }
        Rows::Person(id) => {
            let column = match table.name {
                "users" => "id",
                "memberships" => "user_id",
                _ => "actor_id",
            };
            (format!(" WHERE {column} = $1"), Some(id))
        }
    }
}

/// The SELECT of a table in key order. Text keys compare byte-wise on both
/// backends (`COLLATE "C"` on PostgreSQL, SQLite's default), so both write
/// rows in the same order.
fn select(table: &Table, columns: &[&Column], rows: Rows, postgres: bool) -> String {
    let list: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let order: Vec<String> = table
        .key
        .iter()
        .map(|k| match table.column(k).map(|c| c.kind) {
            Some(Kind::Text) if postgres => format!("{k} COLLATE \"C\""),
            _ => (*k).to_owned(),
        })
        .collect();
    format!("SELECT {} FROM {}{} ORDER BY {}", list.join(", "), table.name, filter(table, rows).0, order.join(", "))
}
