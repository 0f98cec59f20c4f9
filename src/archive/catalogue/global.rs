//! Instance-wide tables: people, sign-in, plans, the platform audit.

use super::{
    Kind::{Bool, Int, Person, Text, Time, Uuid},
    Scope::Global,
    Table,
    tables::{col, opt},
};

pub const USERS: Table = Table {
    name: "users",
    scope: Global,
    key: &["id"],
    columns: &[
        col("id", Uuid),
        col("email", Text),
        col("name", Text),
        opt("password_hash", Text),
        col("session_generation", Int),
        col("created_at", Time),
        col("is_platform_admin", Bool),
        opt("email_verified_at", Time),
    ],
};

pub const PLANS: Table = Table {
    name: "plans",
    scope: Global,
    key: &["key"],
    columns: &[
        col("key", Text),
        col("name", Text),
        col("position", Int),
        opt("max_images", Int),
        opt("max_storage_bytes", Int),
        opt("max_members", Int),
        opt("max_ai_generations", Int),
        opt("max_publer_posts", Int),
        col("can_hide_branding", Bool),
        col("stripe_price_monthly", Text),
        col("stripe_price_yearly", Text),
        col("price_monthly_cents", Int),
        col("price_yearly_cents", Int),
        opt("trial_days", Int),
    ],
};

pub const WORKSPACES: Table = Table {
    name: "workspaces",
    scope: Global,
    key: &["id"],
    columns: &[
        col("id", Uuid),
        col("name", Text),
        opt("created_by", Person),
        col("created_at", Time),
        col("plan", Text),
        opt("custom_max_images", Int),
        opt("custom_max_storage_bytes", Int),
        opt("custom_max_members", Int),
        opt("custom_max_ai_generations", Int),
        opt("custom_max_publer_posts", Int),
        opt("custom_can_hide_branding", Bool),
        opt("suspended_at", Time),
        col("brand_colour", Text),
        col("logo", Text),
        col("hide_powered_by", Bool),
        opt("last_active_at", Time),
        opt("delete_after", Time),
        opt("deletion_requested_at", Time),
        col("deletion_requested_by", Text),
        opt("purge_lease_until", Time),
        col("placement", Text),
        opt("moving_to", Text),
        col("approval", Text),
        opt("slug", Text),
        opt("billing_past_due_since", Time),
        col("complimentary_plan", Bool),
    ],
};

pub const MEMBERSHIPS: Table = Table {
    name: "memberships",
    scope: Global,
    key: &["workspace_id", "user_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("user_id", Person),
        col("role", Text),
        col("created_at", Time),
        opt("last_used_at", Time),
    ],
};

pub const INVITATIONS: Table = Table {
    name: "invitations",
    scope: Global,
    key: &["id"],
    columns: &[
        col("id", Uuid),
        col("workspace_id", Uuid),
        col("email", Text),
        col("role", Text),
        col("token_hash", Text),
        opt("invited_by", Person),
        col("created_at", Time),
        col("expires_at", Time),
        opt("accepted_at", Time),
        opt("revoked_at", Time),
    ],
};

pub const PASSWORD_RESETS: Table = Table {
    name: "password_resets",
    scope: Global,
    key: &["token_hash"],
    columns: &[
        col("token_hash", Text),
        col("user_id", Person),
        col("created_at", Time),
        col("expires_at", Time),
        opt("used_at", Time),
    ],
};

pub const EMAIL_VERIFICATIONS: Table = Table {
    name: "email_verifications",
    scope: Global,
    key: &["token_hash"],
    columns: &[
        col("token_hash", Text),
        col("user_id", Person),
        col("email", Text),
        col("created_at", Time),
        col("expires_at", Time),
        opt("used_at", Time),
    ],
};

pub const OAUTH_IDENTITIES: Table = Table {
    name: "oauth_identities",
    scope: Global,
    key: &["provider", "subject"],
    columns: &[
        col("provider", Text),
        col("subject", Text),
        col("user_id", Person),
        col("email", Text),
        col("created_at", Time),
    ],
};

pub const TWO_FACTOR: Table = Table {
    name: "two_factor",
    scope: Global,
    key: &["user_id"],
    columns: &[
        col("user_id", Person),
        col("secret_sealed", Text),
        opt("confirmed_at", Time),
        col("last_used_step", Int),
        col("created_at", Time),
    ],
};

pub const TWO_FACTOR_RECOVERY_CODES: Table = Table {
    name: "two_factor_recovery_codes",
    scope: Global,
    key: &["user_id", "code_hash"],
    columns: &[col("user_id", Person), col("code_hash", Text), opt("used_at", Time)],
};

/// Which notifications a person wants, per kind, in the app and by mail.
pub const NOTICE_CHOICES: Table = Table {
    name: "notice_choices",
    scope: Global,
    key: &["user_id", "kind"],
    columns: &[col("user_id", Person), col("kind", Text), col("in_app", Bool), col("by_mail", Bool)],
};

/// When a person's last mail summary went.
pub const NOTICE_MAIL: Table = Table {
    name: "notice_mail",
    scope: Global,
    key: &["user_id"],
    columns: &[col("user_id", Person), col("last_sent_at", Time)],
};

pub const PLATFORM_AUDIT: Table = Table {
    name: "platform_audit",
    scope: Global,
    key: &["id"],
    columns: &[
        col("id", Uuid),
        opt("actor_id", Person),
        col("actor_email", Text),
        col("action", Text),
        opt("workspace_id", Uuid),
        col("workspace_name", Text),
        col("detail", Text),
        col("created_at", Time),
    ],
};

/// A workspace's Stripe customer and subscription: the operator's Stripe
/// account's, so only in instance archives.
pub const SUBSCRIPTIONS: Table = Table {
    name: "subscriptions",
    scope: Global,
    key: &["workspace_id"],
    columns: &[
        col("workspace_id", Uuid),
        col("customer_id", Text),
        col("subscription_id", Text),
        col("price_id", Text),
        col("plan", Text),
        col("status", Text),
        col("billing_interval", Text),
        col("amount_cents", Int),
        col("mrr_cents", Int),
        col("currency", Text),
        opt("current_period_start", Time),
        opt("current_period_end", Time),
        col("cancel_at_period_end", Bool),
        opt("trial_end", Time),
        opt("canceled_at", Time),
        opt("downgrade_at", Time),
        col("state_at", Int),
        col("updated_at", Time),
    ],
};

/// Webhook events taken: kept so a restored instance still ignores replays.
pub const STRIPE_EVENTS: Table = Table {
    name: "stripe_events",
    scope: Global,
    key: &["id"],
    columns: &[
        col("id", Text),
        col("kind", Text),
        col("created", Int),
        opt("workspace_id", Uuid),
        col("outcome", Text),
        col("detail", Text),
        col("received_at", Time),
    ],
};
