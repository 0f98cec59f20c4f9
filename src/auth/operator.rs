//! Accounts the operator makes from the command line (`easel admin
//! create-user`), the one way in when `EASEL_SIGNUP=closed`.

use time::Duration;

use super::{clean_name, normalize_email, queries, reset::new_reset_link};
use crate::{state::AppState, tenancy};

/// How long the printed set-password link works: long enough to pass on.
const LINK_DAYS: i64 = 3;

/// Creates the account (with its own studio and no password) and returns a
/// one-time link that sets the password; following it proves the address.
pub async fn create_user(state: &AppState, raw_email: &str, raw_name: Option<&str>) -> anyhow::Result<String> {
    let email = normalize_email(raw_email).map_err(|why| anyhow::anyhow!("'{raw_email}': {why}"))?;
    let name = match raw_name {
        Some(raw) => clean_name(raw).map_err(|why| anyhow::anyhow!("--name: {why}"))?,
        None => clean_name(email.split('@').next().unwrap_or_default()).unwrap_or_else(|_| "Artist".into()),
    };
    if queries::by_email(&state.db, &email).await?.is_some() {
        anyhow::bail!("there is already an account for {email}");
    }
    let mut tx = state.db.begin_write().await?;
    let user = queries::create(&mut tx, &email, &name, None).await?;
    let (mut tx, placement) = state.databases.new_workspace_tx(tx).await?;
    tenancy::queries::create(&mut tx, &format!("{name}'s studio"), user.id, &state.config.default_plan, &placement)
        .await?;
    tx.commit().await?;
    new_reset_link(state, user.id, Duration::days(LINK_DAYS)).await.map_err(|e| anyhow::anyhow!("{e}"))
}
