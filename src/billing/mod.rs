//! Billing with Stripe (issue 19): owners buy and change plans through
//! Stripe Checkout and the Customer Portal; Stripe's signed webhook tells
//! Easel what was bought, and the workspace's plan follows. Off (every route
//! 404) until `EASEL_STRIPE_SECRET_KEY` and `EASEL_STRIPE_WEBHOOK_SECRET`
//! are set.

pub mod signature;
pub mod stripe;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
