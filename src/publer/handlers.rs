//! The Publer page, and sending posts.

use std::collections::HashSet;

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
    client::Publer,
    queries::{self, Candidate, StoredAccount},
    sender,
};
use crate::{
    audit,
    calendars::{
        clock::{Clock, hhmm, parse_date},
        queries::{self as calendars, Calendar},
    },
    db::WorkspaceTx,
    error::{AppError, AppResult},
    integrations::{self, Key, PUBLER_KEY},
    plans,
    posts::{
        self,
        platforms::{self, PLATFORMS},
        queries::Post,
    },
    settings,
    state::AppState,
    tenancy::{
        Permission, Workspace,
        approval::{self, Mode, Review},
    },
    web::{Layout, flash, form::FormFields, ids::parse_id, invalid_form, page},
};

#[derive(Template)]
#[template(path = "publer/connection.html")]
struct ConnectionView {
    layout: Layout,
    /// Why Publer cannot be used yet, if it cannot.
    missing: Option<&'static str>,
    accounts: Vec<StoredAccount>,
    calendars: Vec<CalendarRoutes>,
    error: Option<String>,
}

struct CalendarRoutes {
    calendar: Calendar,
    /// Platform ("" for every platform), its label, and the chosen account.
    choices: Vec<(&'static str, &'static str, String)>,
}

impl ConnectionView {
    fn selected(&self, chosen: &str, account: &StoredAccount) -> bool {
        chosen == account.id
    }
}

/// What still stands between this workspace and Publer.
pub(crate) async fn readiness(
    tx: &mut WorkspaceTx,
    state: &AppState,
) -> AppResult<Result<(String, String), &'static str>> {
    let key = integrations::key(tx, &state.secrets, PUBLER_KEY).await?;
    let publer_workspace = integrations::queries::settings(tx).await?.publer_workspace_id;
    Ok(match key {
        Key::Missing => Err("Add this workspace's Publer API key in Settings → Integrations first."),
        Key::MustBeEnteredAgain => Err("The Publer key must be entered again in Settings → Integrations."),
        Key::Ready(_) if publer_workspace.is_empty() => {
            Err("Add the Publer workspace id in Settings → Integrations first.")
        }
        Key::Ready(key) => Ok((key, publer_workspace)),
    })
}

async fn connection_view(state: &AppState, ws: &Workspace, layout: Layout) -> AppResult<ConnectionView> {
    let mut tx = ws.read().await?;
    let missing = readiness(&mut tx, state).await?.err();
    let accounts = queries::accounts(&mut tx).await?;
    let routes = queries::routes(&mut tx).await?;
    let calendars = calendars::all(&mut tx).await?;
    tx.commit().await?;
    let chosen = |calendar: Uuid, platform: &str| {
        routes
            .iter()
            .find(|r| r.calendar_id == calendar && r.platform == platform)
            .map_or(String::new(), |r| r.account_id.clone())
    };
    let calendars = calendars
        .into_iter()
        .map(|calendar| {
            let mut choices = vec![("", "Every platform", chosen(calendar.id, ""))];
            choices.extend(PLATFORMS.iter().map(|p| (p.key, p.label, chosen(calendar.id, p.key))));
            CalendarRoutes { calendar, choices }
        })
        .collect();
    Ok(ConnectionView { layout, missing, accounts, calendars, error: None })
}

pub async fn view_connection(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    page(connection_view(&state, &ws, layout).await?)
}

/// Checks the key by listing the Publer workspace's accounts, and keeps them.
pub async fn connect(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.read().await?;
    let ready = readiness(&mut tx, &state).await?;
    tx.commit().await?;
    let refused = |why: String| async {
        let mut view = connection_view(&state, &ws, layout).await?;
        view.error = Some(why);
        invalid_form(view)
    };
    let (key, publer_workspace) = match ready {
        Ok(ready) => ready,
        Err(why) => return refused(why.into()).await,
    };
    let publer = Publer { http: &state.http, policy: &state.config.publer, key: &key, workspace: &publer_workspace };
    let accounts = match publer.accounts().await {
        Ok(accounts) => accounts,
        Err(e) => return refused(e.message()).await,
    };
    let mut tx = ws.write().await?;
    queries::replace_accounts(&mut tx, &accounts).await?;
    audit::record(&mut tx, &ws, "publer.connected", "Publer", &format!("{} accounts", accounts.len())).await?;
    tx.commit().await?;
    flash::success(
        &session,
        format!("Connected to Publer: {}.", crate::web::plural::count(accounts.len() as i64, "account", "accounts")),
    )
    .await?;
    Ok(Redirect::to("/settings/publer").into_response())
}

/// Saves which account each calendar (and platform) sends to. Fields are
/// named `route:<calendar id>:<platform>`, empty platform for every platform.
pub async fn save_routes(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.write().await?;
    let accounts: HashSet<String> = queries::accounts(&mut tx).await?.into_iter().map(|a| a.id).collect();
    let calendar_ids: HashSet<Uuid> = calendars::all(&mut tx).await?.into_iter().map(|c| c.id).collect();
    let mut wanted = Vec::new();
    for (name, account) in form.pairs() {
        let Some(rest) = name.strip_prefix("route:") else { continue };
        let (calendar, platform) = rest.split_once(':').unwrap_or((rest, ""));
        let calendar = parse_id(calendar)?;
        if !calendar_ids.contains(&calendar) {
            return Err(AppError::NotFound);
        }
        let platform_ok = platform.is_empty() || platforms::find(platform).is_some();
        if !platform_ok || !(account.is_empty() || accounts.contains(account)) {
            drop(tx);
            let mut view = connection_view(&state, &ws, layout).await?;
            view.error = Some("Choose accounts from the list (connect again if one is missing).".into());
            return invalid_form(view);
        }
        wanted.push((calendar, platform.to_owned(), account.clone()));
    }
    for (calendar, platform, account) in &wanted {
        queries::set_route(&mut tx, *calendar, platform, account).await?;
    }
    audit::record(&mut tx, &ws, "publer.routes_changed", "Publer accounts", "").await?;
    tx.commit().await?;
    flash::success(&session, "Publer accounts saved.").await?;
    Ok(Redirect::to("/settings/publer").into_response())
}

/// Whether `more` posts fit this month's Publer allowance.
pub(crate) async fn allowance(tx: &mut WorkspaceTx, more: i64) -> AppResult<Result<(), String>> {
    let limits = plans::queries::limits(tx).await?;
    let (sent, sending) = queries::sent_and_sending(tx).await?;
    Ok(limits.allows_publer(sent, sending, more))
}

/// The Publer account a post goes to, or why it cannot go (the workspace's
/// own readiness is checked once by the caller, not per post).
pub(crate) async fn destination(tx: &mut WorkspaceTx, post: &Post) -> AppResult<Result<String, String>> {
    if post.starts_at <= OffsetDateTime::now_utc() {
        return Ok(Err("This post's time has passed; move it to a later date first.".into()));
    }
    let images = posts::queries::images(tx, post.id).await?;
    if post.caption.trim().is_empty() && post.hashtags.trim().is_empty() && images.is_empty() {
        return Ok(Err("Add a caption or artwork before sending this post.".into()));
    }
    match queries::route_for(tx, post.calendar_id, &post.platform).await? {
        Some((account, _)) => Ok(Ok(account)),
        None => Ok(Err(
            "Choose the Publer account for this calendar in Settings → Publer first (connect Publer if you have not)."
                .into(),
        )),
    }
}

async fn send_or_resend(
    state: AppState,
    ws: Workspace,
    session: Session,
    id: String,
    again: bool,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = posts::queries::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let back = Redirect::to(&format!("/events/{}#publer", post.id));
    if let Some(why) = approval::refusal(&mut tx, ws.approval(), post.id).await? {
        drop(tx);
        flash::error(&session, why).await?;
        return Ok(back);
    }
    let ready = match readiness(&mut tx, &state).await? {
        Err(why) => Err(why.to_owned()),
        Ok(_) => match destination(&mut tx, &post).await? {
            Ok(account) => allowance(&mut tx, 1).await?.map(|()| account),
            Err(why) => Err(why),
        },
    };
    let account = match ready {
        Ok(account) => account,
        Err(why) => {
            drop(tx);
            flash::error(&session, why).await?;
            return Ok(back);
        }
    };
    let by = &ws.user().name;
    let queued = if again {
        queries::requeue_failed(&mut tx, post.id, &account, by).await?
    } else {
        queries::queue(&mut tx, post.id, &account, by).await?
    };
    if !queued {
        drop(tx);
        let why = if again {
            "Only a post whose sending failed can be sent again."
        } else {
            "This post was already sent to Publer."
        };
        flash::error(&session, why).await?;
        return Ok(back);
    }
    approval::record_sent(&mut tx, post.id, &approval::Reviewer::member(&ws)).await?;
    audit::record(&mut tx, &ws, "post.sent_to_publer", &describe(&post), "").await?;
    tx.commit().await?;
    sender::wake(&state, ws.id());
    flash::success(&session, "Sending to Publer. The post shows \"scheduled\" once Publer confirms it.").await?;
    Ok(back)
}

fn describe(post: &Post) -> String {
    let when = post.starts_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    format!("{} post at {when}", platforms::label(&post.platform))
}

pub async fn send_post(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    send_or_resend(state, ws, session, id, false).await
}

pub async fn resend_post(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    send_or_resend(state, ws, session, id, true).await
}

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "publer/bulk.html")]
struct BulkView {
    layout: Layout,
    calendar: Calendar,
    from: String,
    to: String,
    rows: Vec<BulkRow>,
    missing: Option<&'static str>,
    error: Option<&'static str>,
}

struct BulkRow {
    id: Uuid,
    when: String,
    platform: &'static str,
    /// What sending the range does to this post.
    plan: &'static str,
    will_send: bool,
}

impl BulkView {
    fn sending(&self) -> usize {
        self.rows.iter().filter(|r| r.will_send).count()
    }
}

/// Whether a post in the range goes, and if not why.
fn plan_for(c: &Candidate, now: OffsetDateTime, mode: Mode) -> (&'static str, bool) {
    let review = Review::parse(&c.review).unwrap_or_default();
    match (c.publer_state.as_str(), c.status.as_str()) {
        ("scheduled", _) => ("Already scheduled in Publer", false),
        ("sending", _) => ("Being sent", false),
        ("failed", _) => ("Failed before: send it again from the post", false),
        _ if !mode.may_send(review) && review == Review::ChangesRequested => ("Changes requested: skipped", false),
        _ if !mode.may_send(review) => ("Waiting for approval: skipped", false),
        (_, "draft") => ("Draft: skipped", false),
        _ if c.starts_at <= now => ("In the past: skipped", false),
        _ => ("Will be sent", true),
    }
}

/// The range as instants, or why it is not a range.
fn range(clock: &Clock, q: &RangeQuery) -> Result<(OffsetDateTime, OffsetDateTime, String, String), &'static str> {
    let today = clock.today();
    let from = if q.from.is_empty() { Some(today) } else { parse_date(&q.from) };
    let to = if q.to.is_empty() { today.checked_add(jiff::Span::new().days(30)).ok() } else { parse_date(&q.to) };
    match (from, to) {
        (Some(from), Some(to)) if from <= to && from.until(to).is_ok_and(|s| s.get_days() <= 366) => {
            let after_to = to.tomorrow().unwrap_or(to);
            Ok((clock.start_of(from), clock.start_of(after_to), from.to_string(), to.to_string()))
        }
        (Some(_), Some(_)) => Err("Choose a range of at most a year, starting on or before it ends."),
        _ => Err("Enter real dates."),
    }
}

async fn bulk_view(state: &AppState, ws: &Workspace, layout: Layout, id: &str, q: &RangeQuery) -> AppResult<BulkView> {
    let mut tx = ws.read().await?;
    let calendar = calendars::get(&mut tx, parse_id(id)?).await?.ok_or(AppError::NotFound)?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let missing = readiness(&mut tx, state).await?.err();
    let mut view =
        BulkView { layout, calendar, from: q.from.clone(), to: q.to.clone(), rows: Vec::new(), missing, error: None };
    match range(&clock, q) {
        Ok((start, end, from, to)) => {
            let now = OffsetDateTime::now_utc();
            (view.from, view.to) = (from, to);
            for c in queries::candidates(&mut tx, view.calendar.id, start, end).await? {
                let (date, time) = clock.local(c.starts_at);
                let (plan, will_send) = plan_for(&c, now, ws.approval());
                let platform = platforms::label(&c.platform);
                view.rows.push(BulkRow { id: c.id, when: format!("{date} {}", hhmm(time)), platform, plan, will_send });
            }
        }
        Err(why) => view.error = Some(why),
    }
    tx.commit().await?;
    Ok(view)
}

pub async fn view_bulk(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let view = bulk_view(&state, &ws, layout, &id, &q).await?;
    if view.error.is_some() { invalid_form(view) } else { page(view) }
}

/// Sends every post of the range that can go; says what it skipped.
pub async fn send_range(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let q = RangeQuery { from: form.get("from").to_owned(), to: form.get("to").to_owned() };
    let view = bulk_view(&state, &ws, layout, &id, &q).await?;
    if view.error.is_some() || view.missing.is_some() {
        return invalid_form(view);
    }
    let mut tx = ws.write().await?;
    let mut sent = 0;
    let mut unroutable = 0;
    let mut over_limit = None;
    let who = approval::Reviewer::member(&ws);
    for row in view.rows.iter().filter(|r| r.will_send) {
        let Some(post) = posts::queries::get(&mut tx, row.id).await? else { continue };
        // Checked again where the send is queued: the preview was read apart.
        if approval::refusal(&mut tx, ws.approval(), post.id).await?.is_some() {
            continue;
        }
        if let Err(why) = allowance(&mut tx, 1).await? {
            over_limit = Some(why);
            break;
        }
        match destination(&mut tx, &post).await? {
            Ok(account) if queries::queue(&mut tx, post.id, &account, &ws.user().name).await? => {
                approval::record_sent(&mut tx, post.id, &who).await?;
                sent += 1;
            }
            Ok(_) => {}
            Err(_) => unroutable += 1,
        }
    }
    let range = format!("{} to {}", view.from, view.to);
    if sent > 0 {
        audit::record(&mut tx, &ws, "post.sent_to_publer", &format!("{sent} posts of {}", view.calendar.name), &range)
            .await?;
    }
    tx.commit().await?;
    if sent > 0 {
        sender::wake(&state, ws.id());
    }
    let skipped = view.rows.len() - sent;
    let mut message = format!(
        "Sending {} from {range} to Publer; {skipped} skipped.",
        crate::web::plural::count(sent as i64, "post", "posts")
    );
    if let Some(why) = over_limit {
        message.push(' ');
        message.push_str(&why);
    }
    if unroutable > 0 {
        message
            .push_str(&format!(" {unroutable} had no Publer account chosen for their platform (Settings → Publer)."));
    }
    flash::success(&session, message).await?;
    Ok(Redirect::to(&format!("/calendars/{}?view=list&date={}", view.calendar.id, view.from)).into_response())
}
