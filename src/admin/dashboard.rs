//! The dashboard: every workspace with its figures and totals, the Backups
//! panel, and (when billing is on) the Billing panel.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use super::{
    PlatformAdmin,
    backups::BackupsPanel,
    billing::BillingPanel,
    handlers::when,
    queries::{self, WorkspaceRow},
};
use crate::{
    db::AdminTx,
    error::AppResult,
    plans::megabytes,
    state::AppState,
    web::{Layout, page},
};

const PAGE_SIZE: usize = 50;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default, deserialize_with = "crate::web::paging::page_number")]
    page: u32,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct DashboardView {
    layout: Layout,
    rows: Vec<WorkspaceRow>,
    totals: Totals,
    q: String,
    sort: String,
    descending: bool,
    page: usize,
    pages: usize,
    backups: BackupsPanel,
    /// `None` while billing is off.
    billing: Option<BillingPanel>,
}

#[derive(Default)]
struct Totals {
    workspaces: usize,
    suspended: usize,
    scheduled: usize,
    members: i64,
    images: i64,
    storage_bytes: i64,
    posts_ahead: i64,
    ai_month: i64,
    publer_month: i64,
}

impl DashboardView {
    /// The link that sorts by `key` (flipping the direction if it already does).
    fn sort_link(&self, key: &str) -> String {
        let dir = if self.sort == key && !self.descending { "desc" } else { "asc" };
        format!("/admin?q={}&sort={key}&dir={dir}", urlencode(&self.q))
    }

    fn sorted_by(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        }
    }

    fn page_link(&self, page: usize) -> String {
        let dir = if self.descending { "desc" } else { "asc" };
        format!("/admin?q={}&sort={}&dir={dir}&page={page}", urlencode(&self.q), self.sort)
    }

    fn storage(&self, bytes: &i64) -> String {
        megabytes(*bytes)
    }

    fn activity(&self, row: &WorkspaceRow) -> String {
        when(row.last_active_at)
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn dashboard(
    State(state): State<AppState>,
    _admin: PlatformAdmin,
    layout: Layout,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let sort = if queries::SORTS.contains(&q.sort.as_str()) { q.sort.clone() } else { "name".into() };
    let descending = q.dir == "desc";
    let mut tx = AdminTx::begin(&state.db).await?;
    let all = super::figures::dashboard_rows(&mut tx, &state.databases, q.q.trim(), &sort, descending).await?;
    let backups = BackupsPanel::load(&mut tx, &state.config.backups).await?;
    let billing = BillingPanel::load(&mut tx, &state.config.billing).await?;
    tx.commit().await?;
    let totals = Totals {
        workspaces: all.len(),
        suspended: all.iter().filter(|r| r.suspended).count(),
        scheduled: all.iter().filter(|r| r.delete_after.is_some()).count(),
        members: all.iter().map(|r| r.members).sum(),
        images: all.iter().map(|r| r.images).sum(),
        storage_bytes: all.iter().map(|r| r.storage_bytes).sum(),
        posts_ahead: all.iter().map(|r| r.posts_ahead).sum(),
        ai_month: all.iter().map(|r| r.ai_month).sum(),
        publer_month: all.iter().map(|r| r.publer_month).sum(),
    };
    let pages = all.len().div_ceil(PAGE_SIZE).max(1);
    let page_no = usize::try_from(q.page).unwrap_or(usize::MAX).min(pages - 1);
    let rows = all.into_iter().skip(page_no * PAGE_SIZE).take(PAGE_SIZE).collect();
    page(DashboardView { layout, rows, totals, q: q.q, sort, descending, page: page_no, pages, backups, billing })
}
