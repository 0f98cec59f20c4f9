//! The tables themselves, parents first.

use super::{Column, Kind, Table, global, owned, review};

pub(super) const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: false }
}

pub(super) const fn opt(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, nullable: true }
}

/// The tables, parents first.
pub const TABLES: &[Table] = &[
    global::USERS,
    global::PLANS,
    global::WORKSPACES,
    global::MEMBERSHIPS,
    global::INVITATIONS,
    global::PASSWORD_RESETS,
    global::EMAIL_VERIFICATIONS,
    global::OAUTH_IDENTITIES,
    global::TWO_FACTOR,
    global::TWO_FACTOR_RECOVERY_CODES,
    global::NOTICE_CHOICES,
    global::NOTICE_MAIL,
    global::PLATFORM_AUDIT,
    global::SUBSCRIPTIONS,
    global::STRIPE_EVENTS,
    owned::WORKSPACE_SETTINGS,
    owned::IMAGES,
    owned::IMAGE_TAGS,
    owned::IMAGE_CROPS,
    owned::COLLECTIONS,
    owned::COLLECTION_IMAGES,
    owned::WORKSPACE_USAGE,
    owned::HASHTAG_SETS,
    owned::CALENDARS,
    owned::EVENTS,
    owned::EVENT_IMAGES,
    owned::CALENDAR_FEEDS,
    owned::AUDIT_LOG,
    owned::WORKSPACE_SECRETS,
    owned::WORKSPACE_INTEGRATIONS,
    owned::MONTHLY_USAGE,
    owned::PUBLER_ACCOUNTS,
    owned::PUBLER_ROUTES,
    owned::PUBLER_SENDS,
    owned::USAGE_SNAPSHOTS,
    review::POST_HISTORY,
    review::REVIEW_LINKS,
    review::REVIEW_LINK_POSTS,
    review::REVIEW_LINK_TOKENS,
    review::POST_COMMENTS,
    review::NOTIFICATIONS,
];
