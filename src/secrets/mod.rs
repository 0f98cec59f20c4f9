//! Per-workspace secrets (API keys) sealed with XChaCha20-Poly1305.
//!
//! A stored value reads `v1:<key id>:<base64 of nonce ‖ ciphertext>`. The
//! associated data names the workspace and the field, so a value copied to
//! another workspace or field does not open. Several master keys may be
//! configured; the first seals, all open, and `reseal` moves old values to
//! the first. A person's own secret (their two-factor key) is sealed the same
//! way, bound to the person instead of a workspace.

use std::{io::Write, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    Key, XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
};
use uuid::Uuid;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 24;

/// The master keys, newest first.
#[derive(Clone)]
pub struct Secrets {
    keys: Vec<(String, XChaCha20Poly1305)>,
    /// Derived from the newest master key: signs values Easel hands out and
    /// must recognise again (the CSRF cookie of a visitor), on any instance.
    signing_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material, only which keys there are.
        f.debug_struct("Secrets").field("key_ids", &self.keys.iter().map(|(id, _)| id).collect::<Vec<_>>()).finish()
    }
}

/// Why a stored value does not open.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the stored value is not in a known format")]
    Malformed,
    #[error("the stored value was sealed with a key that is not configured")]
    UnknownKey,
    #[error("the stored value does not open (tampered, moved or sealed under another key)")]
    DoesNotOpen,
}

impl Secrets {
    /// Parses `EASEL_SECRET_KEY`: `id:base64,id:base64` (newest first), or
    /// one bare base64 key (its id is `k1`). Each key is 32 bytes.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        let mut signing_key = None;
        for (n, part) in spec.split(',').map(str::trim).filter(|p| !p.is_empty()).enumerate() {
            let (id, encoded) = match part.split_once(':') {
                Some((id, encoded)) => (id.trim().to_owned(), encoded.trim()),
                None if n == 0 => ("k1".to_owned(), part),
                None => return Err("give every key an id, as id:base64".into()),
            };
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(format!("the key id '{id}' must be letters, digits, - or _"));
            }
            let bytes = STANDARD.decode(encoded).map_err(|_| format!("the key '{id}' is not base64"))?;
            if bytes.len() != 32 {
                return Err(format!("the key '{id}' must be 32 bytes (it is {})", bytes.len()));
            }
            if keys.iter().any(|(known, _)| *known == id) {
                return Err(format!("the key id '{id}' is used twice"));
            }
            keys.push((id, XChaCha20Poly1305::new(Key::from_slice(&bytes))));
            signing_key.get_or_insert_with(|| derive(&bytes, "easel:signing:v1"));
        }
        let Some(signing_key) = signing_key else {
            return Err("no key given".into());
        };
        Ok(Self { keys, signing_key })
    }

    /// The key file in the data folder, created with mode 0600 on first use.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            let key = XChaCha20Poly1305::generate_key(&mut OsRng);
            let line = format!("k1:{}\n", STANDARD.encode(key));
            write_private(path, line.as_bytes()).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(text.trim()).map_err(|why| format!("{}: {why}", path.display()))
    }

    fn aad(workspace: Uuid, field: &str) -> String {
        format!("easel:{VERSION}:{workspace}:{field}")
    }

    /// Associated data of a person's own secret; the `person:` prefix keeps
    /// it apart from every workspace's.
    fn person_aad(person: Uuid, field: &str) -> String {
        format!("easel:{VERSION}:person:{person}:{field}")
    }

    /// Seals `plain` for one workspace and field under the newest key.
    pub fn seal(&self, workspace: Uuid, field: &str, plain: &str) -> String {
        self.seal_bound(&Self::aad(workspace, field), plain)
    }

    /// Opens a stored value of this workspace and field.
    pub fn open(&self, workspace: Uuid, field: &str, stored: &str) -> Result<String, SecretError> {
        self.open_bound(&Self::aad(workspace, field), stored)
    }

    /// Seals `plain` for one person (not a workspace) and field.
    pub fn seal_for_person(&self, person: Uuid, field: &str, plain: &str) -> String {
        self.seal_bound(&Self::person_aad(person, field), plain)
    }

    /// Opens a stored value of this person and field.
    pub fn open_for_person(&self, person: Uuid, field: &str, stored: &str) -> Result<String, SecretError> {
        self.open_bound(&Self::person_aad(person, field), stored)
    }

    /// A person's value sealed again under the newest key, as [`Self::reseal`].
    pub fn reseal_for_person(&self, person: Uuid, field: &str, stored: &str) -> Option<String> {
        let newest = format!("{VERSION}:{}:", self.keys[0].0);
        if stored.starts_with(&newest) {
            return None;
        }
        self.open_for_person(person, field, stored).ok().map(|plain| self.seal_for_person(person, field, &plain))
    }

    fn seal_bound(&self, aad: &str, plain: &str) -> String {
        let (id, cipher) = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption only fails for messages beyond 256 GiB.
        let sealed = cipher.encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: aad.as_bytes() }).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}:{id}:{}", STANDARD.encode(bytes))
    }

    fn open_bound(&self, aad: &str, stored: &str) -> Result<String, SecretError> {
        let mut parts = stored.splitn(3, ':');
        let (Some(VERSION), Some(id), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SecretError::Malformed);
        };
        let cipher = self.keys.iter().find(|(k, _)| k == id).map(|(_, c)| c).ok_or(SecretError::UnknownKey)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SecretError::Malformed)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SecretError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
            .map_err(|_| SecretError::DoesNotOpen)?;
        String::from_utf8(plain).map_err(|_| SecretError::DoesNotOpen)
    }

    /// An HMAC-SHA256 of `data` for one `purpose`, under a key derived from
    /// the newest master key: every instance sharing the key agrees on it.
    pub fn sign(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.signing_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The value sealed again under the newest key, or `None` when it already
    /// is (or does not open, and must be entered again instead).
    pub fn reseal(&self, workspace: Uuid, field: &str, stored: &str) -> Option<String> {
        let newest = format!("{VERSION}:{}:", self.keys[0].0);
        if stored.starts_with(&newest) {
            return None;
        }
        self.open(workspace, field, stored).ok().map(|plain| self.seal(workspace, field, &plain))
    }
}

/// A key for another use, derived from a master key (HMAC-SHA256 as a KDF).
fn derive(master: &[u8], label: &str) -> [u8; 32] {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_workspace_and_field() {
        let secrets = Secrets::parse(&key(1)).expect("key");
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let stored = secrets.seal(a, "openai_api_key", "sk-secret-1234");
        assert!(stored.starts_with("v1:k1:"));
        assert!(!stored.contains("sk-secret"));
        assert_eq!(secrets.open(a, "openai_api_key", &stored).as_deref(), Ok("sk-secret-1234"));
        assert_eq!(secrets.open(b, "openai_api_key", &stored), Err(SecretError::DoesNotOpen));
        assert_eq!(secrets.open(a, "publer_api_key", &stored), Err(SecretError::DoesNotOpen));
        assert_ne!(stored, secrets.seal(a, "openai_api_key", "sk-secret-1234"), "a fresh nonce every time");
    }

    #[test]
    fn a_persons_secret_opens_only_for_that_person_and_never_as_a_workspaces() {
        let secrets = Secrets::parse(&key(3)).expect("key");
        let (ada, bea) = (Uuid::now_v7(), Uuid::now_v7());
        let stored = secrets.seal_for_person(ada, "totp", "JBSWY3DPEHPK3PXP");
        assert_eq!(secrets.open_for_person(ada, "totp", &stored).as_deref(), Ok("JBSWY3DPEHPK3PXP"));
        assert_eq!(secrets.open_for_person(bea, "totp", &stored), Err(SecretError::DoesNotOpen));
        assert_eq!(secrets.open(ada, "totp", &stored), Err(SecretError::DoesNotOpen), "not a workspace's");
        let as_workspace = secrets.seal(ada, "totp", "x");
        assert_eq!(secrets.open_for_person(ada, "totp", &as_workspace), Err(SecretError::DoesNotOpen));
    }

    #[test]
    fn tampering_and_unknown_keys_are_refused() {
        let secrets = Secrets::parse(&format!("k2:{}", key(2))).expect("key");
        let ws = Uuid::now_v7();
        let stored = secrets.seal(ws, "f", "value");
        let mut tampered = stored.clone();
        let last = tampered.pop().map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
        tampered.push(last);
        assert_eq!(secrets.open(ws, "f", &tampered), Err(SecretError::DoesNotOpen));
        assert_eq!(secrets.open(ws, "f", "plain text"), Err(SecretError::Malformed));
        let other = Secrets::parse(&format!("k9:{}", key(9))).expect("key");
        assert_eq!(other.open(ws, "f", &stored), Err(SecretError::UnknownKey));
    }

    #[test]
    fn rotation_reseals_under_the_newest_key_and_old_values_still_open() {
        let ws = Uuid::now_v7();
        let old = Secrets::parse(&format!("k1:{}", key(1))).expect("key");
        let stored = old.seal(ws, "f", "value");
        let both = Secrets::parse(&format!("k2:{},k1:{}", key(2), key(1))).expect("keys");
        assert_eq!(both.open(ws, "f", &stored).as_deref(), Ok("value"));
        let resealed = both.reseal(ws, "f", &stored).expect("resealed");
        assert!(resealed.starts_with("v1:k2:"));
        assert_eq!(both.reseal(ws, "f", &resealed), None);
        let newest = Secrets::parse(&format!("k2:{}", key(2))).expect("key");
        assert_eq!(newest.open(ws, "f", &resealed).as_deref(), Ok("value"));
    }

    #[test]
    fn bad_key_settings_say_what_is_wrong() {
        assert!(Secrets::parse("").is_err());
        assert!(Secrets::parse("not base64!").is_err());
        assert!(Secrets::parse(&STANDARD.encode([1u8; 16])).is_err(), "16 bytes is too short");
        assert!(Secrets::parse(&format!("k1:{},k1:{}", key(1), key(2))).is_err());
        assert!(Secrets::parse(&format!("k1:{},{}", key(1), key(2))).is_err());
        assert!(format!("{:?}", Secrets::parse(&key(7)).expect("key")).contains("k1"));
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("secret.key");
        let first = Secrets::from_file(&path).expect("created");
        let again = Secrets::from_file(&path).expect("read");
        let ws = Uuid::now_v7();
        assert_eq!(again.open(ws, "f", &first.seal(ws, "f", "v")).as_deref(), Ok("v"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
