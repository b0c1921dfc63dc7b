//! Passwords: argon2id, a minimum length, and a list of common passwords.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

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

/// How many hashes run at once, process-wide. Each takes 19 MiB for as
/// long as it runs: unbounded, a burst of 200 sign-ins held about 200 of
/// them at once (see docs/deployment.md). The rest wait their turn.
static HASHERS: OnceLock<Hashers> = OnceLock::new();
/// Hashes running now, and the most that ever ran at once (for the test
/// of the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Hashers {
    permits: Arc<Semaphore>,
    size: usize,
}

impl Hashers {
    fn new(size: usize) -> Self {
        Hashers {
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }
}

/// The default: one hash per processor.
pub fn default_parallelism() -> usize {
    std::thread::available_parallelism().map_or(2, NonZeroUsize::get)
}

/// Sets how many hashes may run at once (`--password-hashers`). Only
/// before the first hash: false when it is too late.
pub fn set_parallelism(n: NonZeroUsize) -> bool {
    HASHERS.set(Hashers::new(n.get())).is_ok()
}

fn hashers() -> &'static Hashers {
    HASHERS.get_or_init(|| Hashers::new(default_parallelism()))
}

/// How many hashes may run at once.
pub fn parallelism() -> usize {
    hashers().size
}

/// The most hashes that ran at once since the process started.
pub fn peak_parallel() -> usize {
    PEAK.load(Ordering::SeqCst)
}

/// Runs `work` on a blocking thread once a hasher is free. The permit
/// goes with the work: a request that is dropped while its hash runs
/// (the client went away) does not free a place before the memory is.
async fn limited<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let permit = hashers().permits.clone().acquire_owned().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let result = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        result
    })
    .await?
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    limited(move || {
        let salt = new_salt()?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await
}

/// Verifies on a blocking thread. Without a stored hash, a dummy one is
/// checked so that an unknown login takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    limited(move || {
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
    .await
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
