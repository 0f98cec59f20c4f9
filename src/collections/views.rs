//! Collection pages.

use askama::Template;

use super::{
    CollectionErrors,
    queries::{Collection, CollectionCard, Member},
};
use crate::{images::queries::ImageCard, web::Layout};

#[derive(Template)]
#[template(path = "collections/index.html")]
pub struct CollectionsView {
    pub layout: Layout,
    pub cards: Vec<CollectionCard>,
    pub can_edit: bool,
    pub name: String,
    pub description: String,
    pub errors: CollectionErrors,
}

#[derive(Template)]
#[template(path = "collections/show.html")]
pub struct CollectionView {
    pub layout: Layout,
    pub collection: Collection,
    pub members: Vec<Member>,
    pub can_edit: bool,
    pub name: String,
    pub description: String,
    pub errors: CollectionErrors,
}

#[derive(Template)]
#[template(path = "collections/add.html")]
pub struct PickerView {
    pub layout: Layout,
    pub collection: Collection,
    pub cards: Vec<ImageCard>,
    pub q: String,
    pub in_collection: Vec<uuid::Uuid>,
}

impl PickerView {
    pub fn contains(&self, card: &ImageCard) -> bool {
        self.in_collection.contains(&card.id)
    }
}

impl Member {
    pub fn alt(&self) -> &str {
        if self.alt_text.is_empty() { &self.title } else { &self.alt_text }
    }
}
