//! What every full page shows around its content: the navbar with the
//! workspace switcher and user menu, flash messages, and the form guards.

use axum::{extract::FromRequestParts, http::request::Parts};
use uuid::Uuid;

use super::{
    assets, csrf,
    flash::{self, Flash},
};
use crate::{
    auth::{MaybeUser, session::session_of},
    db::WorkspaceTx,
    error::AppError,
    state::AppState,
    tenancy::{self, Brand, Role, Workspace},
};

/// How many other workspaces the navbar's switcher lists on every page.
/// Past that the menu fetches the rest when it opens (`/workspaces/menu`),
/// and without script its link opens the workspaces page. Fifty rows read
/// and rendered on every page were a quarter of a page's time
/// (docs/PERFORMANCE.md, issue 18).
const SWITCHER_SIZE: usize = 10;

/// How many recently used workspaces head the switcher, before the rest by name.
const RECENT: usize = 5;

/// The chrome of a page, gathered once per request.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub csrf_token: String,
    /// The signed-in person (their own comments offer Edit).
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub user_email: String,
    pub active: Option<WorkspaceBadge>,
    /// The person's other workspaces, for the switcher: the recently used
    /// ones, then the rest by name (up to `SWITCHER_SIZE` in all).
    pub recent: Vec<WorkspaceBadge>,
    pub others: Vec<WorkspaceBadge>,
    /// The person has other workspaces than those listed.
    pub more_workspaces: bool,
    pub flashes: Vec<Flash>,
    /// This page's path and query, so switching workspace can come back here.
    pub here: String,
    pub asset_version: &'static str,
    /// The active workspace's branding (empty: Easel's own look).
    pub brand: Brand,
    /// The active workspace is suspended: pages say so and offer no writes.
    pub suspended: bool,
    /// The active workspace is being moved to another database: pages say so.
    pub moving: bool,
    /// How the active workspace approves posts (the editor's review panel).
    pub approval: tenancy::approval::Mode,
    /// A failed payment's grace, or the read-only state after it.
    pub billing: tenancy::BillingStanding,
    /// The person runs this instance: the menu links to `/admin`.
    pub platform_admin: bool,
    /// The person has not confirmed their email address: a banner offers a new link.
    pub email_unverified: bool,
    /// On a calendar's page: Publer has a key and an account for a calendar,
    /// so "Send to Publer" can work (else the page offers "Connect Publer").
    pub publer_ready: bool,
    /// A signed-out visitor on a workspace's own address: that workspace's
    /// name (the page wears its branding).
    pub site_name: Option<String>,
    /// The bell: the person's unread notifications in the active workspace.
    pub unread: i64,
}

#[derive(Clone, Debug)]
pub struct WorkspaceBadge {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    /// `#rrggbb`, or empty for Easel's own colour.
    pub brand_colour: String,
    /// The logo's file name, or empty.
    pub logo: String,
}

impl Layout {
    /// The chrome of a page that knows nothing about its visitor (error pages).
    pub fn bare() -> Self {
        Self { asset_version: assets::version(), ..Self::default() }
    }

    /// The id written into forms and `hx-headers` for the stale-tab guard.
    pub fn page_workspace(&self) -> String {
        self.active.as_ref().map(|w| w.id.to_string()).unwrap_or_default()
    }

    /// The `hx-headers` JSON on `<body>`: every HTMX request carries the
    /// CSRF token and the workspace this page was rendered for.
    pub fn hx_headers(&self) -> String {
        serde_json::json!({
            csrf::TOKEN_HEADER: self.csrf_token,
            csrf::WORKSPACE_HEADER: self.page_workspace(),
        })
        .to_string()
    }

    /// Whether the active role may change content (for showing write buttons).
    pub fn can_edit(&self) -> bool {
        !self.suspended
            && !self.moving
            && !self.billing_locked()
            && self.active.as_ref().is_some_and(|w| w.role.can(crate::tenancy::Permission::EditContent))
    }

    /// The day a failed payment's grace ends, while it runs.
    pub fn billing_grace_until(&self) -> Option<String> {
        match self.billing {
            tenancy::BillingStanding::Grace { until } => Some(crate::web::dates::day_utc(until)),
            _ => None,
        }
    }

    /// Read-only until the owner fixes a failed payment.
    pub fn billing_locked(&self) -> bool {
        self.billing == tenancy::BillingStanding::Locked
    }

    /// Whether the person owns the active workspace (for owner-only links).
    pub fn is_owner(&self) -> bool {
        self.active.as_ref().is_some_and(|w| w.role.can(crate::tenancy::Permission::OwnWorkspace))
    }

    /// The stylesheet that gives the active workspace its colour, if it has one.
    pub fn brand_css(&self) -> Option<String> {
        let colour = self.brand.colour.trim_start_matches('#');
        (!colour.is_empty()).then(|| format!("/brand.css?c={colour}"))
    }

    /// The operator's pages wear Easel's own header, not a workspace's.
    pub fn is_admin_page(&self) -> bool {
        self.here == "/admin" || self.here.starts_with("/admin/") || self.here.starts_with("/admin?")
    }

    /// The topbar logo: the active workspace's, or for a signed-out visitor
    /// on a workspace's own address, that workspace's public one.
    pub fn logo_url(&self) -> String {
        let route = if self.active.is_none() && self.site_name.is_some() { "/address/logo" } else { "/brand/logo" };
        format!("{route}?v={}", self.brand.logo)
    }

    /// The bell's accessible name: "Notifications, 3 unread".
    pub fn bell_label(&self) -> String {
        match self.unread {
            0 => "Notifications".to_owned(),
            n => format!("Notifications, {n} unread"),
        }
    }

    /// The bell's badge: the count, "99+" past 99.
    pub fn bell_badge(&self) -> String {
        if self.unread > 99 { "99+".to_owned() } else { self.unread.to_string() }
    }

    pub fn user_initial(&self) -> String {
        initial(self.user_name.as_deref().unwrap_or_default())
    }
}

impl WorkspaceBadge {
    pub fn initial(&self) -> String {
        initial(&self.name)
    }

    /// The logo's address, which changes with the logo (so it caches forever).
    pub fn logo_url(&self) -> Option<String> {
        (!self.logo.is_empty()).then(|| format!("/workspaces/{}/logo?v={}", self.id, self.logo))
    }

    /// The avatar's fill: the brand colour, else Easel's accent.
    pub fn avatar_fill(&self) -> String {
        crate::branding::parse_colour(&self.brand_colour).unwrap_or_else(|| "#4f46e5".into())
    }

    /// White or near-black letters, whichever reads better on the fill.
    pub fn avatar_ink(&self) -> &'static str {
        ink_on(&self.avatar_fill())
    }
}

/// The text colour with the higher contrast on `#rrggbb` (WCAG luminance).
pub fn ink_on(fill: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(fill.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white is 1.05 / (L + 0.05); with #111 about (L + 0.05) / 0.056.
    if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0556 { "#ffffff" } else { "#111111" }
}

/// The first letter of a name, for avatar tiles.
pub fn initial(name: &str) -> String {
    name.chars().find(|c| c.is_alphanumeric()).map(|c| c.to_uppercase().collect()).unwrap_or_else(|| "·".into())
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Self::gather(parts, state, None).await
    }
}

/// A page's chrome and a read of its workspace, both through one pooled
/// connection: for pages that read their content with `Workspace::glance`.
pub struct PageRead {
    pub layout: Layout,
    pub tx: WorkspaceTx,
}

impl FromRequestParts<AppState> for PageRead {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ws = Workspace::from_request_parts(parts, state).await?;
        let mut tx = ws.glance().await?;
        let layout = Layout::gather(parts, state, Some(&mut tx)).await?;
        Ok(Self { layout, tx })
    }
}

impl Layout {
    /// The chrome, reading the active workspace's part through `tx` when given.
    async fn gather(parts: &mut Parts, state: &AppState, tx: Option<&mut WorkspaceTx>) -> Result<Self, AppError> {
        let session = session_of(parts)?;
        let mut layout = Self {
            csrf_token: csrf::token_for(parts, &session, state).await?,
            flashes: flash::take(&session).await?,
            here: parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default(),
            asset_version: assets::version(),
            ..Self::default()
        };
        let MaybeUser(Some(user)) = MaybeUser::from_request_parts(parts, state).await? else {
            if let Some(site) = parts.extensions.get::<tenancy::Site>() {
                layout.brand = site.brand.clone();
                layout.site_name = Some(site.name.clone());
            }
            return Ok(layout);
        };
        let active: Option<Workspace> = tenancy::resolve(parts, state, &user).await?;
        layout.platform_admin = user.platform_admin;
        layout.email_unverified = !user.email_verified;
        let all = match &active {
            Some(w) => {
                layout.brand = w.brand().clone();
                layout.suspended = w.is_suspended();
                layout.moving = w.is_moving();
                layout.approval = w.approval();
                layout.billing = w.billing();
                let chrome = workspace_chrome(w, tx, is_calendar_page(parts.uri.path())).await?;
                layout.unread = chrome.unread;
                layout.publer_ready = chrome.publer_ready;
                chrome.memberships
            }
            None => tenancy::queries::memberships_of(&state.db, user.id).await?,
        };
        layout.user_id = Some(user.id);
        layout.user_name = Some(user.name);
        layout.user_email = user.email;
        layout.active = active.map(|w| WorkspaceBadge {
            id: w.id(),
            name: w.name().to_owned(),
            role: w.role(),
            brand_colour: w.brand().colour.clone(),
            logo: w.brand().logo.clone(),
        });
        let active_id = layout.active.as_ref().map(|w| w.id);
        let listed = switcher(all.into_iter().filter(|w| Some(w.workspace_id) != active_id).collect(), SWITCHER_SIZE);
        (layout.recent, layout.others, layout.more_workspaces) = (listed.recent, listed.others, listed.more);
        Ok(layout)
    }
}

/// `/calendars/{id}`: the one page that offers "Send to Publer" for a range.
fn is_calendar_page(path: &str) -> bool {
    let mut parts = path.trim_end_matches('/').split('/').skip(1);
    matches!((parts.next(), parts.next(), parts.next()), (Some("calendars"), Some(id), None) if Uuid::parse_str(id).is_ok())
}

/// What the chrome shows about the active workspace and the person's others.
struct WorkspaceChrome {
    /// The switcher's share of the others (the active one is not among them).
    memberships: Vec<tenancy::queries::Membership>,
    unread: i64,
    publer_ready: bool,
}

/// The switcher's list, the bell's count and (on a calendar's page) whether
/// Publer is ready, read through the page's `tx`, else a connection of their own.
async fn workspace_chrome(
    ws: &Workspace,
    tx: Option<&mut WorkspaceTx>,
    calendar_page: bool,
) -> Result<WorkspaceChrome, AppError> {
    match tx {
        Some(tx) => Ok(chrome_through(tx, ws.user().id, calendar_page).await?),
        None => {
            let mut tx = ws.glance().await?;
            let chrome = chrome_through(&mut tx, ws.user().id, calendar_page).await?;
            tx.commit().await?;
            Ok(chrome)
        }
    }
}

async fn chrome_through(tx: &mut WorkspaceTx, user: Uuid, calendar_page: bool) -> sqlx::Result<WorkspaceChrome> {
    let id = tx.workspace_id();
    let (memberships, unread) = match tx.is_placed_apart() {
        // One more than is listed tells whether there are more.
        false => tenancy::queries::switcher_with_unread(tx, user, RECENT, SWITCHER_SIZE + 1).await?,
        true => (tenancy::queries::switcher_in(tx.global().await?, user, id, RECENT, SWITCHER_SIZE + 1).await?, None),
    };
    let unread = match unread {
        Some(unread) => unread,
        None => tenancy::notices::unread_count(tx, user).await?,
    };
    let publer_ready = calendar_page && publer_ready(tx).await?;
    Ok(WorkspaceChrome { memberships, unread, publer_ready })
}

/// Whether Publer can take posts: a key, and an account for at least one calendar.
async fn publer_ready(tx: &mut WorkspaceTx) -> sqlx::Result<bool> {
    let id = tx.workspace_id();
    let ready: i64 = crate::db::query::fetch_scalar!(
        tx,
        i64,
        "SELECT (SELECT COUNT(*) FROM workspace_secrets WHERE workspace_id = $1 AND field = $2) \
              * (SELECT COUNT(*) FROM publer_routes WHERE workspace_id = $1)",
        id,
        crate::integrations::PUBLER_KEY
    )?;
    Ok(ready > 0)
}

/// The switcher's lists of a person's other workspaces.
pub struct Switcher {
    /// The few used lately, most recent first.
    pub recent: Vec<WorkspaceBadge>,
    /// The rest by name, up to the size asked for (with `recent`).
    pub others: Vec<WorkspaceBadge>,
    /// Some were left out.
    pub more: bool,
}

/// Splits the person's other workspaces (most recently used first, as the
/// query sorts them) into the few used lately and the rest by name, `size`
/// in all. An agency may have hundreds of clients: the page lists a few,
/// the menu fetches more when it opens, the workspaces page lists them all.
pub fn switcher(all: Vec<tenancy::queries::Membership>, size: usize) -> Switcher {
    let badge = |w: tenancy::queries::Membership| WorkspaceBadge {
        id: w.workspace_id,
        name: w.name,
        role: w.role,
        brand_colour: w.brand_colour,
        logo: w.logo,
    };
    let used = all.iter().take(RECENT).take_while(|w| w.last_used_at.is_some()).count();
    let mut all = all.into_iter();
    let recent: Vec<_> = all.by_ref().take(used).map(badge).collect();
    let mut others: Vec<_> = all.map(badge).collect();
    others.sort_by_cached_key(|w| (w.name.to_lowercase(), w.id));
    let room = size.saturating_sub(recent.len());
    let more = others.len() > room;
    others.truncate(room);
    Switcher { recent, others, more }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_calendars_own_page_asks_about_publer() {
        let id = "0190a1b2-0000-7000-8000-000000000000";
        assert!(is_calendar_page(&format!("/calendars/{id}")));
        assert!(!is_calendar_page(&format!("/calendars/{id}/grid")));
        assert!(!is_calendar_page("/calendars"));
        assert!(!is_calendar_page("/calendars/new"));
    }

    fn memberships(used: usize, unused: usize) -> Vec<tenancy::queries::Membership> {
        let one = |n: usize, used: bool| tenancy::queries::Membership {
            workspace_id: Uuid::now_v7(),
            name: format!("Client {n:03}"),
            role: Role::Member,
            brand_colour: String::new(),
            logo: String::new(),
            last_used_at: used.then(|| time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(1_000 - n as i64)),
        };
        (0..used).map(|n| one(n, true)).chain((used..used + unused).map(|n| one(n, false))).collect()
    }

    #[test]
    fn the_switcher_says_there_are_more_only_when_some_are_left_out() {
        let names = |list: &[WorkspaceBadge]| list.iter().map(|w| w.name.clone()).collect::<Vec<_>>();
        let listed = switcher(memberships(7, 3), 10);
        assert_eq!(names(&listed.recent), ["Client 000", "Client 001", "Client 002", "Client 003", "Client 004"]);
        assert_eq!(names(&listed.others), ["Client 005", "Client 006", "Client 007", "Client 008", "Client 009"]);
        assert!(!listed.more, "ten fit in ten");
        let listed = switcher(memberships(7, 4), 10);
        assert_eq!((listed.recent.len(), listed.others.len(), listed.more), (5, 5, true));
        let listed = switcher(memberships(0, 11), 10);
        assert_eq!((listed.recent.len(), listed.others.len(), listed.more), (0, 10, true));
        assert_eq!(listed.others.last().map(|w| w.name.as_str()), Some("Client 009"), "the first ten by name");
    }

    #[test]
    fn avatar_letters_read_on_their_fill() {
        assert_eq!(ink_on("#ffffff"), "#111111");
        assert_eq!(ink_on("#ffd400"), "#111111");
        assert_eq!(ink_on("#4f46e5"), "#ffffff");
        assert_eq!(ink_on("#000000"), "#ffffff");
    }
}
