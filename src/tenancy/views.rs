//! The workspaces page.

use askama::Template;

use super::{deletion::Scheduled, queries::WorkspaceSummary};
use crate::web::Layout;

#[derive(Template)]
#[template(path = "tenancy/workspaces.html")]
pub struct WorkspacesView {
    pub layout: Layout,
    pub workspaces: Vec<WorkspaceSummary>,
    pub name: String,
    pub error: Option<String>,
    /// The person's own workspaces waiting to be purged, to restore.
    pub scheduled: Vec<Scheduled>,
    /// Why a workspace could not be restored.
    pub restore_error: Option<String>,
}
