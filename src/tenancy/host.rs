//! Routing by address: a request to `{slug}.EASEL_BASE_DOMAIN` is about that
//! workspace. The middleware here finds it (or answers a branded 404), binds
//! sessions to the address they were made at, and shows a signed-out
//! visitor the workspace's own sign-in page at `/`.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    Brand,
    address::{HostWorkspace, is_reserved},
};
use crate::{
    auth::MaybeUser,
    db::query::fetch_optional,
    error::{AppError, AppResult, ErrorPage},
    state::AppState,
};

/// The workspace an address names, as a signed-out visitor may see it:
/// its name and branding (nothing else).
#[derive(Clone, Debug)]
pub struct Site {
    pub id: Uuid,
    pub name: String,
    /// Colour, logo, and "Powered by Easel" hidden only where the plan allows.
    pub brand: Brand,
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uuid,
    name: String,
    brand_colour: String,
    logo: String,
    hide_powered_by: bool,
}

/// What a request's host names.
#[derive(Debug, PartialEq, Eq)]
enum Address {
    /// Not a workspace's address: today's behaviour.
    Instance,
    /// `{label}.{domain}`: the workspace with that slug, if any.
    Workspace(String),
}

/// The key under which a session remembers the address it was made at.
const BOUND_TO: &str = "address";

pub async fn route_by_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(domain) = state.config.base_domain.clone() else {
        return next.run(request).await;
    };
    let host = host_of(&request);
    let session = request.extensions().get::<Session>().cloned();
    if let Some(session) = &session
        && let Err(err) = refuse_elsewhere(session, &host).await
    {
        return err.into_response();
    }
    let response = match route(&state, &domain, &host, request).await {
        Ok(Ok(request)) => next.run(request).await,
        Ok(Err(answered)) => answered,
        Err(err) => err.into_response(),
    };
    if let Some(session) = &session
        && let Err(err) = bind_session(session, &host).await
    {
        return err.into_response();
    }
    response
}

/// The request to pass on, or the answer already given.
async fn route(
    state: &AppState,
    domain: &str,
    host: &str,
    mut request: Request,
) -> AppResult<Result<Request, Response>> {
    let instance_host = state.config.base_url.host_str().unwrap_or_default().to_ascii_lowercase();
    let slug = match classify(host, domain, &instance_host) {
        Address::Instance => return Ok(Ok(request)),
        Address::Workspace(slug) => slug,
    };
    let Some(site) = site_by_slug(state, &slug).await? else {
        // The 404 page's own styles and icon come from here too.
        if request.uri().path().starts_with("/static/") {
            return Ok(Ok(request));
        }
        return Ok(Err(unknown_address()));
    };
    request.extensions_mut().insert(HostWorkspace(site.id));
    request.extensions_mut().insert(site);
    if request.method() == Method::GET && request.uri().path() == "/" {
        let (mut parts, body) = request.into_parts();
        if !signed_in(&mut parts, state).await? {
            return Ok(Err(crate::auth::sign_in_page(state, &mut parts).await?));
        }
        request = Request::from_parts(parts, body);
    }
    Ok(Ok(request))
}

async fn signed_in(parts: &mut Parts, state: &AppState) -> AppResult<bool> {
    let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
    Ok(user.is_some())
}

/// The request's host, lower case, without its port or a final dot.
fn host_of(request: &Request) -> String {
    let raw = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    strip_port(raw).trim_end_matches('.').to_ascii_lowercase()
}

fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        // An IPv6 literal: never a workspace's address.
        return authority.split(']').next().unwrap_or(authority);
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

/// Only `{one label}.{domain}` names a workspace. The bare domain, deeper
/// names, the instance's own host and reserved names (`www`, `app`…, which
/// the operator may point at Easel itself) keep today's behaviour.
fn classify(host: &str, domain: &str, instance_host: &str) -> Address {
    if host == instance_host {
        return Address::Instance;
    }
    match host.strip_suffix(domain).and_then(|rest| rest.strip_suffix('.')) {
        Some(label) if !label.is_empty() && !label.contains('.') && !is_reserved(label) => {
            Address::Workspace(label.to_owned())
        }
        _ => Address::Instance,
    }
}

/// A kept workspace with this slug; one scheduled for deletion is unknown.
async fn site_by_slug(state: &AppState, slug: &str) -> AppResult<Option<Site>> {
    let row = fetch_optional!(
        state.db,
        SiteRow,
        "SELECT w.id, w.name, w.brand_colour, w.logo, \
           (w.hide_powered_by AND COALESCE(w.custom_can_hide_branding, p.can_hide_branding, FALSE)) AS hide_powered_by \
         FROM workspaces w LEFT JOIN plans p ON p.key = w.plan \
         WHERE w.slug = $1 AND w.delete_after IS NULL",
        slug
    )?;
    Ok(row.map(|r| Site {
        id: r.id,
        name: r.name,
        brand: Brand { colour: r.brand_colour, logo: r.logo, hide_powered_by: r.hide_powered_by },
    }))
}

/// A session belongs to the address it was made at. Browsers already keep
/// the cookie there (it has no `Domain`); a cookie carried to another
/// address by hand ends the session instead of working there.
async fn refuse_elsewhere(session: &Session, host: &str) -> AppResult<()> {
    if session.get::<String>(BOUND_TO).await?.is_some_and(|bound| bound != host) {
        tracing::warn!("a session made at another address was shown here; it was ended");
        session.flush().await?;
    }
    Ok(())
}

/// Records where a session was made, as the request that made it ends.
async fn bind_session(session: &Session, host: &str) -> AppResult<()> {
    if !session.is_empty().await && session.get::<String>(BOUND_TO).await?.is_none() {
        session.insert(BOUND_TO, host).await?;
    }
    Ok(())
}

/// No workspace lives at this address: a 404 in the instance's own
/// branding that says nothing about which workspaces exist.
fn unknown_address() -> Response {
    let mut response = StatusCode::NOT_FOUND.into_response();
    response.extensions_mut().insert(ErrorPage {
        title: "No workspace here",
        message: "There is no workspace at this address. Check the address you were given, or ask the person \
                  who sent it."
            .to_owned(),
    });
    response
}

/// The logo of the workspace this address names, for its public sign-in
/// page (anyone may see it there). Elsewhere there is none: 404.
pub async fn serve_site_logo(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    let site = parts.extensions.get::<Site>().ok_or(AppError::NotFound)?;
    if !crate::branding::logo::is_logo_name(&site.brand.logo) {
        return Err(AppError::NotFound);
    }
    let bytes =
        crate::branding::logo::read(&state.storage, site.id, &site.brand.logo).await.ok_or(AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    // The URL carries the logo's file name, which changes with the logo.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = "plan.agency.example";

    fn of(host: &str) -> Address {
        classify(host, DOMAIN, "easel.agency.example")
    }

    #[test]
    fn only_one_label_under_the_domain_names_a_workspace() {
        assert_eq!(of("mara.plan.agency.example"), Address::Workspace("mara".into()));
        assert_eq!(of("plan.agency.example"), Address::Instance, "the bare domain");
        assert_eq!(of("a.mara.plan.agency.example"), Address::Instance);
        assert_eq!(of("mara.plan.agency.example.evil"), Address::Instance);
        assert_eq!(of("maraplan.agency.example"), Address::Instance);
        assert_eq!(of("easel.agency.example"), Address::Instance);
        assert_eq!(of("127.0.0.1"), Address::Instance);
        assert_eq!(of("www.plan.agency.example"), Address::Instance, "reserved names are the operator's");
        assert_eq!(of("no_such.plan.agency.example"), Address::Workspace("no_such".into()));
    }

    #[test]
    fn the_instance_s_own_host_under_the_domain_stays_the_instance() {
        assert_eq!(classify("acme.plan.example", "plan.example", "acme.plan.example"), Address::Instance);
    }

    #[test]
    fn ports_and_case_do_not_matter() {
        let request = |host: &str| Request::builder().header(header::HOST, host).body(axum::body::Body::empty());
        let request = request("Mara.Plan.Agency.Example:8443").expect("request");
        assert_eq!(host_of(&request), "mara.plan.agency.example");
        assert_eq!(strip_port("[::1]:3000"), "[::1");
        assert_eq!(strip_port("mara.example"), "mara.example");
    }
}
