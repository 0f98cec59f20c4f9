//! SQL of the artwork library. Every function runs in the workspace's
//! transaction and names its id in every statement.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    collections::queries::Collection,
    db::{
        WorkspaceTx,
        query::{and_each, execute, fetch_all, fetch_optional},
        search,
    },
};

/// What the gallery grid shows of an image.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImageCard {
    pub id: Uuid,
    pub title: String,
    pub alt_text: String,
    pub width: i64,
    pub height: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Image {
    pub id: Uuid,
    pub sha256: String,
    pub original_name: String,
    pub content_type: String,
    pub extension: String,
    pub byte_size: i64,
    pub stored_bytes: i64,
    pub width: i64,
    pub height: i64,
    pub title: String,
    pub description: String,
    pub medium: String,
    pub dimensions: String,
    pub year: Option<i32>,
    pub price: String,
    pub availability: String,
    pub alt_text: String,
    pub created_at: OffsetDateTime,
    /// Up to five `#rrggbb` colours, most dominant first; '' until computed.
    pub palette: String,
}

const IMAGE_COLUMNS: &str = "id, sha256, original_name, content_type, extension, byte_size, stored_bytes, width, \
     height, title, description, medium, dimensions, year, price, availability, alt_text, created_at, palette";

pub struct NewImage<'a> {
    pub id: Uuid,
    pub sha256: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub extension: &'a str,
    pub byte_size: i64,
    pub stored_bytes: i64,
    pub width: i64,
    pub height: i64,
    pub title: &'a str,
    /// The dominant colours, computed at upload (see `images::palette`).
    pub palette: &'a str,
}

/// The editable description of a piece.
pub struct Details {
    pub title: String,
    pub description: String,
    pub medium: String,
    pub dimensions: String,
    pub year: Option<i32>,
    pub price: String,
    pub availability: String,
    pub alt_text: String,
}

/// Filters of the gallery; empty strings and `None` mean "any".
#[derive(Default)]
pub struct Filter {
    pub search: String,
    pub tag: String,
    pub collection: Option<Uuid>,
    /// Only images that are in no post yet.
    pub unscheduled: bool,
    pub before: Option<Uuid>,
    pub limit: i64,
}

pub async fn id_by_sha256(tx: &mut WorkspaceTx, sha256: &str) -> sqlx::Result<Option<Uuid>> {
    let ws = tx.workspace_id();
    let row: Option<(Uuid,)> =
        fetch_optional!(tx, (Uuid,), "SELECT id FROM images WHERE workspace_id = $1 AND sha256 = $2", ws, sha256)?;
    Ok(row.map(|(id,)| id))
}

pub async fn insert(tx: &mut WorkspaceTx, new: &NewImage<'_>) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "INSERT INTO images (workspace_id, id, sha256, original_name, content_type, extension, byte_size, \
           stored_bytes, width, height, title, created_at, updated_at, palette) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
        ws,
        new.id,
        new.sha256,
        new.original_name,
        new.content_type,
        new.extension,
        new.byte_size,
        new.stored_bytes,
        new.width,
        new.height,
        new.title,
        now,
        new.palette,
    )
    .map(drop)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Image>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {IMAGE_COLUMNS} FROM images WHERE workspace_id = $1 AND id = $2");
    fetch_optional!(tx, Image, &sql, ws, id)
}

pub async fn update_details(tx: &mut WorkspaceTx, id: Uuid, d: &Details) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE images SET title = $3, description = $4, medium = $5, dimensions = $6, year = $7, price = $8, \
           availability = $9, alt_text = $10, updated_at = $11 \
         WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        &d.title,
        &d.description,
        &d.medium,
        &d.dimensions,
        d.year,
        &d.price,
        &d.availability,
        &d.alt_text,
        OffsetDateTime::now_utc(),
    )
}

/// Deletes the row (tags and collection places go with it); returns what was
/// deleted so its files can follow.
pub async fn delete(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Image>> {
    let Some(image) = get(tx, id).await? else { return Ok(None) };
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM images WHERE workspace_id = $1 AND id = $2", ws, id)?;
    Ok(Some(image))
}

pub async fn tags_of(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<String>> {
    let ws = tx.workspace_id();
    let rows: Vec<(String,)> = fetch_all!(
        tx,
        (String,),
        "SELECT tag FROM image_tags WHERE workspace_id = $1 AND image_id = $2 ORDER BY tag",
        ws,
        id
    )?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

pub async fn replace_tags(tx: &mut WorkspaceTx, id: Uuid, tags: &[String]) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM image_tags WHERE workspace_id = $1 AND image_id = $2", ws, id)?;
    add_tags(tx, id, tags).await
}

pub async fn add_tags(tx: &mut WorkspaceTx, id: Uuid, tags: &[String]) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    for tag in tags {
        execute!(
            tx,
            "INSERT INTO image_tags (workspace_id, image_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            ws,
            id,
            tag
        )?;
    }
    Ok(())
}

/// What the gallery shows beside its cards.
pub struct Sidebar {
    /// Every tag in use, with how many images carry it.
    pub tags: Vec<(String, i64)>,
    /// Every collection, by name.
    pub collections: Vec<Collection>,
    /// How many pieces the workspace holds.
    pub image_count: i64,
}

#[derive(sqlx::FromRow)]
struct SidebarRow {
    kind: String,
    id: Option<Uuid>,
    name: String,
    description: String,
    n: i64,
}

/// The gallery's tags, collections and piece count in one statement: three
/// were a round trip each on every gallery page.
pub async fn sidebar(tx: &mut WorkspaceTx) -> sqlx::Result<Sidebar> {
    let ws = tx.workspace_id();
    let rows = fetch_all!(
        tx,
        SidebarRow,
        "SELECT * FROM ( \
           SELECT 'tag' AS kind, NULL AS id, tag AS name, '' AS description, COUNT(*) AS n \
           FROM image_tags WHERE workspace_id = $1 GROUP BY tag \
           UNION ALL SELECT 'collection', id, name, description, 0 FROM collections WHERE workspace_id = $1 \
           UNION ALL SELECT 'count', NULL, '', '', image_count FROM workspace_usage WHERE workspace_id = $1) s \
         ORDER BY kind, LOWER(name), id",
        ws
    )?;
    let mut sidebar = Sidebar { tags: Vec::new(), collections: Vec::new(), image_count: 0 };
    for row in rows {
        match (row.kind.as_str(), row.id) {
            ("tag", _) => sidebar.tags.push((row.name, row.n)),
            ("collection", Some(id)) => {
                sidebar.collections.push(Collection { id, name: row.name, description: row.description })
            }
            ("count", _) => sidebar.image_count = row.n,
            // A collection always has an id; the statement makes no other kind.
            _ => {}
        }
    }
    Ok(sidebar)
}

/// One page of the gallery, newest first (ids are time-ordered).
/// Only the filters in use are written in (`db::query::and_each`).
pub async fn gallery(tx: &mut WorkspaceTx, f: &Filter) -> sqlx::Result<Vec<ImageCard>> {
    let ws = tx.workspace_id();
    // The filters besides search and paging; with none on, search may pick
    // the page itself (`ImageSearch::alone`).
    let narrowing = [
        (!f.tag.is_empty(), "i.id IN (SELECT t.image_id FROM image_tags t WHERE t.workspace_id = $1 AND t.tag = $4)"),
        (
            f.collection.is_some(),
            "EXISTS (SELECT 1 FROM collection_images c \
             WHERE c.workspace_id = i.workspace_id AND c.image_id = i.id AND c.collection_id = $5)",
        ),
        (
            f.unscheduled,
            "NOT EXISTS (SELECT 1 FROM event_images x WHERE x.workspace_id = i.workspace_id AND x.image_id = i.id)",
        ),
    ];
    let narrowed = narrowing.iter().any(|(on, _)| *on);
    let (searching, condition, first, second) = match search::images(tx, &f.search) {
        Some(s) => (true, s.alone.filter(|_| !narrowed).unwrap_or(s.condition), s.first, s.second),
        None => (false, "", String::new(), String::new()),
    };
    let mut sql =
        String::from("SELECT i.id, i.title, i.alt_text, i.width, i.height FROM images i WHERE i.workspace_id = $1");
    let mut filters = vec![(searching, condition), (f.before.is_some(), "i.id < $6")];
    filters.extend(narrowing);
    and_each(&mut sql, &filters);
    sql.push_str(" ORDER BY i.id DESC LIMIT $7");
    fetch_all!(tx, ImageCard, &sql, ws, first, second, &f.tag, f.collection, f.before, f.limit, f.unscheduled)
}

/// Stores the palette computed for an image that had none.
pub async fn set_palette(tx: &mut WorkspaceTx, id: Uuid, palette: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "UPDATE images SET palette = $3 WHERE workspace_id = $1 AND id = $2 AND palette = ''", ws, id, palette)
}

/// The ids among `ids` that are images of this workspace.
pub async fn existing(tx: &mut WorkspaceTx, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    let mut found = Vec::with_capacity(ids.len());
    let ws = tx.workspace_id();
    for id in ids {
        let row: Option<(Uuid,)> =
            fetch_optional!(tx, (Uuid,), "SELECT id FROM images WHERE workspace_id = $1 AND id = $2", ws, *id)?;
        if let Some((id,)) = row {
            found.push(id);
        }
    }
    Ok(found)
}
