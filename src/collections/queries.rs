//! SQL of collections and the images in them.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        WorkspaceTx,
        query::{execute, fetch_all, fetch_optional, fetch_scalar},
    },
    images::queries::ImageCard,
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Collection {
    pub id: Uuid,
    pub name: String,
    pub description: String,
}

/// A collection as its card shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CollectionCard {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub image_count: i64,
    pub cover_id: Option<Uuid>,
}

/// An image in a collection, in order.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    pub id: Uuid,
    pub title: String,
    pub alt_text: String,
    pub width: i64,
    pub height: i64,
    pub is_cover: bool,
}

pub async fn create(tx: &mut WorkspaceTx, name: &str, description: &str) -> sqlx::Result<Uuid> {
    let ws = tx.workspace_id();
    let id = Uuid::now_v7();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "INSERT INTO collections (workspace_id, id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
        ws,
        id,
        name,
        description,
        now
    )?;
    Ok(id)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Collection>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        Collection,
        "SELECT id, name, description FROM collections WHERE workspace_id = $1 AND id = $2",
        ws,
        id
    )
}

pub async fn update(tx: &mut WorkspaceTx, id: Uuid, name: &str, description: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE collections SET name = $3, description = $4, updated_at = $5 WHERE workspace_id = $1 AND id = $2",
        ws,
        id,
        name,
        description,
        OffsetDateTime::now_utc()
    )
}

pub async fn delete(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(tx, "DELETE FROM collections WHERE workspace_id = $1 AND id = $2", ws, id)
}

/// Every collection, by name (for pickers and filters).
pub async fn all(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Collection>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Collection,
        "SELECT id, name, description FROM collections WHERE workspace_id = $1 ORDER BY LOWER(name), id",
        ws
    )
}

/// Every collection with its size and cover (the chosen one, else the first).
pub async fn cards(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<CollectionCard>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        CollectionCard,
        "SELECT c.id, c.name, c.description, \
           (SELECT COUNT(*) FROM collection_images m WHERE m.workspace_id = c.workspace_id AND m.collection_id = c.id) \
             AS image_count, \
           (SELECT m.image_id FROM collection_images m WHERE m.workspace_id = c.workspace_id AND m.collection_id = c.id \
             ORDER BY m.is_cover DESC, m.position, m.image_id LIMIT 1) AS cover_id \
         FROM collections c WHERE c.workspace_id = $1 ORDER BY LOWER(c.name), c.id",
        ws
    )
}

pub async fn members(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<Member>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Member,
        "SELECT i.id, i.title, i.alt_text, i.width, i.height, m.is_cover FROM collection_images m \
         JOIN images i ON i.workspace_id = m.workspace_id AND i.id = m.image_id \
         WHERE m.workspace_id = $1 AND m.collection_id = $2 ORDER BY m.position, m.image_id",
        ws,
        id
    )
}

/// Collections holding an image, for its page.
pub async fn containing(tx: &mut WorkspaceTx, image: Uuid) -> sqlx::Result<Vec<Collection>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Collection,
        "SELECT c.id, c.name, c.description FROM collections c \
         JOIN collection_images m ON m.workspace_id = c.workspace_id AND m.collection_id = c.id \
         WHERE c.workspace_id = $1 AND m.image_id = $2 ORDER BY LOWER(c.name)",
        ws,
        image
    )
}

/// Appends images (already checked to be this workspace's) at the end;
/// ones already in the collection stay where they are.
pub async fn add_images(tx: &mut WorkspaceTx, id: Uuid, images: &[Uuid]) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    let mut next: i64 = fetch_scalar!(
        tx,
        i64,
        "SELECT COALESCE(MAX(position), -1) + 1 FROM collection_images WHERE workspace_id = $1 AND collection_id = $2",
        ws,
        id
    )?;
    let now = OffsetDateTime::now_utc();
    let mut added = 0;
    for image in images {
        added += execute!(
            tx,
            "INSERT INTO collection_images (workspace_id, collection_id, image_id, position, is_cover, added_at) \
             VALUES ($1, $2, $3, $4, FALSE, $5) ON CONFLICT DO NOTHING",
            ws,
            id,
            *image,
            next,
            now
        )?;
        next += 1;
    }
    Ok(added)
}

pub async fn remove_image(tx: &mut WorkspaceTx, id: Uuid, image: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM collection_images WHERE workspace_id = $1 AND collection_id = $2 AND image_id = $3",
        ws,
        id,
        image
    )
}

/// Writes positions 0, 1, 2, … in the given order.
pub async fn set_order(tx: &mut WorkspaceTx, id: Uuid, ordered: &[Uuid]) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    for (position, image) in ordered.iter().enumerate() {
        execute!(
            tx,
            "UPDATE collection_images SET position = $4 WHERE workspace_id = $1 AND collection_id = $2 AND image_id = $3",
            ws,
            id,
            *image,
            position as i64
        )?;
    }
    Ok(())
}

pub async fn set_cover(tx: &mut WorkspaceTx, id: Uuid, image: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE collection_images SET is_cover = FALSE WHERE workspace_id = $1 AND collection_id = $2",
        ws,
        id
    )?;
    execute!(
        tx,
        "UPDATE collection_images SET is_cover = TRUE WHERE workspace_id = $1 AND collection_id = $2 AND image_id = $3",
        ws,
        id,
        image
    )
}

impl Member {
    pub fn card(&self) -> ImageCard {
        ImageCard {
            id: self.id,
            title: self.title.clone(),
            alt_text: self.alt_text.clone(),
            width: self.width,
            height: self.height,
        }
    }
}
