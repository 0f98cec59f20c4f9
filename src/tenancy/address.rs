//! Where a workspace's people reach it: its own address
//! (`{slug}.EASEL_BASE_DOMAIN`) when it has one, else the instance's
//! `EASEL_BASE_URL`. Links Easel mails or shows for a workspace (review
//! links) start here. Also the rules a slug must follow.

use url::Url;
use uuid::Uuid;

use crate::{config::Config, db::query::fetch_optional, error::AppResult, state::AppState};

/// The workspace a request's address names: set by the host middleware
/// (`tenancy::host`) on requests to `{slug}.EASEL_BASE_DOMAIN` of a known,
/// kept workspace. Pages opened by a token (review links) refuse a token of
/// another workspace when it is present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostWorkspace(pub Uuid);

/// Names no workspace may take: they are, or could become, the operator's
/// own addresses under the base domain.
pub const RESERVED: &[&str] = &[
    "www",
    "admin",
    "api",
    "app",
    "mail",
    "static",
    "assets",
    "cdn",
    "ftp",
    "smtp",
    "imap",
    "pop",
    "ns1",
    "ns2",
    "help",
    "support",
    "status",
    "billing",
    "login",
    "signup",
    "auth",
    "review",
    "docs",
    "blog",
    "dev",
    "test",
    "easel",
    "webmail",
    "mx",
    "email",
    "img",
    "media",
    "files",
    "dashboard",
    "account",
    "accounts",
    "portal",
    "staging",
    "demo",
    "localhost",
    "autoconfig",
    "autodiscover",
    "pop3",
    "ns",
    "ns3",
    "ns4",
    "vpn",
    "git",
];

pub const MIN_LEN: usize = 3;
pub const MAX_LEN: usize = 40;

/// A slug as typed, cleaned: `Ok(None)` when cleared, `Ok(Some(slug))` when
/// it follows the rules, else why not (for the form). Uniqueness is the
/// database's to say.
pub fn clean_slug(raw: &str) -> Result<Option<String>, &'static str> {
    let slug = raw.trim().to_ascii_lowercase();
    if slug.is_empty() {
        return Ok(None);
    }
    if !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err("Use only letters a-z, digits and hyphens.");
    }
    if !(MIN_LEN..=MAX_LEN).contains(&slug.len()) {
        return Err("Use 3 to 40 characters.");
    }
    if slug.starts_with('-') || slug.ends_with('-') {
        return Err("Start and end with a letter or a digit, not a hyphen.");
    }
    if is_reserved(&slug) {
        return Err("That name is reserved for the service itself; choose another.");
    }
    Ok(Some(slug))
}

pub fn is_reserved(label: &str) -> bool {
    RESERVED.contains(&label)
}

/// `{scheme}://{slug}.{domain}{:port}`, the scheme and port taken from
/// `EASEL_BASE_URL`; `None` without a base domain.
pub fn address_of(config: &Config, slug: &str) -> Option<String> {
    let domain = config.base_domain.as_deref()?;
    Some(with_host(&config.base_url, &format!("{slug}.{domain}")))
}

fn with_host(base: &Url, host: &str) -> String {
    let port = base.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{host}{port}", base.scheme())
}

/// The instance's own base URL, without a trailing slash.
pub fn instance_url(config: &Config) -> String {
    let base = &config.base_url;
    let host = base.host_str().unwrap_or_default();
    let path = base.path().trim_end_matches('/');
    format!("{}{path}", with_host(base, host))
}

/// The base of the workspace's links, without a trailing slash: its own
/// address when `EASEL_BASE_DOMAIN` is set and it has a slug, else
/// `EASEL_BASE_URL`.
pub async fn base_url_of(state: &AppState, workspace: Uuid) -> AppResult<String> {
    let fallback = state.config.base_url.as_str().trim_end_matches('/').to_owned();
    if state.config.base_domain.is_none() {
        return Ok(fallback);
    }
    Ok(match slug_of(state, workspace).await? {
        Some(slug) => address_of(&state.config, &slug).unwrap_or(fallback),
        None => fallback,
    })
}

/// The workspace's slug, if it has one (a global column: the main database).
pub async fn slug_of(state: &AppState, workspace: Uuid) -> AppResult<Option<String>> {
    let slug: Option<(Option<String>,)> =
        fetch_optional!(state.db, (Option<String>,), "SELECT slug FROM workspaces WHERE id = $1", workspace)?;
    Ok(slug.and_then(|(s,)| s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_rules() {
        assert_eq!(clean_slug("  Mara-Lind ").unwrap(), Some("mara-lind".into()));
        assert_eq!(clean_slug("abc").unwrap(), Some("abc".into()));
        assert_eq!(clean_slug(&"a".repeat(40)).unwrap(), Some("a".repeat(40)));
        assert_eq!(clean_slug("").unwrap(), None, "clearing is allowed");
        for bad in ["ab", &"a".repeat(41), "-mara", "mara-", "ma ra", "ma_ra", "mára", "ma.ra", "www", "admin", "API"]
        {
            assert!(clean_slug(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn the_brief_s_reserved_names_are_all_there() {
        for name in "www admin api app mail static assets cdn ftp smtp imap pop ns1 ns2 help support status billing \
                     login signup auth review docs blog dev test"
            .split_whitespace()
        {
            assert!(is_reserved(name), "{name}");
        }
    }

    #[test]
    fn an_address_keeps_the_base_url_s_scheme_and_port() {
        let mut config = Config::from_lookup(|_| None).expect("defaults");
        config.base_url = "https://plan.agency.example:8443/".parse().expect("url");
        assert_eq!(address_of(&config, "mara"), None, "no base domain, no address");
        config.base_domain = Some("plan.agency.example".into());
        assert_eq!(address_of(&config, "mara").as_deref(), Some("https://mara.plan.agency.example:8443"));
        config.base_url = "http://easel.example/".parse().expect("url");
        assert_eq!(address_of(&config, "mara").as_deref(), Some("http://mara.plan.agency.example"));
        assert_eq!(instance_url(&config), "http://easel.example");
    }
}
