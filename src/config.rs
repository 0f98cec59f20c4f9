//! Typed configuration read once from the environment (and an optional `.env`).

mod access;
mod backups;
pub mod billing;
mod bounds;
mod domain;
pub mod durations;
mod placement;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

pub use access::{InviteLimits, SignupPolicy, TwoFactorRule};
pub use backups::BackupSchedule;
pub use billing::Billing;
pub use bounds::{Bounds, db_connections};
pub use placement::{MAIN, Placement};

/// Everything Easel needs to know about where it runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub base_url: Url,
    pub data_dir: PathBuf,
    pub uploads_dir: PathBuf,
    pub allow_rls_bypass: bool,
    /// The largest file one upload may carry.
    pub max_upload_bytes: u64,
    /// Where mail goes; `None` writes it to `outbox/` in the data folder.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// The master keys that seal workspace secrets; `None` uses (and on
    /// first run creates) `secret.key` in the data folder.
    pub secret_key: Option<String>,
    /// Sign-in with Google, when configured.
    pub google: Option<OAuthProvider>,
    /// Sign-in with GitHub, when configured.
    pub github: Option<OAuthProvider>,
    pub session: SessionPolicy,
    pub auth_limits: AuthLimits,
    /// How long a caption request may take before the editor says so.
    pub ai_timeout: Duration,
    pub publer: PublerPolicy,
    /// People made platform admins at start-up (`EASEL_ADMIN_EMAILS`).
    pub admin_emails: Vec<String>,
    /// The plan new workspaces start on.
    pub default_plan: String,
    /// Inside addresses workspaces may call anyway (`EASEL_OUTBOUND_ALLOW`).
    pub outbound_allow: crate::outbound::AllowList,
    /// Timeouts and caps on the work one client can cause.
    pub bounds: Bounds,
    /// Who must use two-factor sign-in (`EASEL_REQUIRE_2FA`).
    pub require_two_factor: TwoFactorRule,
    /// Who may create an account (`EASEL_SIGNUP`).
    pub signup: SignupPolicy,
    /// How many workspaces one person may own (`EASEL_MAX_OWNED_WORKSPACES`);
    /// platform admins are exempt.
    pub max_owned_workspaces: i64,
    pub invite_limits: InviteLimits,
    /// How long a deleted workspace can still be restored before it is
    /// purged (`EASEL_DELETE_GRACE`).
    pub delete_grace: Duration,
    /// Backups the server takes by itself (`EASEL_BACKUP_*`).
    pub backups: BackupSchedule,
    /// How long an instance's claim on background work (a Publer send, a
    /// once-per-cluster job) holds without renewal (`EASEL_WORK_LEASE`).
    pub work_lease: Duration,
    /// Extra databases for workspaces of their own (`EASEL_DATABASES`).
    pub placement: Placement,
    /// Where uploads live (`EASEL_STORAGE`, `EASEL_S3_*`), and the sweeper's grace.
    pub storage: crate::storage::setting::StorageConfig,
    /// The domain under which workspaces have their own addresses,
    /// `{slug}.{domain}` (`EASEL_BASE_DOMAIN`); `None`: no such addresses.
    pub base_domain: Option<String>,
    /// Stripe billing, and what a failed payment allows (`EASEL_STRIPE_*`).
    pub billing: Billing,
}

/// The plans Easel ships with (their limits are the operator's to edit).
pub const PLAN_KEYS: [&str; 5] = ["free", "basic", "standard", "pro", "unlimited"];

/// Where Publer is and how patiently Easel talks to it.
#[derive(Clone, Debug)]
pub struct PublerPolicy {
    pub base_url: String,
    /// Each HTTP call's limit.
    pub timeout: Duration,
    /// The first wait after a 429 or 5xx; it doubles on each retry.
    pub backoff: Duration,
    /// Tries of one call before the post is marked failed.
    pub attempts: u32,
    /// Between two looks at a job Publer is still working on.
    pub poll_every: Duration,
    /// Looks at one job before Easel stops waiting for it.
    pub polls: u32,
}

impl Default for PublerPolicy {
    fn default() -> Self {
        Self {
            base_url: "https://app.publer.com/api/v1".into(),
            timeout: Duration::from_secs(30),
            backoff: Duration::from_secs(2),
            attempts: 5,
            poll_every: Duration::from_secs(2),
            polls: 150,
        }
    }
}

/// An OAuth provider's credentials and endpoints (configurable so tests can
/// point them at a stand-in; the defaults are the real ones).
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: String,
    pub token_url: String,
    /// Google: the user-info endpoint. GitHub: the API base URL.
    pub api_url: String,
}

/// How long a sign-in lasts.
#[derive(Clone, Debug)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy it is.
    pub absolute: Duration,
    /// How often expired sessions are purged from the database.
    pub purge_every: Duration,
}

/// Attempts allowed at sign-in and sign-up before a friendly 429.
#[derive(Clone, Debug)]
pub struct AuthLimits {
    pub per_address: u32,
    pub per_email: u32,
    pub window: Duration,
}

/// A configuration value that cannot be used, named after its variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {why}")]
pub struct ConfigError {
    pub var: &'static str,
    pub why: String,
}

impl Config {
    /// Reads the process environment, after loading `.env` when one exists.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds a configuration from any source of variables (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(get("EASEL_DATA_DIR").unwrap_or_else(|| "data".into()));
        let uploads_dir = PathBuf::from(get("EASEL_UPLOADS_DIR").unwrap_or_else(|| "uploads".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => check_database_url(url)?,
            None => format!("sqlite://{}", data_dir.join("easel.db").display()),
        };
        let bind = match get("EASEL_BIND") {
            Some(v) => v.trim().parse().map_err(|_| ConfigError {
                var: "EASEL_BIND",
                why: format!("'{v}' is not an address and port such as 127.0.0.1:3000"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let base_url = match get("EASEL_BASE_URL") {
            Some(v) => check_base_url(&v)?,
            None => check_base_url(&format!("http://{bind}"))?,
        };
        let allow_rls_bypass = match get("EASEL_ALLOW_RLS_BYPASS").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(ConfigError { var: "EASEL_ALLOW_RLS_BYPASS", why: format!("'{other}' must be 1 or 0") });
            }
        };
        let max_upload_mb = match get("EASEL_MAX_UPLOAD_MB") {
            Some(v) => {
                v.trim().parse::<u64>().ok().filter(|mb| (1..=4096).contains(mb)).ok_or_else(|| ConfigError {
                    var: "EASEL_MAX_UPLOAD_MB",
                    why: format!("'{v}' must be a whole number of megabytes from 1 to 4096"),
                })?
            }
            None => 50,
        };
        let google = provider(
            &get,
            "GOOGLE",
            [
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo",
            ],
        )?;
        let github = provider(
            &get,
            "GITHUB",
            [
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "https://api.github.com",
            ],
        )?;
        let ai_timeout = match get("EASEL_AI_TIMEOUT_SECS") {
            Some(v) => v.trim().parse::<u64>().ok().filter(|s| (1..=600).contains(s)).ok_or_else(|| ConfigError {
                var: "EASEL_AI_TIMEOUT_SECS",
                why: format!("'{v}' must be a whole number of seconds from 1 to 600"),
            })?,
            None => 60,
        };
        let mut auth_limits = AuthLimits::default();
        if let Some(v) = get("EASEL_SIGNIN_LIMIT") {
            let limit = v.trim().parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| ConfigError {
                var: "EASEL_SIGNIN_LIMIT",
                why: format!("'{v}' must be a whole number of attempts, 1 or more"),
            })?;
            (auth_limits.per_address, auth_limits.per_email) = (limit, limit);
        }
        let default_plan =
            get("EASEL_DEFAULT_PLAN").map(|v| v.trim().to_lowercase()).unwrap_or_else(|| "unlimited".into());
        if !PLAN_KEYS.contains(&default_plan.as_str()) {
            return Err(ConfigError {
                var: "EASEL_DEFAULT_PLAN",
                why: format!("'{default_plan}' must be one of {}", PLAN_KEYS.join(", ")),
            });
        }
        let require_two_factor =
            get("EASEL_REQUIRE_2FA").map_or(Ok(TwoFactorRule::Off), |v| TwoFactorRule::parse(&v))?;
        let signup = match get("EASEL_SIGNUP") {
            Some(v) => SignupPolicy::parse(&v).ok_or_else(|| ConfigError {
                var: "EASEL_SIGNUP",
                why: format!("'{v}' must be open, invite or closed"),
            })?,
            None => SignupPolicy::Open,
        };
        let max_owned_workspaces = match get("EASEL_MAX_OWNED_WORKSPACES") {
            Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| ConfigError {
                var: "EASEL_MAX_OWNED_WORKSPACES",
                why: format!("'{v}' must be a whole number of workspaces, 1 or more"),
            })?,
            None => 20,
        };
        let mut publer = PublerPolicy::default();
        if let Some(v) = get("EASEL_PUBLER_BASE_URL") {
            publer.base_url = match Url::parse(v.trim()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => v.trim().trim_end_matches('/').to_owned(),
                _ => {
                    return Err(ConfigError {
                        var: "EASEL_PUBLER_BASE_URL",
                        why: format!("'{v}' is not an http(s) URL"),
                    });
                }
            };
        }
        let outbound_allow = crate::outbound::AllowList::parse(&get("EASEL_OUTBOUND_ALLOW").unwrap_or_default())
            .map_err(|why| ConfigError { var: "EASEL_OUTBOUND_ALLOW", why })?;
        let placement = Placement::from_lookup(&get, &database_url)?;
        Ok(Self {
            database_url,
            bind,
            base_url,
            data_dir,
            uploads_dir: uploads_dir.clone(),
            allow_rls_bypass,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            smtp_url: get("EASEL_SMTP_URL"),
            mail_from: get("EASEL_MAIL_FROM").unwrap_or_else(|| "Easel <easel@localhost>".into()),
            secret_key: get("EASEL_SECRET_KEY"),
            google,
            github,
            session: SessionPolicy::default(),
            auth_limits,
            ai_timeout: Duration::from_secs(ai_timeout),
            publer,
            admin_emails: get("EASEL_ADMIN_EMAILS")
                .map(|v| v.split(',').map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect())
                .unwrap_or_default(),
            default_plan,
            outbound_allow,
            bounds: Bounds::from_lookup(&get)?,
            require_two_factor,
            signup,
            max_owned_workspaces: i64::from(max_owned_workspaces),
            invite_limits: InviteLimits::default(),
            delete_grace: durations::delete_grace(get("EASEL_DELETE_GRACE"))?,
            backups: BackupSchedule::from_lookup(&get)?,
            work_lease: durations::work_lease(get("EASEL_WORK_LEASE"))?,
            placement,
            storage: crate::storage::setting::StorageConfig::from_lookup(&get, &uploads_dir)?,
            base_domain: domain::base_domain(get("EASEL_BASE_DOMAIN"))?,
            billing: Billing::from_lookup(&get)?,
        })
    }

    /// Cookies are marked `Secure` only when Easel is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// `scheme://host[:port]` of the base URL, as browsers send it in `Origin`.
    pub fn origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

/// `EASEL_<NAME>_CLIENT_ID` and `_SECRET` (both or neither), and the
/// endpoints `_AUTH_URL`, `_TOKEN_URL` and `_API_URL` (Google: `_USERINFO_URL`).
fn provider(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    defaults: [&str; 3],
) -> Result<Option<OAuthProvider>, ConfigError> {
    let var = |suffix: &str| format!("EASEL_{name}_{suffix}");
    let (id, secret) = (get(&var("CLIENT_ID")), get(&var("CLIENT_SECRET")));
    let (client_id, client_secret) = match (id, secret) {
        (None, None) => return Ok(None),
        (Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ConfigError {
                var: if name == "GOOGLE" { "EASEL_GOOGLE_CLIENT_SECRET" } else { "EASEL_GITHUB_CLIENT_SECRET" },
                why: "set both the client id and the client secret, or neither".into(),
            });
        }
    };
    let api_var = if name == "GOOGLE" { "USERINFO_URL" } else { "API_URL" };
    let url = |suffix: &str, default: &str| -> Result<String, ConfigError> {
        let value = get(&var(suffix)).unwrap_or_else(|| default.to_owned());
        match Url::parse(&value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(value.trim_end_matches('/').to_owned()),
            _ => Err(ConfigError {
                var: "EASEL_*_URL",
                why: format!("{}: '{value}' is not an http(s) URL", var(suffix)),
            }),
        }
    };
    Ok(Some(OAuthProvider {
        client_id,
        client_secret,
        auth_url: url("AUTH_URL", defaults[0])?,
        token_url: url("TOKEN_URL", defaults[1])?,
        api_url: url(api_var, defaults[2])?,
    }))
}

fn check_database_url(url: String) -> Result<String, ConfigError> {
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|p| url.starts_with(p)) {
        Ok(url)
    } else {
        Err(ConfigError { var: "DATABASE_URL", why: "must start with sqlite:, postgres:// or postgresql://".into() })
    }
}

fn check_base_url(value: &str) -> Result<Url, ConfigError> {
    let bad = |why: &str| ConfigError { var: "EASEL_BASE_URL", why: format!("'{value}' {why}") };
    let url = Url::parse(value.trim()).map_err(|_| bad("is not a URL such as https://easel.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an http or https URL with a host"));
    }
    Ok(url)
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(7 * 24 * 3600),
            absolute: Duration::from_secs(30 * 24 * 3600),
            purge_every: Duration::from_secs(3600),
        }
    }
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self { per_address: 30, per_email: 10, window: Duration::from_secs(15 * 60) }
    }
}

#[cfg(test)]
mod tests;
