//! Who may get in: the sign-up policy, two-factor rules and invitation limits.

use super::ConfigError;

/// Who an operator requires to use two-factor sign-in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TwoFactorRule {
    /// Nobody: two-factor is each person's choice.
    #[default]
    Off,
    /// Platform admins.
    Admins,
    /// Platform admins, and owners and admins of any workspace.
    Staff,
}

impl TwoFactorRule {
    pub(super) fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "admins" => Ok(Self::Admins),
            "staff" => Ok(Self::Staff),
            other => {
                Err(ConfigError { var: "EASEL_REQUIRE_2FA", why: format!("'{other}' must be admins, staff or off") })
            }
        }
    }
}

/// Who may create an account here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignupPolicy {
    /// Anyone (the default, so a first run needs no configuration).
    #[default]
    Open,
    /// Only someone holding an invitation link.
    Invite,
    /// Nobody but the operator, with `easel admin create-user`.
    Closed,
}

impl SignupPolicy {
    pub(super) fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_lowercase().as_str() {
            "open" => Some(Self::Open),
            "invite" => Some(Self::Invite),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Invitation mails (new ones and resends) allowed per window, so a team
/// page cannot be used to mail strangers without end.
#[derive(Clone, Debug)]
pub struct InviteLimits {
    pub per_workspace: u32,
    pub per_inviter: u32,
}

impl Default for InviteLimits {
    fn default() -> Self {
        Self { per_workspace: 50, per_inviter: 30 }
    }
}
