//! Billing with Stripe (issue 19): owners buy and change plans through
//! Stripe Checkout and the Customer Portal; Stripe's signed webhook tells
//! Easel what was bought, and the workspace's plan follows. Off (its routes
//! 404, the plan page shows no prices) until `EASEL_STRIPE_SECRET_KEY` and
//! `EASEL_STRIPE_WEBHOOK_SECRET` are set.

pub mod apply;
mod checkout;
mod handlers;
mod meters;
mod page;
pub mod queries;
pub mod signature;
pub mod stripe;
mod sweep;
mod webhook;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};

pub use sweep::keep_ending;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/plan", get(page::view_plan))
        .route("/settings/plan/checkout", post(handlers::choose))
        .route("/settings/plan/portal", post(handlers::portal))
        // `web::STRIPE_WEBHOOK`, written out for the route table's scan.
        .route("/stripe/webhook", post(webhook::receive).layer(DefaultBodyLimit::max(webhook::BODY_LIMIT)))
}
