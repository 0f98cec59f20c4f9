//! Team pages.

use askama::Template;

use super::queries::{Invitation, Member};
use crate::{tenancy::Role, web::Layout};

#[derive(Template)]
#[template(path = "team/index.html")]
pub struct TeamView {
    pub layout: Layout,
    pub members: Vec<Member>,
    pub invitations: Vec<Invitation>,
    pub me: uuid::Uuid,
    pub my_role: Role,
    pub workspace_name: String,
    pub workspace_id: uuid::Uuid,
    pub email: String,
    pub invite_error: Option<String>,
}

impl TeamView {
    pub fn can_manage(&self) -> bool {
        self.my_role.can(crate::tenancy::Permission::ManageTeam)
    }

    pub fn is_owner(&self) -> bool {
        self.my_role == Role::Owner
    }

    /// The last owner cannot leave (the page says so instead of offering it).
    pub fn can_leave(&self) -> bool {
        self.my_role != Role::Owner || self.members.iter().filter(|m| m.role == Role::Owner).count() > 1
    }

    /// Roles this person may give.
    pub fn grantable(&self) -> Vec<Role> {
        super::handlers::grantable(self.my_role)
    }

    /// Whether this person may change or remove `member`.
    pub fn can_touch(&self, member: &Member) -> bool {
        member.user_id != self.me && super::handlers::may_manage(self.my_role, member.role)
    }
}

/// What an invitation link shows.
#[derive(Template)]
#[template(path = "team/invitation.html")]
pub struct InvitationView {
    pub layout: Layout,
    pub state: InvitationState,
    pub token: String,
    /// The inviting workspace's logo, inline (the visitor is not a member yet).
    pub logo: Option<String>,
    /// New accounts may be made here (`EASEL_SIGNUP` is not `closed`).
    pub signup_open: bool,
}

/// An invitation link that no longer works: says why, and nothing else.
pub struct DeadLink {
    pub title: &'static str,
    pub message: &'static str,
}

pub enum InvitationState {
    Dead(DeadLink),
    SignedOut {
        invitation: Invitation,
    },
    ForYou {
        invitation: Invitation,
    },
    /// For this account, whose address is not confirmed yet.
    ConfirmFirst {
        invitation: Invitation,
    },
    ForSomeoneElse {
        invitation: Invitation,
        your_email: String,
    },
}
