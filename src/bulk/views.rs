//! The pages of the bulk actions.

use askama::Template;
use uuid::Uuid;

use crate::{settings::queries::HashtagSet, web::Layout};

/// One selected post, as listed before an action.
pub struct Row {
    pub id: Uuid,
    pub when: String,
    pub platform: &'static str,
    pub calendar: String,
    pub caption: String,
}

/// "Which hashtag set?" or "Delete these posts?": the selection carried
/// on in hidden fields, nothing changed yet.
#[derive(Template)]
#[template(path = "bulk/choice.html")]
pub struct ChoiceView {
    pub layout: Layout,
    pub action: String,
    pub rows: Vec<Row>,
    pub back: String,
    pub hashtag_sets: Vec<HashtagSet>,
}
