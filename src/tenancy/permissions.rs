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
    /// Images, collections, calendars and posts.
    EditContent,
    /// Members and invitations.
    ManageTeam,
    /// Brand settings, integrations and API keys, the audit log.
    ManageSettings,
    /// Delete the workspace, transfer ownership.
    OwnWorkspace,
}

impl Permission {
    /// The permission table: the least role that holds each permission.
    pub const fn least_role(self) -> Role {
        match self {
            Self::ViewContent => Role::Viewer,
            Self::EditContent => Role::Member,
            Self::ManageTeam | Self::ManageSettings => Role::Admin,
            Self::OwnWorkspace => Role::Owner,
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
