//! The authenticator app's side of two-factor: TOTP secrets and codes
//! (RFC 6238 through the `totp-rs` crate), the QR code that carries a secret
//! to a phone, and recovery codes.

use qrcode::{QrCode, render::svg};
use rand::{Rng, RngCore, rngs::OsRng};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::web::tokens;

/// Seconds one code lasts; what every authenticator app expects.
const STEP: u64 = 30;
/// Codes of the step before and after the current one also pass, for clocks
/// that drift and people who type slowly.
const DRIFT: u64 = 1;
/// How many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for each other.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A person's TOTP generator, rebuilt from their (opened) secret.
pub struct Authenticator {
    totp: TOTP,
}

impl Authenticator {
    /// A fresh 160-bit secret, in base32 as people type it.
    pub fn new_secret() -> String {
        let mut bytes = [0u8; 20];
        OsRng.fill_bytes(&mut bytes);
        Secret::Raw(bytes.to_vec()).to_encoded().to_string()
    }

    /// The generator for a stored secret; `email` names the account in the app.
    pub fn new(secret: &str, email: &str) -> Result<Self, String> {
        let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|e| format!("a TOTP secret: {e:?}"))?;
        // The authenticator's label is `issuer:account`, so neither may hold a colon.
        let account = email.replace(':', "");
        let totp = TOTP::new(Algorithm::SHA1, 6, 0, STEP, bytes, Some("Easel".into()), account)
            .map_err(|e| format!("a TOTP secret: {e:?}"))?;
        Ok(Self { totp })
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn url(&self) -> String {
        self.totp.get_url()
    }

    /// The QR code of [`Self::url`], as SVG markup to place in the page.
    pub fn qr_svg(&self) -> Result<String, String> {
        let code = QrCode::new(self.url().as_bytes()).map_err(|e| format!("a QR code: {e}"))?;
        let svg = code.render::<svg::Color>().min_dimensions(200, 200).build();
        // Inline in HTML the XML prolog is noise; the drawing starts at <svg.
        Ok(svg.find("<svg").map_or(svg.clone(), |at| svg[at..].to_owned()))
    }

    /// The time step `code` belongs to, when it is a code of now (give or
    /// take [`DRIFT`] steps) and of a step after `after`: a step once used
    /// never passes again.
    pub fn accepts(&self, code: &str, now: u64, after: i64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let current = now / STEP;
        (current.saturating_sub(DRIFT)..=current + DRIFT)
            .filter(|step| i64::try_from(*step).is_ok_and(|s| s > after))
            .find(|step| self.totp.check(&code, step * STEP))
            .and_then(|step| i64::try_from(step).ok())
    }
}

/// Ten fresh recovery codes, as shown once (`abcd-efgh-jkmn`).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let letters: Vec<char> =
                (0..12).map(|_| char::from(RECOVERY_ALPHABET[OsRng.gen_range(0..RECOVERY_ALPHABET.len())])).collect();
            letters.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// The hash a recovery code is stored and looked up by: typed in any case,
/// with or without its dashes and spaces, it hashes the same.
pub fn recovery_hash(typed: &str) -> String {
    let plain: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    tokens::hash(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_passes_for_its_step_and_its_neighbours_only_once() {
        let secret = Authenticator::new_secret();
        let app = Authenticator::new(&secret, "ada@example.com").expect("secret");
        let now = 1_800_000_000;
        let code = app.totp.generate(now);
        assert_eq!(app.accepts(&code, now, 0), Some((now / STEP) as i64));
        assert_eq!(app.accepts(&code, now + STEP, 0), Some((now / STEP) as i64), "a step late still passes");
        assert_eq!(app.accepts(&code, now + 3 * STEP, 0), None, "too late");
        assert_eq!(app.accepts(&code, now, (now / STEP) as i64), None, "its step was used");
        assert_eq!(app.accepts("12345", now, 0), None);
        assert_eq!(app.accepts("abcdef", now, 0), None);
    }

    #[test]
    fn the_qr_code_is_inline_svg_of_an_otpauth_address() {
        let app = Authenticator::new(&Authenticator::new_secret(), "ada@example.com").expect("secret");
        assert!(app.url().starts_with("otpauth://totp/Easel:ada%40example.com?"));
        let svg = app.qr_svg().expect("svg");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_however_they_are_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 14);
        assert_eq!(recovery_hash(&codes[0]), recovery_hash(&codes[0].replace('-', " ").to_uppercase()));
        assert_ne!(recovery_hash(&codes[0]), recovery_hash(&codes[1]));
    }
}
