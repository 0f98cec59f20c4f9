//! Pages and fragments of the artwork library.

use askama::Template;
use uuid::Uuid;

use super::{
    queries::{Image, ImageCard},
    upload::{FileResult, Outcome},
};
use crate::{collections::queries::Collection, web::Layout};

/// The gallery's filters, as they appear in links.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct GalleryParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub collection: String,
    #[serde(default)]
    pub unscheduled: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub part: String,
}

impl GalleryParams {
    /// The query string of the next page after `last`.
    pub fn next_page(&self, last: Uuid) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in
            [("q", &self.q), ("tag", &self.tag), ("collection", &self.collection), ("unscheduled", &self.unscheduled)]
        {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        query.append_pair("before", &last.to_string());
        format!("/images?{}", query.finish())
    }

    pub fn is_filtered(&self) -> bool {
        !(self.q.is_empty() && self.tag.is_empty() && self.collection.is_empty() && self.unscheduled.is_empty())
    }
}

#[derive(Template)]
#[template(path = "images/library.html")]
pub struct LibraryView {
    pub layout: Layout,
    pub cards: Vec<ImageCard>,
    pub next_page: Option<String>,
    pub params: GalleryParams,
    pub tags: Vec<(String, i64)>,
    pub collections: Vec<Collection>,
    pub can_edit: bool,
    pub max_upload_mb: u64,
    pub image_count: i64,
}

/// The next page of cards, appended by HTMX.
#[derive(Template)]
#[template(path = "images/grid_page.html")]
pub struct GridPageView {
    pub cards: Vec<ImageCard>,
    pub next_page: Option<String>,
    pub can_edit: bool,
}

#[derive(Template)]
#[template(path = "images/upload_results.html")]
pub struct UploadResultsView {
    pub layout: Layout,
    pub results: Vec<FileResult>,
}

/// One line per file, for the uploader's list.
#[derive(Template)]
#[template(path = "images/upload_result_items.html")]
pub struct UploadResultItems {
    pub results: Vec<FileResult>,
}

#[derive(Template)]
#[template(path = "images/detail.html")]
pub struct ImageView {
    pub layout: Layout,
    pub image: Image,
    pub form: DetailsForm,
    pub errors: DetailsErrors,
    pub collections: Vec<Collection>,
    pub can_edit: bool,
    pub crops: super::crops::CropEditor,
}

/// The artwork page's query: which crop format's tab is open.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ImageParams {
    #[serde(default)]
    pub crop: String,
}

/// The details form as typed (kept on errors).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct DetailsForm {
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub title: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    pub description: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub medium: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub dimensions: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub availability: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub tags: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub alt_text: String,
}

#[derive(Default)]
pub struct DetailsErrors {
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub medium: Option<&'static str>,
    pub dimensions: Option<&'static str>,
    pub year: Option<&'static str>,
    pub price: Option<&'static str>,
    pub availability: Option<&'static str>,
    pub tags: Option<&'static str>,
    pub alt_text: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "images/bulk_delete.html")]
pub struct BulkDeleteView {
    pub layout: Layout,
    pub cards: Vec<ImageCard>,
}

pub const AVAILABILITY: [(&str, &str); 3] =
    [("available", "Available"), ("sold", "Sold"), ("not_for_sale", "Not for sale")];

impl FileResult {
    pub fn css(&self) -> &'static str {
        match self.outcome {
            Outcome::Added { .. } => "added",
            Outcome::AlreadyThere { .. } => "duplicate",
            Outcome::Refused { .. } => "refused",
        }
    }
}

impl Image {
    pub fn availability_label(&self) -> &'static str {
        AVAILABILITY.iter().find(|(v, _)| *v == self.availability).map_or("", |(_, l)| l)
    }

    pub fn megabytes(&self) -> String {
        format!("{:.1}", self.byte_size as f64 / (1024.0 * 1024.0))
    }
}

impl ImageCard {
    /// "crop cuts N%": how much the centred Instagram portrait crop cuts,
    /// when that is more than 15%.
    pub fn crop_cut(&self) -> Option<u32> {
        let (w, h) = super::crops::size_of(self.width, self.height);
        super::crops::geometry::badge_percent(super::presets::Preset::Portrait, w, h)
    }

    /// Alt text, else the title: a screen reader always hears something.
    pub fn alt(&self) -> &str {
        if self.alt_text.is_empty() { &self.title } else { &self.alt_text }
    }
}
