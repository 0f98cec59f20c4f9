//! Pages of the sign-in flow.

use askama::Template;

use crate::web::Layout;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginView {
    pub layout: Layout,
    /// "Continue with …" buttons, for the providers configured here.
    pub providers: Vec<crate::oauth::Provider>,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
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
}

#[derive(Default)]
pub struct SignupErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
}

impl SignupErrors {
    pub fn any(&self) -> bool {
        self.name.is_some() || self.email.is_some() || self.password.is_some()
    }
}
