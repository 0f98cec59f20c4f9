//! The post editor and the artwork picker.

use askama::Template;
use uuid::Uuid;

use super::platforms::{self, PLATFORMS, Platform};
use crate::{
    calendars::queries::Calendar,
    collections::queries::Collection,
    images::{
        presets::{Preset, rendition_url},
        queries::ImageCard,
    },
    settings::queries::HashtagSet,
    web::Layout,
};

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PostForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    pub caption: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    pub hashtags: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    pub notes: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub add_hashtag_set: String,
}

#[derive(Default)]
pub struct PostErrors {
    pub date: Option<&'static str>,
    pub time: Option<&'static str>,
    pub platform: Option<&'static str>,
    pub status: Option<&'static str>,
    pub caption: Option<&'static str>,
    pub hashtags: Option<&'static str>,
    pub notes: Option<&'static str>,
}

impl PostErrors {
    pub fn any(&self) -> bool {
        [self.date, self.time, self.platform, self.status, self.caption, self.hashtags, self.notes]
            .iter()
            .any(Option::is_some)
    }
}

#[derive(Template)]
#[template(path = "posts/editor.html")]
pub struct PostView {
    pub layout: Layout,
    /// `None` while the post is being created.
    pub post_id: Option<Uuid>,
    /// The calendar's posts just before and after this one, in date order.
    pub neighbours: (Option<Uuid>, Option<Uuid>),
    pub calendar: Calendar,
    pub form: PostForm,
    pub errors: PostErrors,
    pub images: Vec<ImageCard>,
    pub hashtag_sets: Vec<HashtagSet>,
    pub can_edit: bool,
    pub time_zone: String,
    /// Why the "move to" date was refused, shown beside that field.
    pub move_error: Option<&'static str>,
    /// Whether the workspace has an OpenAI key (else captions come from a template).
    pub ai_ready: bool,
    /// What the caption writer just did, or why it could not.
    pub caption_note: Option<String>,
    pub caption_error: Option<String>,
    /// The post's hand-over to Publer, once asked for.
    pub publer: Option<crate::publer::queries::Send>,
    /// Titles of the post's artwork that has sold (the editor says so).
    pub sold: Vec<String>,
    /// A caption written for the post by a bulk job, waiting for "Use it" or "Discard".
    pub suggestion: Option<(String, String)>,
    /// The Publer account this calendar and platform post to, when mapped.
    pub account_name: Option<String>,
    /// The review panel, while the workspace approves posts (approvals).
    pub review: Option<crate::approvals::panel::ReviewPanel>,
    /// The saved post's comments and history, in one timeline.
    pub timeline: crate::comments::Timeline,
}

impl PostView {
    /// Why "Send to Publer" must wait, while approval is on and the post
    /// is not approved.
    pub fn send_blocked(&self) -> Option<&'static str> {
        let r = self.review.as_ref()?;
        crate::tenancy::approval::why_not_sent(r.mode, r.review)
    }

    /// The post's date as Easel writes dates ("Mon 3 Jun 2030").
    pub fn heading_date(&self) -> String {
        self.form.date.parse::<jiff::civil::Date>().map_or_else(|_| self.form.date.clone(), crate::web::dates::day)
    }

    pub fn platform(&self) -> Option<&'static Platform> {
        platforms::find(&self.form.platform)
    }

    pub fn text(&self) -> String {
        platforms::post_text(&self.form.caption, &self.form.hashtags)
    }

    pub fn char_count(&self) -> usize {
        self.text().chars().count()
    }

    pub fn hashtag_count(&self) -> usize {
        platforms::count_hashtags(&self.text())
    }

    pub fn chars_over(&self) -> bool {
        self.platform().and_then(|p| p.max_chars).is_some_and(|max| self.char_count() > max)
    }

    pub fn hashtags_over(&self) -> bool {
        self.platform().and_then(|p| p.max_hashtags).is_some_and(|max| self.hashtag_count() > max)
    }

    pub fn max_chars_label(&self) -> String {
        self.platform().and_then(|p| p.max_chars).map_or("no limit".into(), |m| m.to_string())
    }

    pub fn max_hashtags_label(&self) -> String {
        self.platform().and_then(|p| p.max_hashtags).map_or("no limit".into(), |m| m.to_string())
    }

    /// The artwork as this platform shows it: its preset's rendition, or the
    /// large preview (its own shape) for a platform without one.
    pub fn preview_src(&self, image: &ImageCard) -> String {
        match Preset::for_platform(&self.form.platform) {
            Some(preset) => rendition_url(image.id, preset),
            None => format!("/media/{}/large", image.id),
        }
    }

    /// The preview's intrinsic size (so the page keeps its place while the
    /// image loads): the preset's shape, or the artwork's own.
    pub fn preview_width(&self, image: &ImageCard) -> i64 {
        match Preset::for_platform(&self.form.platform) {
            Some(preset) => i64::from(preset.ratio().0) * 10,
            None => image.width.max(1),
        }
    }

    pub fn preview_height(&self, image: &ImageCard) -> i64 {
        match Preset::for_platform(&self.form.platform) {
            Some(preset) => i64::from(preset.ratio().1) * 10,
            None => image.height.max(1),
        }
    }

    /// Which crop the preview shows, in words.
    pub fn preview_shape(&self) -> String {
        match Preset::for_platform(&self.form.platform) {
            Some(preset) => format!("Shown with its {} crop", preset.label()),
            None => "Shown in its own shape".to_owned(),
        }
    }

    /// Platform key to preset slug, for the script that follows the platform menu.
    pub fn preset_map_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = PLATFORMS
            .iter()
            .map(|p| {
                let value = Preset::for_platform(p.key)
                    .map_or(serde_json::Value::Null, |preset| serde_json::json!([preset.slug(), preset.label()]));
                (p.key.to_owned(), value)
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    pub fn action(&self) -> String {
        match self.post_id {
            Some(id) => format!("/events/{id}"),
            None => format!("/calendars/{}/posts", self.calendar.id),
        }
    }
}

#[derive(Template)]
#[template(path = "posts/picker.html")]
pub struct PickerView {
    pub layout: Layout,
    pub post_id: Uuid,
    pub cards: Vec<ImageCard>,
    pub collections: Vec<Collection>,
    pub q: String,
    pub collection: String,
    pub scheduled: Vec<Uuid>,
    pub in_post: Vec<Uuid>,
}

impl PickerView {
    pub fn is_scheduled(&self, card: &ImageCard) -> bool {
        self.scheduled.contains(&card.id)
    }

    pub fn is_in_post(&self, card: &ImageCard) -> bool {
        self.in_post.contains(&card.id)
    }
}

/// What the editor shows beside the form besides the post's own rows.
pub struct Around {
    /// The workspace has an OpenAI key, so captions can be written for it.
    pub ai_ready: bool,
    /// The Publer account a post of this calendar and platform goes to,
    /// when the workspace mapped one (`publer::queries::chosen_route`).
    pub account_name: Option<String>,
}

static AROUND: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT EXISTS (SELECT 1 FROM workspace_secrets WHERE workspace_id = $1 AND field = $2), \
           (SELECT NULLIF(a.name, '') {})",
        crate::publer::queries::chosen_route("$3", "$4")
    )
});

/// [`Around`] in one statement (it was three: the sealed key read only to
/// learn there is one, the route, then every account to find its name).
pub async fn around(tx: &mut crate::db::WorkspaceTx, calendar: Uuid, platform: &str) -> sqlx::Result<Around> {
    let ws = tx.workspace_id();
    let (ai_ready, account_name) = crate::db::query::fetch_one!(
        tx,
        (bool, Option<String>),
        &AROUND,
        ws,
        crate::integrations::OPENAI_KEY,
        calendar,
        platform
    )?;
    Ok(Around { ai_ready, account_name })
}

pub fn limits_json() -> String {
    let map: serde_json::Map<String, serde_json::Value> = PLATFORMS
        .iter()
        .map(|p| (p.key.to_owned(), serde_json::json!({ "chars": p.max_chars, "hashtags": p.max_hashtags })))
        .collect();
    serde_json::Value::Object(map).to_string()
}
