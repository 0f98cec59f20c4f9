//! The audit log: an append-only record, per workspace, of who did what,
//! when, to what, and from which address. `GET /audit` for owners and admins.

mod handlers;
pub mod queries;

use axum::{Router, routing::get};

pub use queries::record;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(handlers::view_audit))
}

/// Everything the log records, with the words the page shows.
pub const ACTIONS: [(&str, &str); 37] = [
    ("member.invited", "Invited someone"),
    ("invitation.resent", "Resent an invitation"),
    ("invitation.revoked", "Revoked an invitation"),
    ("invitation.accepted", "Accepted an invitation"),
    ("member.role_changed", "Changed a role"),
    ("member.removed", "Removed a member"),
    ("member.left", "Left the workspace"),
    ("ownership.transferred", "Transferred ownership"),
    ("settings.changed", "Changed the settings"),
    ("image.deleted", "Deleted an image"),
    ("collection.deleted", "Deleted a collection"),
    ("calendar.deleted", "Deleted a calendar"),
    ("post.deleted", "Deleted a post"),
    ("hashtags.deleted", "Deleted a hashtag set"),
    ("key.changed", "Set an API key"),
    ("key.removed", "Removed an API key"),
    ("integrations.changed", "Changed the integration settings"),
    ("publer.connected", "Connected Publer"),
    ("publer.routes_changed", "Chose Publer accounts"),
    ("post.sent_to_publer", "Sent posts to Publer"),
    ("post.submitted", "Sent a post for review"),
    ("post.approved", "Approved a post"),
    ("post.changes_requested", "Requested changes to a post"),
    ("post.reopened", "Edited a post in review, which sent it back to review"),
    ("branding.changed", "Changed the branding"),
    ("workspace.deletion_scheduled", "Deleted the workspace (restorable until the date given)"),
    ("workspace.restored", "Restored the workspace"),
    ("export.requested", "Started an export of the workspace"),
    ("export.downloaded", "Downloaded an export of the workspace"),
    ("review_link.created", "Made a review link"),
    ("review_link.revoked", "Revoked a review link"),
    ("post.client_comment", "Commented on a review link"),
    ("workspace.address_changed", "Changed the workspace's address"),
    ("billing.plan_changed", "Billing changed the plan"),
    ("billing.payment_failed", "A payment failed (grace period started)"),
    ("billing.payment_recovered", "A failed payment went through"),
    ("billing.canceled", "The subscription ended"),
];

pub fn label(action: &str) -> &'static str {
    ACTIONS.iter().find(|(a, _)| *a == action).map_or("Other", |(_, l)| l)
}
