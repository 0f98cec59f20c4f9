//! The admin pages and actions.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    ACTIONS, PlatformAdmin,
    backups::BackupsPanel,
    charts::Chart,
    queries::{self, AuditEntry, CustomLimits, Member, WorkspaceRow},
    snapshots,
};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    plans::{self, megabytes, queries::Plan},
    state::AppState,
    web::{Layout, flash, form::FormFields, ids::parse_id, page, paging},
};

const PAGE_SIZE: usize = 50;

/// "Mon 23 Nov 2026 09:30 UTC", or "never".
pub(super) fn when(at: Option<OffsetDateTime>) -> String {
    at.map_or("never".into(), crate::web::dates::moment_utc)
}

fn show_count(n: i64) -> String {
    n.to_string()
}

/// A limit as shown: a number, or "no limit".
fn limit(value: Option<i64>, show: fn(i64) -> String) -> String {
    value.map_or("no limit".into(), show)
}

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
    page(DashboardView { layout, rows, totals, q: q.q, sort, descending, page: page_no, pages, backups })
}

#[derive(Template)]
#[template(path = "admin/workspace.html")]
struct WorkspaceView {
    layout: Layout,
    row: WorkspaceRow,
    limits: Vec<(&'static str, String)>,
    custom: CustomForm,
    plans: Vec<Plan>,
    members: Vec<Member>,
    charts: Vec<Chart>,
}

impl WorkspaceView {
    /// No hourly record yet: one sentence instead of six empty charts.
    fn no_figures(&self) -> bool {
        self.charts.iter().all(|c| c.days == 0)
    }
}

/// The custom limits as the form shows them.
struct CustomForm {
    images: String,
    storage_mb: String,
    members: String,
    ai: String,
    publer: String,
    hide_branding: &'static str,
}

impl CustomForm {
    fn of(c: &CustomLimits) -> Self {
        let show = |v: Option<i64>| match v {
            None => String::new(),
            Some(n) if n < 0 => "unlimited".into(),
            Some(n) => n.to_string(),
        };
        let storage = match c.custom_max_storage_bytes {
            Some(n) if n >= 0 => Some(n / (1024 * 1024)),
            other => other,
        };
        Self {
            images: show(c.custom_max_images),
            storage_mb: show(storage),
            members: show(c.custom_max_members),
            ai: show(c.custom_max_ai_generations),
            publer: show(c.custom_max_publer_posts),
            hide_branding: match c.custom_can_hide_branding {
                None => "",
                Some(true) => "yes",
                Some(false) => "no",
            },
        }
    }
}

impl WorkspaceView {
    fn member_since(&self, m: &Member) -> String {
        m.created_at.date().to_string()
    }

    fn activity(&self) -> String {
        when(self.row.last_active_at)
    }
}

pub(super) async fn workspace_row(tx: &mut AdminTx, raw_id: &str) -> AppResult<WorkspaceRow> {
    queries::workspace(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)
}

pub async fn view_workspace(
    State(state): State<AppState>,
    _admin: PlatformAdmin,
    layout: Layout,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let mut tx = AdminTx::begin(&state.db).await?;
    let id = parse_id(&id)?;
    let row = super::figures::row(&mut tx, &state.databases, id).await?.ok_or(AppError::NotFound)?;
    let limits = plans::queries::limits_of(&mut tx, row.id).await?;
    let custom = queries::custom_limits(&mut tx, row.id).await?;
    let members = queries::members(&mut tx, row.id).await?;
    let history = snapshots::history(&mut tx, &state.databases, &row).await?;
    tx.commit().await?;
    let today = snapshots::today();
    let mut days: Vec<_> = history.into_iter().filter(|s| s.day != today).collect();
    days.push(queries::Snapshot {
        day: today,
        images: row.images,
        storage_bytes: row.storage_bytes,
        members: row.members,
        posts_ahead: row.posts_ahead,
        ai_generations: row.ai_month,
        publer_posts: row.publer_month,
    });
    let series = |f: fn(&queries::Snapshot) -> i64| days.iter().map(f).collect::<Vec<_>>();
    let charts = vec![
        Chart::new("Images", &series(|s| s.images), show_count),
        Chart::new("Storage", &series(|s| s.storage_bytes), megabytes),
        Chart::new("Members", &series(|s| s.members), show_count),
        Chart::new("Posts scheduled ahead", &series(|s| s.posts_ahead), show_count),
        Chart::new("AI captions this month", &series(|s| s.ai_generations), show_count),
        Chart::new("Publer posts this month", &series(|s| s.publer_posts), show_count),
    ];
    let limits = vec![
        ("Images", limit(limits.max_images, show_count)),
        ("Storage", limit(limits.max_storage_bytes, megabytes)),
        ("Members", limit(limits.max_members, show_count)),
        ("AI captions a month", limit(limits.max_ai_generations, show_count)),
        ("Publer posts a month", limit(limits.max_publer_posts, show_count)),
        ("May hide \"Powered by Easel\"", if limits.can_hide_branding { "yes".into() } else { "no".into() }),
    ];
    let plans = plans::queries::plans(&state.db).await?;
    page(WorkspaceView { layout, row, limits, custom: CustomForm::of(&custom), plans, members, charts })
}

/// Applies one change to a workspace, audits it, and returns to its page.
async fn change(
    state: &AppState,
    admin: &PlatformAdmin,
    session: &Session,
    raw_id: &str,
    action: &str,
    apply: impl AsyncFnOnce(&mut AdminTx, &WorkspaceRow) -> AppResult<String>,
) -> AppResult<Redirect> {
    let mut tx = AdminTx::begin(&state.db).await?;
    let row = workspace_row(&mut tx, raw_id).await?;
    let detail = apply(&mut tx, &row).await?;
    queries::record(&mut tx, Some(admin.user.id), &admin.user.email, action, Some((row.id, &row.name)), &detail)
        .await?;
    tx.commit().await?;
    let label = ACTIONS.iter().find(|(a, _)| *a == action).map_or("Done", |(_, l)| l);
    flash::success(session, format!("{label}: {}.", row.name)).await?;
    Ok(Redirect::to(&format!("/admin/workspaces/{}", row.id)))
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    plan: String,
}

pub async fn change_plan(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
) -> AppResult<Redirect> {
    let plans = plans::queries::plans(&state.db).await?;
    let Some(plan) = plans.iter().find(|p| p.key == form.plan) else {
        return Err(AppError::bad_request("Choose one of the plans. Nothing was changed."));
    };
    change(&state, &admin, &session, &id, "workspace.plan_changed", async |tx, row| {
        queries::set_plan(tx, row.id, &plan.key).await?;
        Ok(format!("{} → {}", row.plan, plan.key))
    })
    .await
}

/// A limit field: empty is "the plan's" (`None`), "unlimited" is no limit
/// (`Some(-1)`), else a whole number times `unit`.
fn custom_value(raw: &str, unit: i64) -> Result<Option<i64>, ()> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "unlimited" | "none" | "no limit" => Ok(Some(-1)),
        n => n.parse::<i64>().ok().filter(|n| (0..=1_000_000_000).contains(n)).map(|n| Some(n * unit)).ok_or(()),
    }
}

pub async fn set_limits(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    let field = |name: &str, unit: i64| custom_value(form.get(name), unit);
    let parsed =
        (field("images", 1), field("storage_mb", 1024 * 1024), field("members", 1), field("ai", 1), field("publer", 1));
    let (Ok(images), Ok(storage), Ok(members), Ok(ai), Ok(publer)) = parsed else {
        return Err(AppError::bad_request(
            "Each limit is a whole number, \"unlimited\", or empty for the plan's. Nothing was changed.",
        ));
    };
    let hide = match form.get("hide_branding") {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => return Err(AppError::bad_request("Choose whether the footer may be hidden. Nothing was changed.")),
    };
    let custom = CustomLimits {
        custom_max_images: images,
        custom_max_storage_bytes: storage,
        custom_max_members: members,
        custom_max_ai_generations: ai,
        custom_max_publer_posts: publer,
        custom_can_hide_branding: hide,
    };
    change(&state, &admin, &session, &id, "workspace.limits_changed", async |tx, row| {
        queries::set_custom_limits(tx, row.id, &custom).await?;
        let f = CustomForm::of(&custom);
        Ok(format!(
            "images {}, storage MB {}, members {}, AI {}, Publer {}, hide footer {}",
            or_plan(&f.images),
            or_plan(&f.storage_mb),
            or_plan(&f.members),
            or_plan(&f.ai),
            or_plan(&f.publer),
            or_plan(f.hide_branding)
        ))
    })
    .await
}

fn or_plan(value: &str) -> &str {
    if value.is_empty() { "plan's" } else { value }
}

pub async fn suspend(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    change(&state, &admin, &session, &id, "workspace.suspended", async |tx, row| {
        queries::set_suspended(tx, row.id, true).await?;
        Ok(String::new())
    })
    .await
}

pub async fn unsuspend(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    let lifted = change(&state, &admin, &session, &id, "workspace.unsuspended", async |tx, row| {
        queries::set_suspended(tx, row.id, false).await?;
        Ok(String::new())
    })
    .await?;
    // Posts that waited out the suspension go to Publer now.
    if let Ok(workspace) = parse_id(&id) {
        crate::publer::sender::wake(&state, workspace);
    }
    Ok(lifted)
}

#[derive(Template)]
#[template(path = "admin/plans.html")]
struct PlansView {
    layout: Layout,
    plans: Vec<PlanRow>,
}

struct PlanRow {
    key: String,
    name: String,
    images: String,
    storage_mb: String,
    members: String,
    ai: String,
    publer: String,
    can_hide_branding: bool,
}

pub async fn view_plans(State(state): State<AppState>, _admin: PlatformAdmin, layout: Layout) -> AppResult<Response> {
    let show = |v: Option<i64>| v.map_or(String::new(), |n| n.to_string());
    let plans = plans::queries::plans(&state.db)
        .await?
        .into_iter()
        .map(|p| PlanRow {
            images: show(p.max_images),
            storage_mb: show(p.max_storage_bytes.map(|b| b / (1024 * 1024))),
            members: show(p.max_members),
            ai: show(p.max_ai_generations),
            publer: show(p.max_publer_posts),
            can_hide_branding: p.can_hide_branding,
            key: p.key,
            name: p.name,
        })
        .collect();
    page(PlansView { layout, plans })
}

/// A plan's limit field: empty is no limit.
fn plan_value(raw: &str, unit: i64) -> Result<Option<i64>, ()> {
    match custom_value(raw, unit)? {
        Some(n) if n < 0 => Ok(None),
        other => Ok(other),
    }
}

pub async fn save_plan(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(key): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    let plans = plans::queries::plans(&state.db).await?;
    let Some(current) = plans.into_iter().find(|p| p.key == key) else { return Err(AppError::NotFound) };
    let field = |name: &str, unit: i64| plan_value(form.get(name), unit);
    let parsed =
        (field("images", 1), field("storage_mb", 1024 * 1024), field("members", 1), field("ai", 1), field("publer", 1));
    let (Ok(images), Ok(storage), Ok(members), Ok(ai), Ok(publer)) = parsed else {
        return Err(AppError::bad_request("Each limit is a whole number, or empty for no limit. Nothing was changed."));
    };
    let plan = Plan {
        max_images: images,
        max_storage_bytes: storage,
        max_members: members,
        max_ai_generations: ai,
        max_publer_posts: publer,
        can_hide_branding: !form.get("can_hide_branding").is_empty(),
        ..current
    };
    let mut tx = AdminTx::begin(&state.db).await?;
    plans::queries::update_plan(&mut tx, &plan).await?;
    queries::record(&mut tx, Some(admin.user.id), &admin.user.email, "plan.changed", None, &plan.key).await?;
    tx.commit().await?;
    flash::success(&session, format!("The {} plan is saved.", plan.name)).await?;
    Ok(Redirect::to("/admin/plans"))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default, deserialize_with = "crate::web::paging::page_number")]
    page: u32,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditView {
    layout: Layout,
    entries: Vec<AuditEntry>,
    page: u32,
    more: bool,
}

impl AuditView {
    fn label(&self, action: &str) -> &'static str {
        ACTIONS.iter().find(|(a, _)| *a == action).map_or("Other", |(_, l)| l)
    }

    fn at(&self, e: &AuditEntry) -> String {
        when(Some(e.created_at))
    }

    fn workspace_link(&self, e: &AuditEntry) -> Option<Uuid> {
        e.workspace_id
    }
}

pub async fn view_audit(
    State(state): State<AppState>,
    _admin: PlatformAdmin,
    layout: Layout,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let page_no = q.page;
    let mut tx = AdminTx::begin(&state.db).await?;
    let offset = paging::offset(page_no, PAGE_SIZE as u32);
    let mut entries = queries::audit(&mut tx, PAGE_SIZE as i64 + 1, offset).await?;
    tx.commit().await?;
    let more = entries.len() > PAGE_SIZE && page_no < paging::MAX_PAGE;
    entries.truncate(PAGE_SIZE);
    page(AuditView { layout, entries, page: page_no, more }).map(IntoResponse::into_response)
}
