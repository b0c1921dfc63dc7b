//! Passwords: argon2id, a minimum length, and a list of common passwords.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// Common passwords, one a line, shipped with the project (from the
/// frequency lists of zxcvbn).
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

/// argon2id with OWASP's recommended minimum: 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password is refused, in Dutch; `None` when it is fine.
pub fn weakness(password: &str, email: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some("Het wachtwoord moet minstens 12 tekens lang zijn.");
    }
    if length > MAX_LENGTH {
        return Some("Het wachtwoord mag hoogstens 256 tekens lang zijn.");
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Some(
            "Dit wachtwoord komt voor in een lijst van veelgebruikte wachtwoorden. Kies een ander.",
        );
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if !local.is_empty() && lower.contains(&local) && local.len() >= 4 {
        return Some("Het wachtwoord mag uw e-mailadres niet bevatten.");
    }
    if password.chars().collect::<HashSet<_>>().len() < 4 {
        return Some("Het wachtwoord bestaat uit te weinig verschillende tekens.");
    }
    None
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = new_salt()?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// Verifies on a blocking thread. Without a stored hash, a dummy one is
/// checked so that an unknown login takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await?
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    new_salt()
        .and_then(|salt| {
            hasher()
                .hash_password(b"no account has this password", &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("argon2: {e}"))
        })
        .unwrap_or_default()
});

fn new_salt() -> anyhow::Result<SaltString> {
    let bytes: [u8; 16] = rand::random();
    SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))
}
