//! Pages of the sign-in flow.

use askama::Template;

use crate::{config::SignupPolicy, web::Layout};

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginView {
    pub layout: Layout,
    /// "Continue with …" buttons, for the providers configured here.
    pub providers: Vec<crate::oauth::Provider>,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
    /// On a workspace's own address: that workspace (its name and branding).
    pub site: Option<crate::tenancy::Site>,
    /// Where sign-in with a provider works (`EASEL_BASE_URL`).
    pub instance_url: String,
}

impl LoginView {
    /// On a workspace's address the provider buttons are hidden: their
    /// redirect URIs are registered for `EASEL_BASE_URL`, and the session
    /// they make lives there, so they are offered as a link to it instead.
    pub fn show_providers(&self) -> bool {
        self.site.is_none() && !self.providers.is_empty()
    }
}

#[derive(Template)]
#[template(path = "auth/signup.html")]
pub struct SignupView {
    pub layout: Layout,
    pub providers: Vec<crate::oauth::Provider>,
    pub name: String,
    pub email: String,
    pub next: String,
    /// The invitation token this sign-up answers, if any.
    pub invite: String,
    pub errors: SignupErrors,
    /// Who may sign up here; the page says so.
    pub policy: SignupPolicy,
    /// The studio's time zone, as chosen (the browser's, by script).
    pub time_zone: String,
    pub time_zones: Vec<String>,
}

impl SignupView {
    /// Whether this visitor gets the form (under `invite`, only with an invitation).
    pub fn form_open(&self) -> bool {
        match self.policy {
            SignupPolicy::Open => true,
            SignupPolicy::Invite => !self.invite.is_empty(),
            SignupPolicy::Closed => false,
        }
    }

    pub fn policy_note(&self) -> &'static str {
        match self.policy {
            SignupPolicy::Open => "Anyone can create an account here. We mail you a link to confirm your address.",
            SignupPolicy::Invite if self.invite.is_empty() => {
                "Accounts here are by invitation only. Open the invitation link from your mail to create yours."
            }
            SignupPolicy::Invite => "Accounts here are by invitation only, and your invitation lets you in.",
            SignupPolicy::Closed => {
                "New accounts here are made by the operator of this Easel. Ask them to create one for you."
            }
        }
    }
}

#[derive(Default)]
pub struct SignupErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub time_zone: Option<String>,
}

impl SignupErrors {
    pub fn any(&self) -> bool {
        self.name.is_some() || self.email.is_some() || self.password.is_some() || self.time_zone.is_some()
    }
}
