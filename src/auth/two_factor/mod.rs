//! Two-factor sign-in with an authenticator app (TOTP): enrolling from the
//! account page, the code step after the password or a provider, recovery
//! codes, and the operator's rule on who must use it (`EASEL_REQUIRE_2FA`).

mod authenticator;
mod challenge;
mod enrol;
pub mod queries;
mod required;
mod views;

use axum::{
    Router,
    routing::{get, post},
};
use time::OffsetDateTime;
use uuid::Uuid;

pub use required::enrolment_gate;

use self::authenticator::{Authenticator, recovery_hash};
use crate::{db::Db, error::AppResult, secrets::Secrets, state::AppState};

/// The field a person's TOTP secret is sealed under.
const SECRET_FIELD: &str = "totp_secret";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/code", get(challenge::view_code).post(challenge::submit_code))
        .route("/account/two-factor", get(enrol::view_two_factor))
        .route("/account/two-factor/start", post(enrol::start))
        .route("/account/two-factor/confirm", post(enrol::confirm))
        .route("/account/two-factor/recovery-codes", post(enrol::new_recovery_codes))
        .route("/account/two-factor/disable", post(enrol::disable))
}

/// What a typed code proved, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proof {
    Code,
    RecoveryCode,
}

/// Which codes a form takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accept {
    AppCode,
    AppOrRecoveryCode,
}

/// Checks a code from the authenticator app (or else, when `accept` allows,
/// a recovery code) of a person with two-factor on, and uses it up: a
/// code's time step, or the recovery code, never passes again.
async fn prove(state: &AppState, user: Uuid, email: &str, typed: &str, accept: Accept) -> AppResult<Option<Proof>> {
    let Some(enrolment) = queries::enrolment(&state.db, user).await?.filter(queries::Enrolment::is_on) else {
        return Ok(None);
    };
    match authenticator_of(&state.secrets, user, email, &enrolment.secret_sealed) {
        Some(app) => {
            if let Some(step) = app.accepts(typed, unix_now(), enrolment.last_used_step) {
                return Ok(queries::use_step(&state.db, user, step).await?.then_some(Proof::Code));
            }
        }
        None => tracing::warn!(%user, "a two-factor secret does not open; only recovery codes work for this person"),
    }
    if accept == Accept::AppCode {
        return Ok(None);
    }
    let used = queries::use_recovery_code(&state.db, user, &recovery_hash(typed)).await?;
    Ok(used.then_some(Proof::RecoveryCode))
}

/// The person's authenticator, when their sealed secret opens.
fn authenticator_of(secrets: &Secrets, user: Uuid, email: &str, sealed: &str) -> Option<Authenticator> {
    let secret = secrets.open_for_person(user, SECRET_FIELD, sealed).ok()?;
    Authenticator::new(&secret, email).ok()
}

fn unix_now() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// Seals every two-factor secret again under the newest master key
/// (`easel secrets rotate`); returns how many changed.
pub async fn reseal_all(db: &Db, secrets: &Secrets) -> anyhow::Result<usize> {
    let mut count = 0;
    for (user, sealed) in queries::all_secrets(db).await? {
        if let Some(resealed) = secrets.reseal_for_person(user, SECRET_FIELD, &sealed) {
            queries::reseal(db, user, &resealed).await?;
            count += 1;
        }
    }
    Ok(count)
}
