//! The active workspace's home page.

use askama::Template;
use axum::{extract::State, response::Response};

use crate::{
    error::AppResult,
    settings::{self, queries::Settings},
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, page},
};

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomeView {
    layout: Layout,
    workspace_name: String,
    settings: Settings,
    can_edit: bool,
}

pub async fn view_home(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read(&state.db).await?;
    let settings = settings::queries::get(&mut tx).await?;
    tx.commit().await?;
    page(HomeView {
        layout,
        workspace_name: ws.name().to_owned(),
        settings,
        can_edit: ws.role().can(Permission::EditContent),
    })
}
