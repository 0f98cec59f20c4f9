//! The plan page: the plan, and what is used of each limit.

use askama::Template;
use axum::response::Response;

use super::{megabytes, queries};
use crate::{
    error::AppResult,
    tenancy::{Permission, Workspace},
    usage,
    web::{Layout, page},
};

#[derive(Template)]
#[template(path = "plans/index.html")]
struct PlanView {
    layout: Layout,
    plan_name: String,
    meters: Vec<Meter>,
    can_hide_branding: bool,
}

/// One limit and how much of it is used.
pub struct Meter {
    pub label: &'static str,
    pub used: String,
    pub limit: String,
    /// 0 to 100, for the bar (rounded up so a little use shows).
    pub percent: i64,
    pub full: bool,
}

impl Meter {
    fn new(label: &'static str, used: i64, limit: Option<i64>, show: fn(i64) -> String) -> Self {
        let percent = match limit {
            Some(max) if max > 0 => ((used.saturating_mul(100) + max - 1) / max).clamp(0, 100),
            Some(_) => 100,
            None => 0,
        };
        let full = limit.is_some_and(|max| used >= max);
        Self { label, used: show(used), limit: limit.map_or("no limit".into(), show), percent, full }
    }

    /// The bar's width class (CSP forbids inline styles): `w-0` … `w-100` in steps of 5.
    pub fn width_class(&self) -> String {
        format!("w-{}", (self.percent + 4) / 5 * 5)
    }
}

pub async fn view_plan(ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.read().await?;
    let limits = queries::limits(&mut tx).await?;
    let storage = usage::storage(&mut tx).await?;
    let monthly = usage::monthly(&mut tx).await?;
    let seats = queries::members_and_invited(&mut tx).await?;
    tx.commit().await?;
    let count = |n: i64| n.to_string();
    let meters = vec![
        Meter::new("Images", storage.image_count, limits.max_images, count),
        Meter::new("Storage", storage.storage_bytes, limits.max_storage_bytes, megabytes),
        Meter::new("Members and invitations", seats, limits.max_members, count),
        Meter::new("AI captions this month", monthly.ai_generations, limits.max_ai_generations, count),
        Meter::new("Posts sent to Publer this month", monthly.publer_posts, limits.max_publer_posts, count),
    ];
    page(PlanView { layout, plan_name: limits.name, meters, can_hide_branding: limits.can_hide_branding })
}
