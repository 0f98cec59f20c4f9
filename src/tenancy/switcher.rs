//! The rest of the navbar's workspace switcher, fetched when its menu opens.
//! A page lists only the few workspaces it has room for
//! (`web::layout::switcher`); an agency's staff may belong to hundreds.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::request::Parts,
    response::Response,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{Workspace, queries};
use crate::{
    error::AppResult,
    state::AppState,
    web::{
        Layout, csrf,
        layout::{WorkspaceBadge, switcher},
        page,
        redirect::local_path,
    },
};

/// How many the opened menu lists; past that, it says the rest are on the
/// workspaces page (which lists them all).
const MENU_SIZE: usize = 300;

#[derive(Deserialize, Default)]
pub struct MenuQuery {
    /// The page the menu is on, to come back to after switching.
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "partials/switcher_rest.html")]
struct RestView {
    /// The forms' token and the page to come back to (`partials/switch_item.html`).
    layout: Layout,
    others: Vec<WorkspaceBadge>,
    more: bool,
}

/// The person's other workspaces by name, after the ones used lately (the
/// page lists those already), as the menu's "All workspaces" group.
pub async fn view_menu(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    parts: Parts,
    Query(q): Query<MenuQuery>,
) -> AppResult<Response> {
    let all = queries::memberships_of(&state.db, ws.user().id).await?;
    let listed = switcher(all.into_iter().filter(|w| w.workspace_id != ws.id()).collect(), MENU_SIZE);
    let layout = Layout {
        csrf_token: csrf::token_for(&parts, &session, &state).await?,
        here: local_path(&q.back).unwrap_or("/").to_owned(),
        ..Layout::bare()
    };
    page(RestView { layout, others: listed.others, more: listed.more })
}
