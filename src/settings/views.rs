//! The settings page.

use askama::Template;

use crate::web::Layout;

#[derive(Template)]
#[template(path = "settings/index.html")]
pub struct SettingsView {
    pub layout: Layout,
    pub display_name: String,
    pub time_zone: String,
    pub time_zones: Vec<String>,
    pub can_edit: bool,
    pub errors: SettingsErrors,
}

#[derive(Default)]
pub struct SettingsErrors {
    pub display_name: Option<&'static str>,
    pub time_zone: Option<&'static str>,
}
