//! Passwords: argon2id, a minimum length, and a list of common passwords.

use std::cell::RefCell;
use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, mpsc};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::{Semaphore, oneshot};

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

/// The hashers: a semaphore admits at most `size` hashes at once (a
/// request waiting for a permit can still be dropped, and then costs
/// nothing), and `size` long-lived threads run them. Long-lived threads,
/// not tokio's blocking pool: the C allocator keeps a freed 19 MiB block
/// for its thread's next use, so every new pool thread that hashed once
/// held on to another 19 MiB (300 MiB after a burst of 20 sign-ins with
/// two permits, see docs/deployment.md); a fixed set of threads keeps
/// that to a fixed set of blocks.
struct Hashers {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    size: usize,
}

type Job = Box<dyn FnOnce() + Send>;

impl Hashers {
    fn new(size: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..size {
            let queue = Arc::clone(&queue);
            let worker = std::thread::Builder::new()
                .name(format!("vesoc-hasher-{i}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panic in one hash must not cost a worker.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = worker {
                tracing::error!("starting password hasher {i}: {e}");
            }
        }
        Hashers {
            permits: Arc::new(Semaphore::new(size)),
            jobs,
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

/// Runs `work` on a hasher thread once a permit is free. The permit goes
/// with the work: a request that is dropped while its hash runs (the
/// client went away) does not free a place before the memory is.
async fn limited<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let hashers = hashers();
    let permit = Arc::clone(&hashers.permits).acquire_owned().await?;
    let (done, result) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _permit = permit;
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let outcome = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        let _ = done.send(outcome);
    });
    hashers
        .jobs
        .send(job)
        .map_err(|_| anyhow::anyhow!("no password hasher is running"))?;
    result
        .await
        .map_err(|_| anyhow::anyhow!("the password hasher stopped"))?
}

thread_local! {
    /// The memory argon2 works in (19 MiB), allocated once per hasher
    /// thread and reused: allocating it for every hash left the C
    /// allocator holding freed blocks that other allocations then split,
    /// so a burst of sign-ins still grew the process by hundreds of MiB.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The raw argon2 output of `password` and `salt`, in this thread's memory.
fn argon2_into(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> anyhow::Result<()> {
    MEMORY.with_borrow_mut(|blocks| {
        let needed = argon.params().block_count();
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
}

/// argon2id of `password` as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let argon = hasher();
    let salt = new_salt()?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon, password, salt_bytes, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("argon2: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (any argon2 variant
/// and parameters it names), compared in constant time.
fn matches(password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    argon2_into(&argon, password, salt_bytes, &mut out).is_ok()
        && bool::from(expected.as_bytes().ct_eq(&out))
}

/// Hashes on a hasher thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    limited(move || hash_now(password.as_bytes())).await
}

/// Verifies on a hasher thread. Without a stored hash, a dummy one is
/// checked so that an unknown login takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    limited(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = matches(password.as_bytes(), &stored);
        Ok(ok && known)
    })
    .await
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now(b"no account has this password").unwrap_or_default());

fn new_salt() -> anyhow::Result<SaltString> {
    let bytes: [u8; 16] = rand::random();
    SaltString::encode_b64(&bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    /// Hashes made by the argon2 crate's own PHC code (all stored hashes
    /// until the hashers reused their memory) verify, and ours verify with
    /// the crate's code.
    #[test]
    fn hashes_agree_with_the_argon2_crate() {
        let salt = new_salt().expect("salt");
        let theirs = hasher()
            .hash_password(b"paars konijn drinkt koffie", &salt)
            .expect("hash")
            .to_string();
        assert!(matches(b"paars konijn drinkt koffie", &theirs));
        assert!(!matches(b"paars konijn drinkt thee", &theirs));

        let ours = hash_now(b"groene tram naar de haven").expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).expect("PHC");
        assert!(
            hasher()
                .verify_password(b"groene tram naar de haven", &parsed)
                .is_ok()
        );
        assert!(hasher().verify_password(b"rode tram", &parsed).is_err());
        assert!(!matches(b"x", "geen hash"));
        assert!(!matches(b"x", ""));
    }
}
