//! Pages of two-factor sign-in.

use askama::Template;

use crate::web::Layout;

/// The code step of signing in.
#[derive(Template)]
#[template(path = "auth/two_factor_code.html")]
pub struct CodeView {
    pub layout: Layout,
    pub error: Option<&'static str>,
}

/// What the account's two-factor page shows.
pub enum Standing {
    /// Not set up: a button starts it.
    Off,
    /// Started: scan the QR code (or type the secret), then confirm with a code.
    Confirming { qr_svg: String, secret: String },
    /// On, with this many unused recovery codes.
    On { recovery_codes_left: i64 },
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
pub struct TwoFactorView {
    pub layout: Layout,
    pub standing: Standing,
    /// The operator requires two-factor of this person.
    pub required: bool,
    /// The account has a password (disabling then asks for it).
    pub has_password: bool,
    pub error: Option<String>,
}

/// The recovery codes, shown this once.
#[derive(Template)]
#[template(path = "auth/two_factor_recovery.html")]
pub struct RecoveryCodesView {
    pub layout: Layout,
    pub codes: Vec<String>,
    /// Two-factor was just turned on (rather than codes made anew).
    pub just_enabled: bool,
}

impl TwoFactorView {
    /// The secret in groups of four letters, easier to type by hand.
    pub fn secret_parts(&self) -> Vec<String> {
        match &self.standing {
            Standing::Confirming { secret, .. } => {
                secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect()
            }
            _ => Vec::new(),
        }
    }
}
