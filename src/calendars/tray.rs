//! The library tray beside a calendar: artwork to drag onto a day or a post.

use serde::Deserialize;
use uuid::Uuid;

use crate::{
    collections::queries::{self as collections, Collection},
    db::WorkspaceTx,
    images::queries::{self as images, Filter, ImageCard},
};

/// How many pieces the tray lists at once; a search finds the others.
pub const TRAY_SIZE: i64 = 24;

#[derive(Deserialize, Default)]
pub struct TrayQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub collection: String,
}

#[derive(Default)]
pub struct Tray {
    pub q: String,
    pub collection: String,
    pub collections: Vec<Collection>,
    pub cards: Vec<ImageCard>,
    /// More pieces match than the tray shows.
    pub more: bool,
    /// The day the "Plan…" forms suggest.
    pub date: String,
}

impl Tray {
    pub fn is_collection(&self, c: &Collection) -> bool {
        c.id.to_string() == self.collection
    }
}

pub async fn load(tx: &mut WorkspaceTx, q: &TrayQuery, date: String) -> sqlx::Result<Tray> {
    let filter = Filter {
        search: q.q.trim().to_lowercase(),
        collection: Uuid::parse_str(q.collection.trim()).ok(),
        limit: TRAY_SIZE + 1,
        ..Filter::default()
    };
    let mut cards = images::gallery(tx, &filter).await?;
    let more = cards.len() as i64 > TRAY_SIZE;
    cards.truncate(TRAY_SIZE as usize);
    Ok(Tray {
        q: q.q.clone(),
        collection: q.collection.clone(),
        collections: collections::all(tx).await?,
        cards,
        more,
        date,
    })
}
