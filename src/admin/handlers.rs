//! The admin actions on a workspace (limits, suspension) and the audit
//! log; the dashboard, a workspace's page and the plans have their own files.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    ACTIONS, PlatformAdmin,
    queries::{self, AuditEntry, CustomLimits, WorkspaceRow},
};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    state::AppState,
    web::{Layout, flash, form::FormFields, ids::parse_id, page, paging},
};

const PAGE_SIZE: usize = 50;

/// "Mon 23 Nov 2026 09:30 UTC", or "never".
pub(super) fn when(at: Option<OffsetDateTime>) -> String {
    at.map_or("never".into(), crate::web::dates::moment_utc)
}

pub(super) fn show_count(n: i64) -> String {
    n.to_string()
}

/// A limit as shown: a number, or "no limit".
pub(super) fn limit(value: Option<i64>, show: fn(i64) -> String) -> String {
    value.map_or("no limit".into(), show)
}

/// The custom limits as the form shows them.
pub(super) struct CustomForm {
    pub images: String,
    pub storage_mb: String,
    pub members: String,
    pub ai: String,
    pub publer: String,
    pub hide_branding: &'static str,
}

impl CustomForm {
    pub fn of(c: &CustomLimits) -> Self {
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

pub(super) async fn workspace_row(tx: &mut AdminTx, raw_id: &str) -> AppResult<WorkspaceRow> {
    queries::workspace(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)
}

/// Applies one change to a workspace, audits it, and returns to its page.
pub(super) async fn change(
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

/// A limit field: empty is "the plan's" (`None`), "unlimited" is no limit
/// (`Some(-1)`), else a whole number times `unit`.
pub(super) fn custom_value(raw: &str, unit: i64) -> Result<Option<i64>, ()> {
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
