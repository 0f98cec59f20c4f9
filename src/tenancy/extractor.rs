//! The `Workspace` extractor: the only way a handler learns which workspace
//! it works in (DESIGN §3).

use axum::{
    extract::FromRequestParts,
    http::{Method, request::Parts},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    address::HostWorkspace,
    approval::Mode,
    permissions::{Permission, Role},
    queries::{self, ActiveMembership},
};
use crate::{
    auth::{self, CurrentUser, session::session_of},
    db::{Db, WorkspaceTx},
    error::{AppError, AppResult},
    state::AppState,
    web::csrf::PageWorkspace,
};

const KEY: &str = "workspace";

/// The active workspace of the signed-in person, whose membership was checked
/// in the database for this request.
#[derive(Clone, Debug)]
pub struct Workspace {
    id: Uuid,
    name: String,
    role: Role,
    user: CurrentUser,
    /// The address the request came from, for the audit log.
    client_ip: String,
    /// Suspended by the operator: everything reads, nothing writes.
    suspended: bool,
    /// Being moved to another database (`easel workspace move`): everything
    /// reads, nothing writes, until the move is done.
    moving: bool,
    /// How posts are approved before they are sent.
    approval: Mode,
    /// A failed payment's grace, or the read-only state after it.
    billing: BillingStanding,
    /// This request only reads (GET or HEAD), which suspension allows.
    reading: bool,
    brand: Brand,
    /// The database holding the workspace's rows (its placement).
    data: Db,
    /// The main database, when the workspace's rows live elsewhere.
    main: Option<Db>,
}

/// How the workspace dresses its pages (white-label branding).
#[derive(Clone, Debug, Default)]
pub struct Brand {
    /// `#rrggbb`, or empty for Easel's own colour.
    pub colour: String,
    /// The logo's file name in the workspace's `brand/` folder, or empty.
    pub logo: String,
    pub hide_powered_by: bool,
}

/// Where a workspace stands with its payments (only while billing is on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BillingStanding {
    #[default]
    Good,
    /// A payment failed; everything works until `until`.
    Grace { until: time::OffsetDateTime },
    /// The grace ran out: read-only until the payment is fixed.
    Locked,
}

impl BillingStanding {
    /// From when payments started failing, the grace allowed, and now.
    pub fn of(past_due_since: Option<time::OffsetDateTime>, grace: std::time::Duration) -> Self {
        let Some(since) = past_due_since else { return Self::Good };
        let until = since + grace;
        if until <= time::OffsetDateTime::now_utc() { Self::Locked } else { Self::Grace { until } }
    }
}

pub const BILLING_LOCKED: &str = "A payment for this workspace has failed and its grace period is over: you can \
                                  read everything in it, but nothing can be changed until the owner fixes the \
                                  payment. Nothing has been deleted.";

const SUSPENDED: &str = "This workspace is suspended by the operator: you can read everything in it, but nothing \
                         can be changed until the suspension is lifted.";

const MOVING: &str = "This workspace is being moved to another database: you can read everything in it, but \
                      nothing can be changed until the move is done (usually a few minutes).";

impl Workspace {
    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    pub fn client_ip(&self) -> &str {
        &self.client_ip
    }

    pub fn is_suspended(&self) -> bool {
        self.suspended
    }

    pub fn is_moving(&self) -> bool {
        self.moving
    }

    pub fn approval(&self) -> Mode {
        self.approval
    }

    pub fn brand(&self) -> &Brand {
        &self.brand
    }

    pub fn billing(&self) -> BillingStanding {
        self.billing
    }

    fn read_only(&self) -> bool {
        self.suspended || self.moving || self.billing == BillingStanding::Locked
    }

    /// Suspension (a move, a lapsed payment) stops everything but reading;
    /// a lapsed payment also leaves paying open.
    fn blocked(&self, permission: Permission) -> bool {
        let paying_the_way_out = permission == Permission::ManageBilling && !self.suspended && !self.moving;
        self.read_only() && !self.reading && permission != Permission::ViewContent && !paying_the_way_out
    }

    fn read_only_reason(&self) -> &'static str {
        if self.suspended {
            SUSPENDED
        } else if self.moving {
            MOVING
        } else {
            BILLING_LOCKED
        }
    }

    /// `Ok` when the member's role holds `permission`, else a 403.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if !self.role.can(permission) {
            Err(AppError::Forbidden("Your role in this workspace does not allow that."))
        } else if self.blocked(permission) {
            Err(AppError::Forbidden(self.read_only_reason()))
        } else {
            Ok(())
        }
    }

    /// A read transaction that sees this workspace's rows only, on the
    /// database its placement names.
    pub async fn read(&self) -> AppResult<WorkspaceTx> {
        Ok(WorkspaceTx::open(&self.data, false, self.id, self.main.clone()).await?)
    }

    /// A read of this workspace's rows that needs no snapshot across its
    /// statements (a page's lists and counts, the chrome, a file's row), for
    /// reads only: on SQLite each statement reads on its own, sparing two
    /// round trips to SQLite's worker thread (a write would commit at once);
    /// on PostgreSQL a read-only transaction whose end travels with the
    /// connection's release.
    pub async fn glance(&self) -> AppResult<WorkspaceTx> {
        Ok(WorkspaceTx::open_reading(&self.data, self.id, self.main.clone()).await?)
    }

    /// A write transaction on the main database for this workspace's billing
    /// rows. Allowed while the workspace is read-only: paying is how a
    /// lapsed workspace becomes writable again.
    pub async fn write_billing(&self) -> AppResult<WorkspaceTx> {
        let main = self.main.as_ref().unwrap_or(&self.data);
        Ok(WorkspaceTx::open(main, true, self.id, None).await?)
    }

    /// A write transaction that touches this workspace's rows only; refused
    /// while the workspace is suspended. It marks the workspace active.
    pub async fn write(&self) -> AppResult<WorkspaceTx> {
        if self.read_only() {
            return Err(AppError::Forbidden(self.read_only_reason()));
        }
        let mut tx = WorkspaceTx::open(&self.data, true, self.id, self.main.clone()).await?;
        queries::mark_active(&mut tx).await?;
        Ok(tx)
    }
}

impl FromRequestParts<AppState> for Workspace {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (user, known) = match wanted(parts).await? {
            // The person's row and their membership of the workspace they
            // want, in one statement (this runs on every workspace page).
            Some(id) => {
                let both = async |user_id| {
                    let reader = state.side_reads.reader(&state.db).await;
                    queries::user_with_membership(reader, user_id, id).await
                };
                let (user, membership) = auth::session::current_user_with(parts, state, both).await?;
                (user, membership.map(|m| Known { id, membership: m }))
            }
            None => (CurrentUser::from_request_parts(parts, state).await?, None),
        };
        let workspace = resolve_knowing(parts, state, &user, known).await?.ok_or(AppError::NoWorkspace)?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            refuse_stale_page(parts, workspace.id)?;
        }
        Ok(workspace)
    }
}

/// A membership already looked up in this request (`None`: there is none).
struct Known {
    id: Uuid,
    membership: Option<ActiveMembership>,
}

/// The workspace the request asks for first: the address's, else the session's.
async fn wanted(parts: &Parts) -> AppResult<Option<Uuid>> {
    if parts.extensions.get::<Workspace>().is_some() {
        return Ok(None);
    }
    if let Some(HostWorkspace(id)) = parts.extensions.get::<HostWorkspace>() {
        return Ok(Some(*id));
    }
    Ok(session_of(parts)?.get(KEY).await?)
}

/// A write from a page rendered for another workspace (an old tab) must not
/// land in the one now active.
fn refuse_stale_page(parts: &Parts, active: Uuid) -> AppResult<()> {
    match parts.extensions.get::<PageWorkspace>() {
        Some(PageWorkspace(Some(page))) if *page == active => Ok(()),
        _ => Err(AppError::StaleWorkspace),
    }
}

/// The active workspace, falling back to the person's first membership when
/// the session names none they still belong to. `None` when they have none.
pub async fn resolve(parts: &mut Parts, state: &AppState, user: &CurrentUser) -> AppResult<Option<Workspace>> {
    resolve_knowing(parts, state, user, None).await
}

async fn resolve_knowing(
    parts: &mut Parts,
    state: &AppState,
    user: &CurrentUser,
    mut known: Option<Known>,
) -> AppResult<Option<Workspace>> {
    if let Some(cached) = parts.extensions.get::<Workspace>() {
        return Ok(Some(cached.clone()));
    }
    let session = session_of(parts)?;
    let mut membership_of = async |id: Uuid| -> AppResult<Option<ActiveMembership>> {
        match known.take() {
            Some(known) if known.id == id => Ok(known.membership),
            _ => Ok(queries::membership(&state.db, user.id, id).await?),
        }
    };
    // On a workspace's own address its members always work in it, whatever
    // the session chose: the address says which workspace the pages are
    // about (sessions are per address, so this session was made here).
    // Anyone else falls through to the session's choice.
    let mut membership = match parts.extensions.get::<HostWorkspace>() {
        Some(HostWorkspace(id)) => membership_of(*id).await?,
        None => None,
    };
    if membership.is_none() {
        let wanted: Option<Uuid> = session.get(KEY).await?;
        membership = match wanted {
            Some(id) => membership_of(id).await?,
            None => None,
        };
    }
    if membership.is_none() {
        membership = queries::first_membership(&state.db, user.id).await?;
        if let Some(found) = &membership {
            make_active(&session, found.workspace_id).await?;
        }
    }
    let client_ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let placed = match &membership {
        Some(m) => Some(placed(state, &m.placement)?),
        None => None,
    };
    let workspace = membership.zip(placed).map(|(m, (data, main)): (ActiveMembership, _)| Workspace {
        id: m.workspace_id,
        name: m.name,
        role: m.role,
        user: user.clone(),
        client_ip: client_ip.clone(),
        suspended: m.suspended,
        moving: m.moving,
        approval: m.approval,
        billing: match &state.config.billing.stripe {
            Some(_) => BillingStanding::of(m.billing_past_due_since, state.config.billing.grace),
            None => BillingStanding::Good,
        },
        reading: matches!(parts.method, Method::GET | Method::HEAD),
        brand: Brand { colour: m.brand_colour, logo: m.logo, hide_powered_by: m.hide_powered_by },
        data,
        main,
    });
    if let Some(found) = &workspace {
        parts.extensions.insert(found.clone());
    }
    Ok(workspace)
}

/// The database of a placement, and the main one when that is another.
fn placed(state: &AppState, placement: &str) -> AppResult<(Db, Option<Db>)> {
    let data = state.databases.by_name(placement).map_err(|e| AppError::Internal(e.into()))?.clone();
    let main = (placement != crate::config::MAIN).then(|| state.db.clone());
    Ok((data, main))
}

/// Records the active workspace; callers have checked the membership.
pub async fn make_active(session: &Session, workspace_id: Uuid) -> AppResult<()> {
    session.insert(KEY, workspace_id).await?;
    Ok(())
}
