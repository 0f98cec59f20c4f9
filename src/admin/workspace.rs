//! One workspace's admin page (figures, plan and limits, subscription,
//! members, standing) and setting its plan by hand.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    PlatformAdmin,
    billing::SubscriptionSection,
    charts::Chart,
    handlers::{CustomForm, change, limit, show_count, when},
    queries::{self, Member, Snapshot, WorkspaceRow},
    snapshots,
};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    plans::{self, megabytes, queries::Plan},
    state::AppState,
    web::{Layout, ids::parse_id, page},
};

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
    billing: SubscriptionSection,
}

impl WorkspaceView {
    /// No hourly record yet: one sentence instead of six empty charts.
    fn no_figures(&self) -> bool {
        self.charts.iter().all(|c| c.days == 0)
    }

    fn member_since(&self, m: &Member) -> String {
        m.created_at.date().to_string()
    }

    fn activity(&self) -> String {
        when(self.row.last_active_at)
    }
}

pub async fn view_workspace(
    State(state): State<AppState>,
    _admin: PlatformAdmin,
    layout: Layout,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let plans = plans::queries::plans(&state.db).await?;
    let mut tx = AdminTx::begin(&state.db).await?;
    let id = parse_id(&id)?;
    let row = super::figures::row(&mut tx, &state.databases, id).await?.ok_or(AppError::NotFound)?;
    let limits = plans::queries::limits_of(&mut tx, row.id).await?;
    let custom = queries::custom_limits(&mut tx, row.id).await?;
    let members = queries::members(&mut tx, row.id).await?;
    let history = snapshots::history(&mut tx, &state.databases, &row).await?;
    let billing = SubscriptionSection::load(&mut tx, &row, &plans, state.config.billing.grace).await?;
    tx.commit().await?;
    let charts = charts(&row, history);
    let limits = limit_rows(&limits);
    page(WorkspaceView { layout, row, limits, custom: CustomForm::of(&custom), plans, members, charts, billing })
}

/// The last 30 days from the hourly records, today's from the live figures.
fn charts(row: &WorkspaceRow, history: Vec<Snapshot>) -> Vec<Chart> {
    let today = snapshots::today();
    let mut days: Vec<_> = history.into_iter().filter(|s| s.day != today).collect();
    days.push(Snapshot {
        day: today,
        images: row.images,
        storage_bytes: row.storage_bytes,
        members: row.members,
        posts_ahead: row.posts_ahead,
        ai_generations: row.ai_month,
        publer_posts: row.publer_month,
    });
    let series = |f: fn(&Snapshot) -> i64| days.iter().map(f).collect::<Vec<_>>();
    vec![
        Chart::new("Images", &series(|s| s.images), show_count),
        Chart::new("Storage", &series(|s| s.storage_bytes), megabytes),
        Chart::new("Members", &series(|s| s.members), show_count),
        Chart::new("Posts scheduled ahead", &series(|s| s.posts_ahead), show_count),
        Chart::new("AI captions this month", &series(|s| s.ai_generations), show_count),
        Chart::new("Publer posts this month", &series(|s| s.publer_posts), show_count),
    ]
}

fn limit_rows(limits: &plans::queries::Limits) -> Vec<(&'static str, String)> {
    vec![
        ("Images", limit(limits.max_images, show_count)),
        ("Storage", limit(limits.max_storage_bytes, megabytes)),
        ("Members", limit(limits.max_members, show_count)),
        ("AI captions a month", limit(limits.max_ai_generations, show_count)),
        ("Publer posts a month", limit(limits.max_publer_posts, show_count)),
        ("May hide \"Powered by Easel\"", if limits.can_hide_branding { "yes".into() } else { "no".into() }),
    ]
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    plan: String,
    /// The checkbox: present (any value) when ticked.
    #[serde(default)]
    complimentary: Option<String>,
}

/// Sets the plan by hand. Ticked "complimentary", billing leaves it alone
/// (a gift, a partner); unticked, the next subscription event may change it.
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
    let complimentary = form.complimentary.is_some_and(|v| !v.is_empty());
    change(&state, &admin, &session, &id, "workspace.plan_changed", async |tx, row| {
        queries::set_plan(tx, row.id, &plan.key, complimentary).await?;
        let note = match (complimentary, row.complimentary_plan) {
            (true, _) => " (complimentary)",
            (false, true) => " (no longer complimentary)",
            (false, false) => "",
        };
        Ok(format!("{} → {}{note}", row.plan, plan.key))
    })
    .await
}
