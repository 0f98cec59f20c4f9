//! The workspaces page.

use askama::Template;

use super::queries::WorkspaceSummary;
use crate::web::Layout;

#[derive(Template)]
#[template(path = "tenancy/workspaces.html")]
pub struct WorkspacesView {
    pub layout: Layout,
    pub workspaces: Vec<WorkspaceSummary>,
    pub name: String,
    pub error: Option<String>,
}
