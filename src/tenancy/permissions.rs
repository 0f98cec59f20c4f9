//! Roles and the one table of what each may do.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A member's role in a workspace, from least to most trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Member,
    Admin,
    Owner,
}

/// Something a route does that not every role may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read anything in the workspace.
    ViewContent,
    /// Approve a post or request changes (which approval a person gives
    /// depends on their role: see `approval::Reviewer`).
    ReviewPosts,
    /// Write on a post's comment thread.
    Comment,
    /// Images, collections, calendars and posts.
    EditContent,
    /// Members and invitations.
    ManageTeam,
    /// Brand settings, integrations and API keys, the audit log.
    ManageSettings,
    /// Delete the workspace, transfer ownership.
    OwnWorkspace,
    /// Prices, checkout and the billing portal. Allowed while billing has
    /// made the workspace read-only: paying is how it becomes writable again.
    ManageBilling,
}

impl Permission {
    /// The permission table: the least role that holds each permission.
    pub const fn least_role(self) -> Role {
        match self {
            Self::ViewContent | Self::ReviewPosts | Self::Comment => Role::Viewer,
            Self::EditContent => Role::Member,
            Self::ManageTeam | Self::ManageSettings => Role::Admin,
            Self::OwnWorkspace | Self::ManageBilling => Role::Owner,
        }
    }
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    pub fn can(self, permission: Permission) -> bool {
        self >= permission.least_role()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Viewer => "Viewer",
            Self::Member => "Member",
            Self::Admin => "Admin",
            Self::Owner => "Owner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("unknown role {value:?}"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_monotonic() {
        assert!(Role::Viewer.can(Permission::ViewContent));
        assert!(!Role::Viewer.can(Permission::EditContent));
        assert!(Role::Member.can(Permission::EditContent));
        assert!(!Role::Member.can(Permission::ManageTeam));
        assert!(Role::Admin.can(Permission::ManageSettings));
        assert!(!Role::Admin.can(Permission::OwnWorkspace));
        assert!(Role::Owner.can(Permission::OwnWorkspace));
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the token in the path, if any, is the key).
    Public,
    /// A signed-in person, in no particular workspace.
    SignedIn,
    /// Any member of the active workspace.
    Member,
    /// A member whose role holds the permission.
    Needs(Permission),
    /// The same, but everyone else gets a 404, as for an id that does not
    /// exist (an export's download link).
    Hidden(Permission),
    /// A platform admin; everyone else gets a 404.
    PlatformAdmin,
}

/// Every route and who may reach it: the one table the route × role tests
/// walk, and which a test checks against the routes the code declares.
pub const ROUTES: &[(&str, &str, Access)] = {
    use Access::*;
    use Permission::*;
    &[
        ("GET", "/healthz", Public),
        ("GET", "/readyz", Public),
        ("GET", "/static/{name}", Public),
        ("GET", "/signup", Public),
        ("POST", "/signup", Public),
        ("GET", "/login", Public),
        ("POST", "/login", Public),
        ("GET", "/feeds/{token}", Public),
        ("GET", "/invites/{token}", Public),
        ("GET", "/password/forgot", Public),
        ("POST", "/password/forgot", Public),
        ("GET", "/password/reset/{token}", Public),
        ("POST", "/password/reset/{token}", Public),
        ("GET", "/auth/{provider}", Public),
        ("GET", "/auth/{provider}/callback", Public),
        ("POST", "/account/identities/{provider}/unlink", SignedIn),
        ("POST", "/logout", SignedIn),
        ("GET", "/account", SignedIn),
        ("POST", "/account", SignedIn),
        ("POST", "/account/password", SignedIn),
        ("POST", "/account/sessions/end-others", SignedIn),
        ("POST", "/account/delete", SignedIn),
        ("POST", "/account/notifications", SignedIn),
        ("GET", "/login/code", Public),
        ("POST", "/login/code", Public),
        ("GET", "/account/two-factor", SignedIn),
        ("POST", "/account/two-factor/start", SignedIn),
        ("POST", "/account/two-factor/confirm", SignedIn),
        ("POST", "/account/two-factor/recovery-codes", SignedIn),
        ("POST", "/account/two-factor/disable", SignedIn),
        ("GET", "/verify/{token}", Public),
        ("POST", "/verify/{token}", SignedIn),
        ("POST", "/account/verify/resend", SignedIn),
        ("GET", "/workspaces", SignedIn),
        ("POST", "/workspaces", SignedIn),
        ("POST", "/workspaces/switch", SignedIn),
        // The switcher's other workspaces; it needs the active one only to leave it out.
        ("GET", "/workspaces/menu", Member),
        // Its own membership check: any of the person's workspaces.
        ("GET", "/workspaces/{id}/logo", SignedIn),
        // Its owner's own check: the workspace is scheduled, so not active.
        ("POST", "/workspaces/{id}/restore", SignedIn),
        ("POST", "/invites/{token}/accept", SignedIn),
        ("POST", "/team/leave", Member),
        ("GET", "/", Needs(ViewContent)),
        ("GET", "/settings", Needs(ViewContent)),
        ("GET", "/images", Needs(ViewContent)),
        ("GET", "/images/{id}", Needs(ViewContent)),
        ("GET", "/media/{id}/{size}", Needs(ViewContent)),
        ("GET", "/media/{id}/crop/{preset}", Needs(ViewContent)),
        ("GET", "/media/{id}/crop/{preset}/thumb", Needs(ViewContent)),
        ("GET", "/collections", Needs(ViewContent)),
        ("GET", "/collections/{id}", Needs(ViewContent)),
        ("GET", "/calendars", Needs(ViewContent)),
        ("GET", "/calendars/{id}", Needs(ViewContent)),
        ("GET", "/calendars/{id}/export.csv", Needs(ViewContent)),
        ("GET", "/calendars/all", Needs(ViewContent)),
        ("GET", "/calendars/{id}/grid", Needs(ViewContent)),
        ("GET", "/events/{id}", Needs(ViewContent)),
        ("GET", "/team", Needs(ViewContent)),
        ("POST", "/images", Needs(EditContent)),
        ("POST", "/images/bulk", Needs(EditContent)),
        ("POST", "/images/{id}", Needs(EditContent)),
        ("POST", "/images/{id}/delete", Needs(EditContent)),
        ("POST", "/images/{id}/crops/{preset}", Needs(EditContent)),
        ("POST", "/images/{id}/crops/{preset}/reset", Needs(EditContent)),
        ("POST", "/collections", Needs(EditContent)),
        ("POST", "/collections/{id}", Needs(EditContent)),
        ("POST", "/collections/{id}/delete", Needs(EditContent)),
        ("GET", "/collections/{id}/add", Needs(EditContent)),
        ("POST", "/collections/{id}/images", Needs(EditContent)),
        ("POST", "/collections/{id}/images/{image_id}/remove", Needs(EditContent)),
        ("POST", "/collections/{id}/images/{image_id}/move", Needs(EditContent)),
        ("POST", "/collections/{id}/order", Needs(EditContent)),
        ("POST", "/collections/{id}/cover", Needs(EditContent)),
        ("POST", "/calendars", Needs(EditContent)),
        ("POST", "/calendars/{id}", Needs(EditContent)),
        ("POST", "/calendars/{id}/delete", Needs(EditContent)),
        ("GET", "/calendars/{id}/autoschedule", Needs(EditContent)),
        ("POST", "/calendars/{id}/autoschedule", Needs(EditContent)),
        ("POST", "/calendars/{id}/feed", Needs(EditContent)),
        ("POST", "/calendars/{id}/feed/revoke", Needs(EditContent)),
        ("GET", "/calendars/{id}/posts/new", Needs(EditContent)),
        ("POST", "/calendars/{id}/posts", Needs(EditContent)),
        ("POST", "/calendars/{id}/posts/new/images", Needs(EditContent)),
        ("GET", "/calendars/plan", Needs(EditContent)),
        ("POST", "/calendars/plan", Needs(EditContent)),
        ("POST", "/calendars/{id}/grid/move", Needs(EditContent)),
        ("POST", "/calendars/{id}/grid/swap", Needs(EditContent)),
        ("POST", "/events/{id}", Needs(EditContent)),
        ("POST", "/events/{id}/duplicate", Needs(EditContent)),
        ("POST", "/posts/bulk", Needs(EditContent)),
        ("POST", "/images/{id}/alt-text", Needs(EditContent)),
        ("GET", "/caption-jobs/{id}", Needs(EditContent)),
        ("POST", "/caption-jobs/{id}/posts/{event_id}/use", Needs(EditContent)),
        ("POST", "/events/{id}/suggestion", Needs(EditContent)),
        ("POST", "/events/{id}/delete", Needs(EditContent)),
        ("POST", "/events/{id}/move", Needs(EditContent)),
        ("GET", "/events/{id}/images/add", Needs(EditContent)),
        ("POST", "/events/{id}/images", Needs(EditContent)),
        ("POST", "/events/{id}/images/{image_id}/remove", Needs(EditContent)),
        ("POST", "/events/{id}/images/{image_id}/move", Needs(EditContent)),
        ("POST", "/events/{id}/order", Needs(EditContent)),
        ("POST", "/events/{id}/caption", Needs(EditContent)),
        ("POST", "/settings/hashtags", Needs(EditContent)),
        ("POST", "/settings/hashtags/{id}/delete", Needs(EditContent)),
        ("POST", "/settings", Needs(ManageSettings)),
        ("POST", "/settings/approval", Needs(ManageSettings)),
        ("POST", "/events/{id}/review/submit", Needs(EditContent)),
        // Which approval a person gives depends on their role
        // (`approval::Reviewer`): owners and admins the team's, viewers the
        // client's; these (and comments) are the only writes viewers have.
        ("POST", "/events/{id}/review/approve", Needs(ReviewPosts)),
        ("POST", "/events/{id}/review/changes", Needs(ReviewPosts)),
        ("GET", "/audit", Needs(ManageSettings)),
        ("GET", "/settings/integrations", Needs(ManageSettings)),
        ("POST", "/settings/integrations", Needs(ManageSettings)),
        ("POST", "/settings/integrations/keys/{field}", Needs(ManageSettings)),
        ("POST", "/settings/integrations/keys/{field}/remove", Needs(ManageSettings)),
        ("GET", "/settings/publer", Needs(ManageSettings)),
        ("POST", "/settings/publer/connect", Needs(ManageSettings)),
        ("POST", "/settings/publer/routes", Needs(ManageSettings)),
        ("POST", "/events/{id}/publer", Needs(EditContent)),
        ("POST", "/events/{id}/publer/resend", Needs(EditContent)),
        ("GET", "/calendars/{id}/publer", Needs(EditContent)),
        ("POST", "/calendars/{id}/publer", Needs(EditContent)),
        ("GET", "/settings/plan", Needs(ManageSettings)),
        // Billing (issue 19): the owner's alone, and allowed while a lapsed
        // payment has made the workspace read-only (paying is the way out).
        // The webhook is exempt from the session CSRF check: it has no
        // session, and its Stripe-Signature (HMAC-SHA256 under the webhook
        // secret, 5 minutes' tolerance) is its authentication.
        ("POST", "/settings/plan/checkout", Needs(ManageBilling)),
        ("POST", "/settings/plan/portal", Needs(ManageBilling)),
        ("POST", "/stripe/webhook", Public),
        ("GET", "/settings/branding", Needs(ManageSettings)),
        ("POST", "/settings/branding", Needs(ManageSettings)),
        ("POST", "/settings/branding/logo", Needs(ManageSettings)),
        ("POST", "/settings/branding/logo/remove", Needs(ManageSettings)),
        ("GET", "/brand.css", Public),
        ("GET", "/brand/logo", Needs(ViewContent)),
        ("GET", "/admin", PlatformAdmin),
        ("GET", "/admin/workspaces/{id}", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/plan", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/limits", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/suspend", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/unsuspend", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/delete", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/restore", PlatformAdmin),
        ("POST", "/admin/workspaces/{id}/purge", PlatformAdmin),
        ("GET", "/admin/plans", PlatformAdmin),
        ("POST", "/admin/plans/{key}", PlatformAdmin),
        ("GET", "/admin/audit", PlatformAdmin),
        ("POST", "/admin/backups", PlatformAdmin),
        ("POST", "/team/invites", Needs(ManageTeam)),
        ("POST", "/team/invites/{id}/resend", Needs(ManageTeam)),
        ("POST", "/team/invites/{id}/revoke", Needs(ManageTeam)),
        ("POST", "/team/members/{user_id}/role", Needs(ManageTeam)),
        ("POST", "/team/members/{user_id}/remove", Needs(ManageTeam)),
        ("POST", "/team/transfer", Needs(OwnWorkspace)),
        ("POST", "/workspaces/{id}/delete", Needs(OwnWorkspace)),
        ("GET", "/settings/exports", Needs(OwnWorkspace)),
        ("POST", "/settings/exports", Needs(OwnWorkspace)),
        ("GET", "/settings/exports/{id}/progress", Hidden(OwnWorkspace)),
        ("GET", "/settings/exports/{id}/download", Hidden(OwnWorkspace)),
        ("POST", "/account/my-data", SignedIn),
        ("GET", "/admin/import", PlatformAdmin),
        ("POST", "/admin/import", PlatformAdmin),
        // Review links (issue 17 §2): made and revoked by owners and admins;
        // the reviewer's page and actions take the link's token as the key
        // (with its own cookie-bound form check and rate limit).
        ("GET", "/review-links", Needs(ManageSettings)),
        ("POST", "/review-links", Needs(ManageSettings)),
        ("POST", "/review-links/new", Needs(ManageSettings)),
        ("POST", "/review-links/{id}/revoke", Needs(ManageSettings)),
        ("GET", "/review/{token}", Public),
        ("GET", "/review/{token}/logo", Public),
        ("GET", "/review/{token}/media/{image}/{preset}", Public),
        ("POST", "/review/{token}/posts/{post}/approve", Public),
        ("POST", "/review/{token}/posts/{post}/changes", Public),
        ("POST", "/review/{token}/posts/{post}/comment", Public),
        ("POST", "/review/{token}/approve-all", Public),
        ("POST", "/settings/address", Needs(ManageSettings)),
        // Only on a workspace's own address (404 elsewhere): its public logo.
        ("GET", "/address/logo", Public),
        // Comments: viewers too; editing and deleting is the author's alone (404 for others).
        ("POST", "/events/{id}/comments", Needs(Comment)),
        ("POST", "/events/{id}/comments/{comment}/edit", Needs(Comment)),
        ("POST", "/events/{id}/comments/{comment}/delete", Needs(Comment)),
        // Notifications: everyone's own, in the active workspace.
        ("GET", "/notifications", Needs(ViewContent)),
        ("POST", "/notifications/read-all", Needs(ViewContent)),
        ("POST", "/notifications/{id}/open", Needs(ViewContent)),
    ]
};
