//! Easel: a multi-tenant content planner for visual artists and agencies.
//!
//! `prepare` readies the database, `app` builds the router, and `launch`
//! serves it until a shutdown signal; `main.rs` and the tests both use them.

pub mod admin;
pub mod allocator;
pub mod approvals;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod billing;
pub mod branding;
pub mod bulk;
pub mod calendars;
pub mod captions;
pub mod collections;
pub mod comments;
pub mod config;
pub mod db;
pub mod error;
pub mod exports;
pub mod home;
pub mod images;
pub mod integrations;
pub mod mail;
pub mod notifications;
pub mod oauth;
pub mod outbound;
pub mod plans;
pub mod posts;
pub mod publer;
pub mod review;
pub mod secrets;
pub mod serve;
pub mod settings;
pub mod state;
pub mod storage;
pub mod team;
pub mod tenancy;
pub mod usage;
pub mod web;

use std::future::Future;

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{config::Config, db::Db, error::AppError, state::AppState};

/// Connects to the database, checks its role, runs migrations and creates
/// the data folders: everything `serve` needs before it listens.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let mailer = mail::Mailer::from_config(&config)?;
    std::fs::create_dir_all(&config.data_dir)?;
    storage::private::tighten(&config.data_dir, storage::private::FOLDER);
    let secrets = match &config.secret_key {
        Some(spec) => secrets::Secrets::parse(spec).map_err(|why| anyhow::anyhow!("EASEL_SECRET_KEY: {why}"))?,
        None => secret_key_file(&config.data_dir.join("secret.key"))?,
    };
    let storage = storage::Storage::open(&config.storage.setting, &config.data_dir)
        .map_err(|e| anyhow::anyhow!("EASEL_STORAGE: {e}"))?;
    let db = Db::connect(&config.database_url).await?;
    db.check_rls_role(config.allow_rls_bypass).await?;
    db.migrate().await?;
    db.session_store().migrate().await?;
    auth::password::prepare();
    admin::grant_configured(&db, &config.admin_emails).await?;
    let databases = db::Databases::connect(db.clone(), &config).await?;
    Ok(AppState::new(db, config, mailer, secrets, storage).with_databases(databases))
}

/// The master key from its file (made 0600 on first run); a warning when
/// an existing file is readable by other users of the machine.
fn secret_key_file(path: &std::path::Path) -> anyhow::Result<secrets::Secrets> {
    if storage::private::readable_by_others(path) {
        tracing::warn!(
            file = %path.display(),
            "the secret key file is readable by other users; make it private to Easel's user (chmod 600)"
        );
    }
    secrets::Secrets::from_file(path).map_err(|why| anyhow::anyhow!("the secret key file: {why}"))
}

/// Serves Easel on `listener` until `shutdown` resolves, then lets requests
/// in flight finish; with the timeouts and connection cap of `serve`.
pub async fn launch(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Only a server sweeps: a command run beside it (a backup from cron)
    // must not take the files of uploads still on their way.
    let grace = state.config.storage.sweep_grace;
    storage::sweeper::sweep_at_start(&state.databases, &state.storage, grace, state.config.work_lease).await?;
    let sweeping = tokio::spawn(storage::sweeper::keep_sweeping(
        state.databases.clone(),
        state.storage.clone(),
        grace,
        state.config.work_lease,
    ));
    // Exports whose worker died show as failed; expired archives go.
    if let Err(e) = exports::job::tidy_everywhere(&state).await {
        tracing::warn!(error = %e, "could not tidy the workspace exports");
    }
    let store = state.db.session_store();
    let purge = tokio::spawn(store.clone().continuously_delete_expired(state.config.session.purge_every));
    let sender = state.publer.clone();
    // Sends in flight now, and later those whose instance died (DESIGN §9).
    tokio::spawn(publer::sender::keep_resuming(state.clone()));
    let releasing = state.clone();
    let snapshots = tokio::spawn(admin::snapshots::keep_taking(state.databases.clone(), state.config.work_lease));
    // Workspaces whose deletion grace period is over: once now, then every minute.
    let purging = tokio::spawn(tenancy::deletion::keep_purging(state.databases.clone(), state.storage.clone()));
    let scheduled_backups = backups::start(&state);
    // Canceled subscriptions whose paid period is over: back to Free.
    let billing = tokio::spawn(billing::keep_ending(state.databases.clone()));
    // Mail summaries of notifications: at most one per person per 10 minutes.
    let mailing = tokio::spawn(notifications::summary::keep_mailing(state.clone()));
    let bounds = state.config.bounds.clone();
    let served = serve::serve(listener, app(state), &bounds, shutdown).await;
    purge.abort();
    snapshots.abort();
    purging.abort();
    sweeping.abort();
    mailing.abort();
    billing.abort();
    if let Some(task) = scheduled_backups {
        task.abort();
    }
    sender.stop();
    sender.release_leases(&releasing).await;
    Ok(served?)
}

/// Scripts and styles come from Easel itself, never inline, never a CDN.
/// Forms post only to Easel, which may send them on to Stripe's checkout
/// and portal when billing is on (browsers hold redirects to `form-action`).
fn content_security_policy(config: &config::Config) -> HeaderValue {
    let mut forms = String::from("'self'");
    if let Some(stripe) = &config.billing.stripe {
        forms.push_str(" https://checkout.stripe.com https://billing.stripe.com");
        let stand_in =
            url::Url::parse(&stripe.base_url).ok().filter(|_| stripe.base_url != config::billing::STRIPE_API);
        if let Some(url) = stand_in {
            forms.push(' ');
            forms.push_str(&url.origin().ascii_serialization());
        }
    }
    let csp = format!(
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
         frame-ancestors 'none'; form-action {forms}; base-uri 'none'; object-src 'none'"
    );
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The whole route table, with its layers.
pub fn app(state: AppState) -> Router {
    let request_id = web::headers::REQUEST_ID;
    let csp = content_security_policy(&state.config);
    let https = state.config.secure_cookies();
    Router::new()
        .route("/", get(home::view_home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/{name}", get(web::assets::serve))
        .merge(auth::routes())
        .merge(tenancy::routes())
        .merge(settings::routes())
        .merge(images::routes())
        .merge(collections::routes())
        .merge(calendars::routes())
        .merge(posts::routes())
        .merge(approvals::routes())
        .merge(bulk::routes())
        .merge(audit::routes())
        .merge(team::routes())
        .merge(oauth::routes())
        .merge(integrations::routes())
        .merge(captions::routes())
        .merge(publer::routes())
        .merge(billing::routes())
        .merge(branding::routes())
        .merge(admin::routes())
        .merge(exports::routes())
        .merge(review::routes(&state))
        .merge(comments::routes())
        .merge(notifications::routes())
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), auth::two_factor::enrolment_gate))
        // Inside the CSRF guard (the sign-in page it may answer with sets the
        // visitor's cookie) and the session layer (it binds sessions to addresses).
        .layer(middleware::from_fn_with_state(state.clone(), tenancy::host::route_by_host))
        .layer(middleware::from_fn_with_state(state.clone(), web::csrf::guard))
        .layer(middleware::from_fn_with_state(state.clone(), web::errors::signed_in_chrome))
        .layer(session_layer(&state))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(web::headers::only_uuid_request_ids))
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    let path = web::redirect::loggable_path(req.uri().path());
                    tracing::info_span!("request", id, method = %req.method(), path = %path)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
                .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(middleware::from_fn_with_state(https, web::headers::harden))
                .layer(middleware::from_fn(web::errors::render))
                .layer(CatchPanicLayer::new())
                .layer(middleware::from_fn(web::finish_despite_disconnect)),
        )
        .with_state(state)
}

fn session_layer(state: &AppState) -> SessionManagerLayer<db::SessionStore> {
    let secure = state.config.secure_cookies();
    let idle = time::Duration::try_from(state.config.session.idle).unwrap_or(time::Duration::days(7));
    SessionManagerLayer::new(state.db.session_store())
        .with_name(if secure { "__Host-easel" } else { "easel" })
        .with_secure(secure)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// Ready for traffic: the database and the object store both answer;
/// otherwise 503 naming what is down (for load balancers).
async fn readyz(State(state): State<AppState>) -> Response {
    let mut down = Vec::new();
    if !state.db.is_healthy().await {
        down.push("database unavailable".to_owned());
    }
    if let Err(why) = state.storage.check().await {
        // The details (hosts, errors) go to the log, not to anyone asking.
        tracing::warn!(error = %why, "readyz: the object store is down");
        down.push("object store unavailable".to_owned());
    }
    if down.is_empty() {
        return (StatusCode::OK, "ready").into_response();
    }
    // The error page (which replaces any 503's body) says what is down.
    let page =
        crate::error::ErrorPage { title: "Easel is not ready", message: format!("Not ready: {}.", down.join("; ")) };
    let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
    response.extensions_mut().insert(page);
    response
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
