//! Password hashing with argon2id, off the async threads.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use crate::error::{AppError, AppResult};

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

/// 19 MiB, 2 passes, 1 lane: the OWASP minimum for argon2id.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of nothing anyone knows: verifying against it makes an unknown
/// email cost the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(b"not a password anyone has", &salt).map(|h| h.to_string()).unwrap_or_default()
});

/// Why a new password is not acceptable, if it is not.
pub fn problem(password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        Some(format!("Use at least {MIN_CHARS} characters."))
    } else if chars > MAX_CHARS {
        Some(format!("Use at most {MAX_CHARS} characters."))
    } else {
        None
    }
}

pub async fn hash(password: String) -> AppResult<String> {
    blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
}

/// Checks `password` against `stored`, or against a dummy hash when there is
/// no account (or no password), so both cost the same.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    blocking(move || {
        let found = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&hash)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        Ok(found && matches)
    })
    .await
}

/// Warms the dummy hash so the first unknown-email sign-in is not the slow one.
pub fn prepare() {
    LazyLock::force(&DUMMY_HASH);
}

/// Each hash takes 19 MiB and a core for tens of milliseconds: more at once
/// than there are cores only adds memory (measured: 32 sign-ins at once held
/// 4.5 GB), so the rest wait their turn.
static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    let _turn = HASHING.acquire().await.map_err(|e| AppError::Internal(anyhow::anyhow!("password queue: {e}")))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(anyhow::anyhow!("password worker: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse".into(), Some(stored.clone())).await.expect("verify"));
        assert!(!verify("wrong horse".into(), Some(stored)).await.expect("verify"));
        assert!(!verify("anything".into(), None).await.expect("verify"));
    }

    #[test]
    fn length_rules() {
        assert!(problem("short").is_some());
        assert!(problem("long enough").is_none());
        assert!(problem(&"x".repeat(MAX_CHARS)).is_none());
        assert!(problem(&"x".repeat(MAX_CHARS + 1)).is_some());
    }
}
