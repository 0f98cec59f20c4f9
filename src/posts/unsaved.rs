//! Choosing artwork for a post before its first save: the unsaved form's
//! fields travel through the picker and back as hidden inputs, and the
//! chosen pieces are assigned in the transaction that creates the post.

use askama::Template;
use axum::{extract::Path, response::Response};
use uuid::Uuid;

use super::views::PostForm;
use crate::{
    calendars::queries::{self as calendars, Calendar},
    collections::queries::{self as collections, Collection},
    db::WorkspaceTx,
    error::{AppError, AppResult},
    images::queries::{self as images, Filter, ImageCard},
    tenancy::{Permission, Workspace},
    web::{Layout, form::FormFields, ids::parse_id, page},
};

/// The editor fields that travel through the picker.
const CARRIED: [&str; 7] = ["date", "time", "platform", "caption", "hashtags", "notes", "status"];

/// The post form from the first value of each field (others ignored).
pub fn post_form(fields: &FormFields) -> AppResult<PostForm> {
    let mut map = serde_json::Map::new();
    for (key, value) in fields.pairs() {
        if key != "images" && !map.contains_key(key) {
            map.insert(key.clone(), serde_json::Value::String(value.clone()));
        }
    }
    serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|_| AppError::bad_request("The form could not be read. Reload the page and try again."))
}

/// The chosen pieces, in order, all of this workspace (else a 404).
pub async fn chosen(tx: &mut WorkspaceTx, fields: &FormFields) -> AppResult<Vec<ImageCard>> {
    let ids = fields.bounded_ids("images")?;
    let mut cards = Vec::with_capacity(ids.len());
    for id in ids {
        cards.push(super::queries::image_card(tx, id).await?.ok_or(AppError::NotFound)?);
    }
    Ok(cards)
}

#[derive(Template)]
#[template(path = "posts/picker_new.html")]
pub struct UnsavedPickerView {
    pub layout: Layout,
    pub calendar: Calendar,
    /// The editor's fields, carried as they were typed.
    pub carried: Vec<(&'static str, String)>,
    pub chosen: Vec<Uuid>,
    pub cards: Vec<ImageCard>,
    pub collections: Vec<Collection>,
    pub q: String,
    pub collection: String,
}

impl UnsavedPickerView {
    pub fn is_chosen(&self, card: &ImageCard) -> bool {
        self.chosen.contains(&card.id)
    }

    /// Chosen pieces the current search does not show: kept as hidden inputs.
    pub fn chosen_hidden(&self) -> Vec<Uuid> {
        self.chosen.iter().filter(|id| !self.cards.iter().any(|c| c.id == **id)).copied().collect()
    }
}

/// The picker for an unsaved post (a POST: it carries the form and its guard,
/// but changes nothing).
pub async fn view_picker(
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    fields: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let calendar = calendars::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let chosen = chosen(&mut tx, &fields).await?.into_iter().map(|c| c.id).collect();
    let (q, collection) = (fields.get("q").to_owned(), fields.get("collection").to_owned());
    let filter = Filter {
        search: q.trim().to_lowercase(),
        collection: Uuid::parse_str(collection.trim()).ok(),
        limit: 200,
        ..Filter::default()
    };
    let cards = images::gallery(&mut tx, &filter).await?;
    let collections = collections::all(&mut tx).await?;
    tx.commit().await?;
    let carried = CARRIED.iter().map(|k| (*k, fields.get(k).to_owned())).collect();
    page(UnsavedPickerView { layout, calendar, carried, chosen, cards, collections, q, collection })
}
