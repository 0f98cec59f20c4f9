//! Billing with Stripe (`EASEL_STRIPE_*`, `EASEL_BILLING_GRACE`,
//! `EASEL_TRIAL_DAYS`): off unless both Stripe secrets are set.

use std::time::Duration;

use url::Url;

use super::{ConfigError, durations};

/// Stripe's API, unless `EASEL_STRIPE_BASE_URL` names a stand-in.
pub const STRIPE_API: &str = "https://api.stripe.com";

#[derive(Clone, Debug)]
pub struct Billing {
    /// `None`: billing is off and plans are only set by platform admins.
    pub stripe: Option<Stripe>,
    /// How long a failed payment leaves the workspace writable.
    pub grace: Duration,
    /// A paid plan's free trial, unless the plan sets its own.
    pub trial_days: i64,
}

#[derive(Clone)]
pub struct Stripe {
    pub secret_key: String,
    pub webhook_secret: String,
    /// Without a trailing `/` or `/v1`.
    pub base_url: String,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Default for Billing {
    fn default() -> Self {
        Self { stripe: None, grace: Duration::from_secs(7 * 86_400), trial_days: 0 }
    }
}

impl Billing {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let stripe = match (get("EASEL_STRIPE_SECRET_KEY"), get("EASEL_STRIPE_WEBHOOK_SECRET")) {
            (None, None) => None,
            (Some(secret_key), Some(webhook_secret)) => Some(Stripe {
                secret_key: secret_key.trim().to_owned(),
                webhook_secret: webhook_secret.trim().to_owned(),
                base_url: base_url(get("EASEL_STRIPE_BASE_URL"))?,
            }),
            (Some(_), None) => return Err(missing("EASEL_STRIPE_WEBHOOK_SECRET", "EASEL_STRIPE_SECRET_KEY")),
            (None, Some(_)) => return Err(missing("EASEL_STRIPE_SECRET_KEY", "EASEL_STRIPE_WEBHOOK_SECRET")),
        };
        Ok(Self { stripe, grace: grace(get("EASEL_BILLING_GRACE"))?, trial_days: trial_days(get("EASEL_TRIAL_DAYS"))? })
    }
}

fn missing(var: &'static str, other: &str) -> ConfigError {
    ConfigError { var, why: format!("must be set with {other} (billing needs both)") }
}

fn base_url(raw: Option<String>) -> Result<String, ConfigError> {
    let Some(raw) = raw else { return Ok(STRIPE_API.into()) };
    let trimmed = raw.trim().trim_end_matches('/');
    match Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(trimmed.trim_end_matches("/v1").to_owned()),
        _ => Err(ConfigError { var: "EASEL_STRIPE_BASE_URL", why: format!("'{raw}' is not an http(s) URL") }),
    }
}

/// `EASEL_BILLING_GRACE`: 7 days unless set; at most a year.
fn grace(raw: Option<String>) -> Result<Duration, ConfigError> {
    let Some(raw) = raw else { return Ok(Billing::default().grace) };
    let why = |why: String| ConfigError { var: "EASEL_BILLING_GRACE", why };
    let grace = durations::parse_duration(&raw).map_err(why)?;
    if grace > Duration::from_secs(365 * 86_400) {
        return Err(why(format!("'{raw}' is longer than the most allowed, 365d")));
    }
    Ok(grace)
}

/// `EASEL_TRIAL_DAYS`: 0 (no trial) unless set; at most 730, Stripe's limit.
fn trial_days(raw: Option<String>) -> Result<i64, ConfigError> {
    let Some(raw) = raw else { return Ok(0) };
    raw.trim().parse::<i64>().ok().filter(|d| (0..=730).contains(d)).ok_or(ConfigError {
        var: "EASEL_TRIAL_DAYS",
        why: format!("'{raw}' must be a whole number of days from 0 to 730"),
    })
}
