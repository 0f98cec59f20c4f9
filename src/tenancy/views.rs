//! The workspaces page: the agency overview and the new-workspace form.

use askama::Template;

use super::{
    deletion::Scheduled,
    overview::{Row, Sort},
};
use crate::web::Layout;

#[derive(Template)]
#[template(path = "tenancy/workspaces.html")]
pub struct WorkspacesView {
    pub layout: Layout,
    pub workspaces: Vec<Row>,
    pub sort: Sort,
    pub name: String,
    pub error: Option<String>,
    /// The person's own workspaces waiting to be purged, to restore.
    pub scheduled: Vec<Scheduled>,
    /// Why a workspace could not be restored.
    pub restore_error: Option<String>,
    /// The new workspace's time zone, the zones to choose from, and why the
    /// one sent was refused.
    pub time_zone: String,
    pub time_zones: Vec<String>,
    pub tz_error: Option<String>,
    pub tz_chosen: bool,
}

impl WorkspacesView {
    /// The sortable column headers: (key, label, whether it is the sort).
    pub fn columns(&self) -> [(&'static str, &'static str, bool); 4] {
        let on = |s: Sort| self.sort == s;
        [
            ("next-week", "Posts in the next 7 days", on(Sort::NextWeek)),
            ("drafts", "Drafts needing work", on(Sort::Drafts)),
            ("failed", "Failed sends", on(Sort::Failed)),
            ("activity", "Last activity", on(Sort::Activity)),
        ]
    }
}
