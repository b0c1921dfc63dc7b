//! Throttling of everything that proves who one is (passwords, codes, the
//! current password on the account pages), and the device cookies that
//! keep the account-wide limit from locking the owner out.
//!
//! Every attempt is *counted before it is evaluated*: [`claim`] takes a
//! lock per login and per address, counts the recent failures, and either
//! refuses or inserts the attempt as a failure, all in one short
//! transaction. Only then is the password or code checked; [`settle`]
//! marks a right one as succeeded and logs the outcome. So concurrent
//! wrong attempts cannot all pass the check before any of them is counted,
//! on one instance or several (the counters and locks are PostgreSQL's).
//! An attempt that never settles (the request dropped half-way) stays a
//! failure: erring on the side of the owner.
//!
//! The limits, within their windows:
//!
//! | who | limit | window |
//! |---|---|---|
//! | a browser without a device cookie for the login, one address | 5 failures of that login | 15 min |
//! | a browser without a device cookie, one address | 20 failures, any login | 15 min |
//! | every browser without a device cookie for the login, all addresses | 10 failures of that login | 60 min |
//! | a browser with a device cookie for the login | 5 failures with that cookie | 15 min |
//! | one password step (the code form) | 5 wrong codes, then the password again | its 5 minutes |
//!
//! The device cookie follows OWASP's "Slow down online guessing attacks
//! with device cookies": a browser that signed in to an account before
//! holds a random token for it (only its hash is stored) and is judged by
//! its own failures only. An attacker spread over many addresses has no
//! such cookie and waits after ten failures an hour; the owner, on a
//! browser they used before, does not wait for the attacker's failures.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use tower_sessions::cookie::{Cookie, SameSite};
use uuid::Uuid;

use crate::audit;
use crate::auth::password;
use crate::base::error::Result;
use crate::base::{AppState, secret};

/// Failures of one login from one address (without a device cookie).
pub const MAX_FAILURES_PER_LOGIN: i64 = 5;
/// Failures from one address, any login (without a device cookie).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The window of the two limits above and of [`MAX_FAILURES_PER_DEVICE`].
pub const FAILURE_WINDOW_MINUTES: i32 = 15;
/// Failures of one login from every browser without a device cookie for
/// it, whatever their addresses: an attacker with many addresses gets this
/// many guesses an hour, not 5 per address.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const ACCOUNT_WINDOW_MINUTES: i32 = 60;
/// Failures of a browser with a device cookie for the login: a stolen
/// cookie buys no more guesses than an address does.
pub const MAX_FAILURES_PER_DEVICE: i64 = 5;
/// Wrong codes after one correct password; then the password step starts
/// over.
pub const MAX_WRONG_CODES: i64 = 5;

const _: () = assert!(ACCOUNT_WINDOW_MINUTES >= FAILURE_WINDOW_MINUTES);

/// A device cookie is kept this long after the last sign-in with it.
pub const DEVICE_LIFETIME_DAYS: i32 = 365;
pub const DEVICE_COOKIE: &str = "vesoc-device";
/// Over https (`--secure-cookies`): `Secure`, and the `__Host-` prefix.
pub const SECURE_DEVICE_COOKIE: &str = "__Host-vesoc-device";

/// Advisory-lock namespaces (the first key of the two-key form).
const LOCK_LOGIN: i32 = 727_301;
const LOCK_ADDRESS: i32 = 727_302;

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    LoginHere,
    Address,
    Account,
    Device,
    /// Five wrong codes in this password step.
    Codes,
}

impl Limit {
    /// What the user reads, in Dutch.
    pub fn message(self) -> &'static str {
        match self {
            Limit::Account => {
                "Er waren te veel mislukte aanmeldpogingen voor dit account vanuit browsers \
                 die het nog niet kent. Wacht een uur en probeer het dan opnieuw, of gebruik \
                 een browser waarmee u zich hier eerder aanmeldde."
            }
            Limit::Codes => {
                "U typte vijf keer een foute code: de aanmelding begint opnieuw, met uw wachtwoord."
            }
            Limit::LoginHere | Limit::Address | Limit::Device => {
                "Te veel mislukte aanmeldpogingen. Wacht een kwartier en probeer het dan opnieuw."
            }
        }
    }
}

/// Who tries.
#[derive(Debug, Clone, Copy)]
pub struct Attempter<'a> {
    /// The login (lower-cased e-mail address) the attempt is for.
    pub login: &'a str,
    pub address: &'a str,
    /// The device cookie the browser sent (see [`known_device`]).
    pub device: &'a DeviceCookie,
    /// The password step a code belongs to.
    pub pending: Option<Uuid>,
}

/// An attempt that was counted and may be evaluated.
#[derive(Debug)]
pub struct Counted {
    id: i64,
    /// Wrong codes earlier in the same password step.
    pub earlier_wrong_codes: i64,
}

#[derive(Debug)]
pub enum Claim {
    Counted(Counted),
    Throttled(Limit),
}

#[derive(Debug, sqlx::FromRow)]
struct Failures {
    login_here: i64,
    here: i64,
    account: i64,
    device: i64,
    codes: i64,
}

impl Failures {
    fn limit(&self, known_device: bool) -> Option<Limit> {
        if self.codes >= MAX_WRONG_CODES {
            Some(Limit::Codes)
        } else if known_device {
            (self.device >= MAX_FAILURES_PER_DEVICE).then_some(Limit::Device)
        } else if self.login_here >= MAX_FAILURES_PER_LOGIN {
            Some(Limit::LoginHere)
        } else if self.here >= MAX_FAILURES_PER_ADDRESS {
            Some(Limit::Address)
        } else if self.account >= MAX_FAILURES_PER_ACCOUNT {
            Some(Limit::Account)
        } else {
            None
        }
    }
}

/// Counts an attempt before it is evaluated, or refuses it: the check and
/// the count are one transaction under a lock per login and per address.
pub async fn claim(db: &PgPool, who: &Attempter<'_>) -> sqlx::Result<Claim> {
    let device = known_device(db, who.device, who.login).await?;
    let mut tx = db.begin().await?;
    // One statement, so every transaction takes the two locks in the same
    // order; they are released at commit.
    sqlx::query(
        "SELECT pg_advisory_xact_lock($1, hashtext($3)), pg_advisory_xact_lock($2, hashtext($4))",
    )
    .bind(LOCK_LOGIN)
    .bind(LOCK_ADDRESS)
    .bind(who.login)
    .bind(who.address)
    .execute(&mut *tx)
    .await?;
    let failures: Failures = sqlx::query_as(
        "SELECT
            count(*) FILTER (WHERE login = $1 AND address = $2
                               AND at > now() - make_interval(mins => $5)) AS login_here,
            count(*) FILTER (WHERE address = $2
                               AND at > now() - make_interval(mins => $5)) AS here,
            count(*) FILTER (WHERE login = $1 AND device_id IS NULL) AS account,
            count(*) FILTER (WHERE device_id = $3
                               AND at > now() - make_interval(mins => $5)) AS device,
            count(*) FILTER (WHERE pending_id = $4) AS codes
         FROM login_attempt
         WHERE NOT succeeded AND at > now() - make_interval(mins => $6)
           AND (login = $1 OR address = $2)",
    )
    .bind(who.login)
    .bind(who.address)
    .bind(device)
    .bind(who.pending)
    .bind(FAILURE_WINDOW_MINUTES)
    .bind(ACCOUNT_WINDOW_MINUTES)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(limit) = failures.limit(device.is_some()) {
        tx.rollback().await?;
        tracing::warn!(address = %who.address, ?limit, known_device = device.is_some(), "attempt throttled");
        return Ok(Claim::Throttled(limit));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_attempt (login, address, succeeded, device_id, pending_id)
         VALUES ($1, $2, false, $3, $4) RETURNING id",
    )
    .bind(who.login)
    .bind(who.address)
    .bind(device)
    .bind(who.pending)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Claim::Counted(Counted {
        id,
        earlier_wrong_codes: failures.codes,
    }))
}

/// How an evaluated attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The password at sign-in (logged as a sign-in).
    SignedIn,
    /// A check that was right, where the action that follows is logged
    /// itself (a code at sign-in, a confirmation on the account pages).
    Confirmed,
    /// A wrong password at sign-in.
    SignInFailed,
    /// A wrong code at sign-in.
    CodeFailed,
    /// A wrong current password on the password form.
    PasswordCheckFailed,
    /// A wrong current password or code on the second-factor page.
    SecondFactorCheckFailed,
}

impl Outcome {
    fn succeeded(self) -> bool {
        matches!(self, Outcome::SignedIn | Outcome::Confirmed)
    }

    fn action(self) -> Option<&'static str> {
        match self {
            Outcome::SignedIn => Some("sign_in"),
            Outcome::Confirmed => None,
            Outcome::SignInFailed | Outcome::CodeFailed => Some("sign_in_failed"),
            Outcome::PasswordCheckFailed => Some("change_password_failed"),
            Outcome::SecondFactorCheckFailed => Some("second_factor_check_failed"),
        }
    }
}

/// Marks a right attempt as succeeded (it no longer counts) and logs the
/// outcome, in the caller's transaction. The login is logged only when it
/// belongs to an account: a password typed in the login field by mistake
/// must not end up in the log.
pub async fn settle(
    conn: &mut PgConnection,
    attempt: &Counted,
    account_id: Option<i64>,
    address: &str,
    outcome: Outcome,
) -> sqlx::Result<()> {
    if outcome.succeeded() {
        sqlx::query("UPDATE login_attempt SET succeeded = true WHERE id = $1")
            .bind(attempt.id)
            .execute(&mut *conn)
            .await?;
    } else {
        tracing::info!(account = ?account_id, %address, ?outcome, "failed attempt");
    }
    let Some(action) = outcome.action() else {
        return Ok(());
    };
    let after = if outcome == Outcome::CodeFailed {
        json!({ "address": address, "step": "code" })
    } else {
        json!({ "address": address })
    };
    audit::Entry::of(action, "session", account_id.map(|i| i.to_string()))
        .after(after)
        .write(conn, account_id)
        .await
}

/// [`settle`] in a transaction of its own: a wrong attempt is committed,
/// so it counts.
pub async fn settle_now(
    db: &PgPool,
    attempt: &Counted,
    account_id: Option<i64>,
    address: &str,
    outcome: Outcome,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    settle(&mut tx, attempt, account_id, address, outcome).await?;
    tx.commit().await
}

/// What a checked password came to.
#[derive(Debug)]
pub enum Checked {
    /// Right: the caller settles it, in the transaction of what follows.
    Right(Counted),
    /// Wrong: settled (and logged) as such, and committed.
    Wrong,
    Throttled(Limit),
}

/// A password typed to prove who one is, counted before it is checked
/// ([`claim`]) against the hash that `stored` reads. A wrong one is
/// settled here as `failed` for `account_id`.
pub async fn check_password(
    db: &PgPool,
    who: &Attempter<'_>,
    typed: &str,
    stored: impl Future<Output = sqlx::Result<Option<String>>>,
    account_id: Option<i64>,
    failed: Outcome,
) -> Result<Checked> {
    let attempt = match claim(db, who).await? {
        Claim::Counted(attempt) => attempt,
        Claim::Throttled(limit) => return Ok(Checked::Throttled(limit)),
    };
    let stored = stored.await?;
    let typed = typed.chars().take(password::MAX_LENGTH * 4).collect();
    if password::verify(typed, stored).await? {
        return Ok(Checked::Right(attempt));
    }
    settle_now(db, &attempt, account_id, who.address, failed).await?;
    Ok(Checked::Wrong)
}

// --- device cookies ---

/// The device cookie the browser sent, if any (not yet checked).
#[derive(Debug, Clone, Default)]
pub struct DeviceCookie(Option<String>);

impl DeviceCookie {
    fn hash(&self) -> Option<Vec<u8>> {
        self.0.as_deref().map(secret::hash)
    }
}

pub fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_DEVICE_COOKIE
    } else {
        DEVICE_COOKIE
    }
}

impl FromRequestParts<AppState> for DeviceCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let name = device_cookie_name(state.config.secure_cookies);
        let token = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
            // Ours are 43 characters of base64url; anything else is not ours.
            .filter(|v| {
                v.len() == 43
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        Ok(DeviceCookie(token))
    }
}

/// The known browser behind the cookie, when it signed in to this login
/// within the device lifetime.
async fn known_device(
    db: impl PgExecutor<'_>,
    cookie: &DeviceCookie,
    login: &str,
) -> sqlx::Result<Option<i64>> {
    let Some(hash) = cookie.hash() else {
        return Ok(None);
    };
    sqlx::query_scalar(
        "SELECT d.id FROM known_device d JOIN account a ON a.id = d.account_id
         WHERE d.token_hash = $1 AND a.email = $2
           AND d.last_used_at > now() - make_interval(days => $3)",
    )
    .bind(hash)
    .bind(login)
    .bind(DEVICE_LIFETIME_DAYS)
    .fetch_optional(db)
    .await
}

/// After a complete sign-in: the browser is known to the account from now
/// on. Its cookie is kept when it already was (for this account), else a
/// new one is made (replacing a cookie for another account: one a
/// browser). Returns the token for [`with_device_cookie`].
pub async fn remember_device(
    conn: &mut PgConnection,
    account_id: i64,
    cookie: &DeviceCookie,
) -> sqlx::Result<String> {
    if let (Some(token), Some(hash)) = (&cookie.0, cookie.hash()) {
        let kept = sqlx::query(
            "UPDATE known_device SET last_used_at = now()
             WHERE token_hash = $1 AND account_id = $2
               AND last_used_at > now() - make_interval(days => $3)",
        )
        .bind(hash)
        .bind(account_id)
        .bind(DEVICE_LIFETIME_DAYS)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if kept == 1 {
            return Ok(token.clone());
        }
    }
    let token = secret::new_token();
    sqlx::query(
        "DELETE FROM known_device
         WHERE account_id = $1 AND last_used_at <= now() - make_interval(days => $2)",
    )
    .bind(account_id)
    .bind(DEVICE_LIFETIME_DAYS)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO known_device (account_id, token_hash) VALUES ($1, $2)")
        .bind(account_id)
        .bind(secret::hash(&token))
        .execute(&mut *conn)
        .await?;
    audit::Entry::new("remember_device", "account", account_id)
        .write(conn, account_id)
        .await?;
    Ok(token)
}

/// Sets (or renews) the device cookie on a response: HttpOnly,
/// SameSite=Lax, Secure with the `__Host-` prefix over https.
pub fn with_device_cookie(mut response: Response, token: &str, secure: bool) -> Response {
    let cookie = Cookie::build((device_cookie_name(secure), token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(i64::from(DEVICE_LIFETIME_DAYS)))
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(login_here: i64, here: i64, account: i64, device: i64, codes: i64) -> Failures {
        Failures {
            login_here,
            here,
            account,
            device,
            codes,
        }
    }

    #[test]
    fn a_known_device_is_judged_by_its_own_failures_only() {
        let many = failures(5, 20, 10, 0, 0);
        assert_eq!(many.limit(false), Some(Limit::LoginHere));
        assert_eq!(many.limit(true), None);
        assert_eq!(failures(0, 0, 0, 5, 0).limit(true), Some(Limit::Device));
        assert_eq!(failures(0, 0, 10, 0, 0).limit(false), Some(Limit::Account));
        assert_eq!(failures(0, 0, 0, 0, 5).limit(true), Some(Limit::Codes));
        assert_eq!(failures(4, 19, 9, 4, 4).limit(false), None);
    }
}
