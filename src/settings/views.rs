//! The settings page.

use askama::Template;

use super::queries::HashtagSet;
use crate::web::Layout;

#[derive(Template)]
#[template(path = "settings/index.html")]
pub struct SettingsView {
    pub layout: Layout,
    pub form: SettingsForm,
    pub time_zones: Vec<String>,
    pub hashtag_sets: Vec<HashtagSet>,
    pub can_edit: bool,
    pub errors: SettingsErrors,
    /// How posts are approved (the approvals' section of the page).
    pub approval: crate::tenancy::approval::Mode,
    /// The workspace's own address (`tenancy::slug`).
    pub address: crate::tenancy::AddressSection,
}

/// The settings form as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub display_name: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub company_name: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub branded_hashtag: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub content_tone: String,
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub shop_url: String,
    #[serde(default)]
    pub instagram_hashtag_count: String,
    #[serde(default)]
    pub pinterest_hashtag_count: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub posting_times: String,
}

#[derive(Default)]
pub struct SettingsErrors {
    pub display_name: Option<&'static str>,
    pub company_name: Option<&'static str>,
    pub branded_hashtag: Option<&'static str>,
    pub content_tone: Option<&'static str>,
    pub shop_url: Option<&'static str>,
    pub instagram_hashtag_count: Option<&'static str>,
    pub pinterest_hashtag_count: Option<&'static str>,
    pub time_zone: Option<&'static str>,
    pub posting_times: Option<&'static str>,
}

impl SettingsErrors {
    pub fn any(&self) -> bool {
        [
            self.display_name,
            self.company_name,
            self.branded_hashtag,
            self.content_tone,
            self.shop_url,
            self.instagram_hashtag_count,
            self.pinterest_hashtag_count,
            self.time_zone,
            self.posting_times,
        ]
        .iter()
        .any(Option::is_some)
    }
}
