//! People and signing in: accounts, passwords, sessions.

mod account;
mod handlers;
pub mod operator;
pub mod password;
pub mod queries;
mod reset;
pub mod session;
pub mod two_factor;
pub mod verification;
mod views;

use axum::{Router, routing::get};

pub use handlers::{HostSite, chosen_time_zone, sign_in_page};
pub use session::{CurrentUser, MaybeUser};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(handlers::view_signup).post(handlers::signup))
        .route("/login", get(handlers::view_login).post(handlers::login))
        .route("/logout", axum::routing::post(handlers::logout))
        .route("/password/forgot", get(reset::view_forgot).post(reset::forgot))
        .route("/password/reset/{token}", get(reset::view_reset).post(reset::reset))
        .route("/account", get(account::view_account).post(account::save_name))
        .route("/account/password", axum::routing::post(account::save_password))
        .route("/account/notifications", axum::routing::post(account::save_notice_choices))
        .route("/account/sessions/end-others", axum::routing::post(account::end_other_sessions))
        .route("/account/delete", axum::routing::post(account::delete_account))
        .merge(two_factor::routes())
        .route("/verify/{token}", get(verification::view_verify).post(verification::confirm))
        .route("/account/verify/resend", axum::routing::post(verification::resend))
}

/// The longest email address there can be (RFC 5321).
pub const MAX_EMAIL_LEN: usize = 254;

/// An email longer than any address can be: refused (422) before any other
/// work, so a huge one costs nothing to look up, hash or rate-limit.
pub fn email_too_long(raw: &str) -> bool {
    raw.trim().len() > MAX_EMAIL_LEN
}

pub const EMAIL_TOO_LONG: &str = "That is not an email address: an address has at most 254 characters.";

/// An email as Easel stores it (trimmed, lower-cased), or why it is not one.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    if email_too_long(raw) {
        return Err(EMAIL_TOO_LONG);
    }
    let email = raw.trim().to_lowercase();
    let invalid = "Enter an email address like name@example.com.";
    if email.is_empty() {
        return Err("Enter your email address.");
    }
    if email.len() > MAX_EMAIL_LEN || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid);
    }
    let Some((local, domain)) = email.rsplit_once('@') else { return Err(invalid) };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || local.contains('@') || !domain_ok {
        return Err(invalid);
    }
    Ok(email)
}

/// A person's display name, or why it cannot be one.
pub fn clean_name(raw: &str) -> Result<String, &'static str> {
    crate::web::clean_name(raw, "Enter your name.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(normalize_email("  Ada@Example.COM ").as_deref(), Ok("ada@example.com"));
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@example.com", "ada@.com"]
        {
            assert!(normalize_email(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(clean_name("  Ada Lovelace ").as_deref(), Ok("Ada Lovelace"));
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"x".repeat(101)).is_err());
    }
}
