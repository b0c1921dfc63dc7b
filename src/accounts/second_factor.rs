//! The second factor: setting up TOTP with a QR code and recovery codes,
//! the code step of signing in, and an administrator's reset.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::prover::Prover;
use super::queries;
use super::throttle::{self, Checked, Claim, Counted, Limit, Outcome};
use crate::audit;
use crate::auth::{self, CurrentUser, session_error, totp};
use crate::base::error::{AppError, Result};
use crate::base::{Actor, AppState, Id, no_store, write};
use crate::base::{PageCtx, dutch, page};

const PENDING_KEY: &str = "second_factor_pending";
const SETUP_KEY: &str = "second_factor_setup";
/// Between password and code, at most this long.
const PENDING_SECONDS: i64 = 300;

// --- queries ---

#[derive(Debug, sqlx::FromRow)]
struct Enrolment {
    secret: Vec<u8>,
    last_step: i64,
    enabled_at: OffsetDateTime,
}

async fn enrolment(db: impl PgExecutor<'_>, account: i64) -> sqlx::Result<Option<Enrolment>> {
    const SQL: &str =
        "SELECT secret, last_step, enabled_at FROM account_totp WHERE account_id = $1";
    sqlx::query_as(SQL).bind(account).fetch_optional(db).await
}

pub async fn is_enabled(db: impl PgExecutor<'_>, account: i64) -> sqlx::Result<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM account_totp WHERE account_id = $1)";
    sqlx::query_scalar(SQL).bind(account).fetch_one(db).await
}

async fn unused_recovery_codes(db: impl PgExecutor<'_>, account: i64) -> sqlx::Result<i64> {
    const SQL: &str =
        "SELECT count(*) FROM recovery_code WHERE account_id = $1 AND used_at IS NULL";
    sqlx::query_scalar(SQL).bind(account).fetch_one(db).await
}

async fn replace_recovery_codes(
    conn: &mut PgConnection,
    account: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query("DELETE FROM recovery_code WHERE account_id = $1")
        .bind(account)
        .execute(&mut *conn)
        .await?;
    let codes = totp::new_recovery_codes();
    for code in &codes {
        sqlx::query("INSERT INTO recovery_code (account_id, code_hash) VALUES ($1, $2)")
            .bind(account)
            .bind(totp::hash_recovery_code(code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

/// Accepts a TOTP code (each time step once) or an unused recovery code.
async fn accept_code(
    conn: &mut PgConnection,
    account: i64,
    code: &str,
    now: u64,
) -> sqlx::Result<Option<&'static str>> {
    let Some(e) = enrolment(&mut *conn, account).await? else {
        return Ok(None);
    };
    if let Some(step) = totp::verify(&e.secret, code, now, e.last_step) {
        // The condition makes a concurrent second use of the same code fail.
        let rows = sqlx::query(
            "UPDATE account_totp SET last_step = $2 WHERE account_id = $1 AND last_step < $2",
        )
        .bind(account)
        .bind(step)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        return Ok((rows == 1).then_some("totp"));
    }
    let rows = sqlx::query(
        "UPDATE recovery_code SET used_at = now()
         WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(account)
    .bind(totp::hash_recovery_code(code))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((rows == 1).then_some("recovery_code"))
}

async fn enrol(
    conn: &mut PgConnection,
    account: i64,
    secret: &[u8],
    step: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_totp (account_id, secret, last_step) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account)
    .bind(secret)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the second factor; the account's sessions end (one's own goes
/// on with the stamp returned).
pub async fn reset(conn: &mut PgConnection, actor: i64, account: i64) -> sqlx::Result<Uuid> {
    for table in ["account_totp", "recovery_code"] {
        let sql = format!("DELETE FROM {table} WHERE account_id = $1");
        sqlx::query(&sql).bind(account).execute(&mut *conn).await?;
    }
    let stamp = queries::new_stamp(&mut *conn, account).await?;
    queries::account_event(conn, Some(actor), "reset_second_factor", account).await?;
    Ok(stamp)
}

/// Turns the second factor on with a confirmed secret: new recovery codes,
/// and every session of the account ends (the caller's goes on with the
/// stamp returned).
async fn turn_on(
    conn: &mut PgConnection,
    account: i64,
    secret: &[u8],
    step: i64,
) -> sqlx::Result<(Vec<String>, Uuid)> {
    enrol(&mut *conn, account, secret, step).await?;
    let codes = replace_recovery_codes(&mut *conn, account).await?;
    let stamp = own_change(conn, account, "enable_second_factor").await?;
    Ok((codes, stamp))
}

/// New recovery codes; every session of the account ends (the caller's
/// goes on with the stamp returned).
async fn renew_recovery_codes(
    conn: &mut PgConnection,
    account: i64,
) -> sqlx::Result<(Vec<String>, Uuid)> {
    let codes = replace_recovery_codes(&mut *conn, account).await?;
    let stamp = own_change(conn, account, "new_recovery_codes").await?;
    Ok((codes, stamp))
}

/// Logs a change the account made to its own second factor and ends its
/// sessions: the new stamp.
async fn own_change(conn: &mut PgConnection, account: i64, action: &str) -> sqlx::Result<Uuid> {
    queries::account_event(&mut *conn, Some(account), action, account).await?;
    queries::new_stamp(conn, account).await
}

// --- the code step of signing in ---

/// Password accepted, code still to come.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    /// This password step: wrong codes are counted per step. (A session
    /// from before the field existed gets one.)
    #[serde(default = "Uuid::new_v4")]
    id: Uuid,
    account_id: i64,
    email: String,
    security_stamp: Uuid,
    since: i64,
    return_to: String,
}

/// Called by the sign-in form once the password is right.
pub async fn begin(
    session: &Session,
    account_id: i64,
    email: &str,
    stamp: Uuid,
    return_to: &str,
) -> Result<Response> {
    session.cycle_id().await.map_err(session_error)?;
    let pending = Pending {
        id: Uuid::new_v4(),
        account_id,
        email: email.to_string(),
        security_stamp: stamp,
        since: OffsetDateTime::now_utc().unix_timestamp(),
        return_to: return_to.to_string(),
    };
    session
        .insert(PENDING_KEY, pending)
        .await
        .map_err(session_error)?;
    Ok(Redirect::to("/aanmelden/code").into_response())
}

/// Removes what the session keeps under `key` (a `T`).
async fn forget<T: DeserializeOwned>(session: &Session, key: &str) -> Result<()> {
    session.remove::<T>(key).await.map_err(session_error)?;
    Ok(())
}

async fn pending(session: &Session) -> Result<Option<Pending>> {
    let p: Option<Pending> = session.get(PENDING_KEY).await.map_err(session_error)?;
    Ok(p.filter(|p| OffsetDateTime::now_utc().unix_timestamp() - p.since <= PENDING_SECONDS))
}

#[derive(Template)]
#[template(path = "accounts/code.html")]
struct CodePage {
    ctx: PageCtx,
    csrf: String,
    error: Option<String>,
    /// No password step in this session (or it is too old).
    expired: bool,
}

pub async fn code_form(ctx: PageCtx, session: Session) -> Result<Response> {
    let expired = pending(&session).await?.is_none();
    let csrf = auth::csrf::token(&session).await?;
    Ok(no_store(page::render(&CodePage {
        ctx,
        csrf,
        error: None,
        expired,
    })))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn code(prover: Prover, Form(form): Form<CodeForm>) -> Result<Response> {
    let page = async |status: StatusCode, error: Option<&str>, expired: bool| -> Result<Response> {
        let page = CodePage {
            ctx: prover.ctx.clone(),
            csrf: prover.csrf().await?,
            error: error.map(str::to_string),
            expired,
        };
        Ok(no_store((status, page::render(&page)).into_response()))
    };
    let Some(p) = pending(&prover.session).await? else {
        return page(StatusCode::BAD_REQUEST, None, true).await;
    };
    // The password step is over after too many wrong codes: from here on,
    // only the password again.
    let start_over = async || -> Result<Response> {
        forget::<Pending>(&prover.session, PENDING_KEY).await?;
        tracing::warn!(
            account = p.account_id,
            "too many wrong codes: password step dropped"
        );
        page(StatusCode::UNAUTHORIZED, Some(Limit::Codes.message()), true).await
    };
    // Codes are throttled like passwords, on the same counters, and
    // counted before they are checked.
    let who = prover.attempter(&p.email, Some(p.id));
    let attempt = match throttle::claim(&prover.state.db, &who).await? {
        Claim::Counted(attempt) => attempt,
        Claim::Throttled(Limit::Codes) => return start_over().await,
        Claim::Throttled(limit) => {
            return page(StatusCode::TOO_MANY_REQUESTS, Some(limit.message()), false).await;
        }
    };
    let code: String = form.code.chars().take(64).collect();
    let mut tx = prover.state.db.begin().await?;
    let Some(kind) = accept_code(&mut tx, p.account_id, &code, totp::now()).await? else {
        prover
            .settle(&mut tx, &attempt, p.account_id, Outcome::CodeFailed)
            .await?;
        tx.commit().await?;
        if attempt.earlier_wrong_codes + 1 >= throttle::MAX_WRONG_CODES {
            return start_over().await;
        }
        return page(
            StatusCode::UNAUTHORIZED,
            Some(
                "Deze code klopt niet, is verlopen of werd al gebruikt. Gebruik de code die uw app nu toont, of een herstelcode.",
            ),
            false,
        )
        .await;
    };
    let device_token = throttle::remember_device(&mut tx, p.account_id, &prover.device).await?;
    prover
        .settle(&mut tx, &attempt, p.account_id, Outcome::Confirmed)
        .await?;
    audit::Entry::new("sign_in_second_factor", "session", p.account_id)
        .after(json!({ "with": kind }))
        .write(&mut tx, p.account_id)
        .await?;
    tx.commit().await?;
    forget::<Pending>(&prover.session, PENDING_KEY).await?;
    prover
        .signed_in(p.account_id, p.security_stamp, &p.return_to, &device_token)
        .await
}

// --- setting it up, on one's own account ---

#[derive(Template)]
#[template(path = "accounts/second_factor.html")]
struct SetupPage {
    ctx: PageCtx,
    enabled: Option<String>,
    required: bool,
    qr: Option<String>,
    secret: Option<String>,
    recovery_codes: Vec<String>,
    unused_codes: i64,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// The secret being set up lives in the session until a code confirms it.
async fn setup_secret(session: &Session) -> Result<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    if let Some(s) = session
        .get::<String>(SETUP_KEY)
        .await
        .map_err(session_error)?
        && let Ok(bytes) = engine.decode(s)
        && bytes.len() >= 20
    {
        return Ok(bytes);
    }
    let secret = totp::new_secret();
    session
        .insert(SETUP_KEY, engine.encode(&secret))
        .await
        .map_err(session_error)?;
    Ok(secret)
}

async fn setup_page(
    state: &AppState,
    ctx: PageCtx,
    session: &Session,
    error: Option<String>,
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
) -> Result<SetupPage> {
    let u = ctx.user.clone().ok_or(AppError::Forbidden)?;
    let required = state.config.require_second_factor.contains(u.role);
    let enrolled = enrolment(&state.db, u.id).await?;
    let (qr, secret) = match &enrolled {
        Some(_) => (None, None),
        None => {
            let s = setup_secret(session).await?;
            (
                Some(totp::qr_data_url(&s, &u.email)?),
                Some(totp::base32(&s)),
            )
        }
    };
    Ok(SetupPage {
        enabled: enrolled.map(|e| dutch::nl_date(dutch::brussels(e.enabled_at).date())),
        unused_codes: unused_recovery_codes(&state.db, u.id).await?,
        ctx,
        required,
        qr,
        secret,
        recovery_codes,
        error,
        notice,
    })
}

/// Why a confirmation was refused: the status and the message.
type Refusal = (StatusCode, &'static str);

/// The set-up page again, with a message (a 422 unless said otherwise).
async fn refused(prover: Prover, message: &str) -> Result<Response> {
    refused_with(prover, (StatusCode::UNPROCESSABLE_ENTITY, message)).await
}

async fn refused_with(prover: Prover, (status, message): (StatusCode, &str)) -> Result<Response> {
    let (state, session, error) = (&prover.state, &prover.session, Some(message.to_string()));
    let page = setup_page(state, prover.ctx, session, error, Vec::new(), None).await?;
    Ok((status, page::render(&page)).into_response())
}

/// What the forms of this page send: the current password, and a code.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    current: String,
}

const WRONG_PASSWORD: &str = "Uw huidige wachtwoord klopt niet.";
const WRONG_CODE: &str = "Deze code klopt niet of werd al gebruikt.";

/// Checks the signed-in user's current password, counted and throttled
/// like a sign-in. A wrong one is settled (and logged) here; a right one
/// is returned for the caller to settle with the code check, in the
/// transaction of what follows.
async fn confirm_password(
    prover: &Prover,
    user: &CurrentUser,
    current: &str,
) -> Result<std::result::Result<Counted, Refusal>> {
    let failed = Outcome::SecondFactorCheckFailed;
    Ok(
        match prover.check_current_password(user, current, failed).await? {
            Checked::Right(attempt) => Ok(attempt),
            Checked::Wrong => Err((StatusCode::UNPROCESSABLE_ENTITY, WRONG_PASSWORD)),
            Checked::Throttled(limit) => Err((StatusCode::TOO_MANY_REQUESTS, limit.message())),
        },
    )
}

pub async fn setup_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
) -> Result<Response> {
    let page = setup_page(&state, ctx, &session, None, Vec::new(), None).await?;
    Ok(page::render(&page))
}

/// Confirms the set-up with the current password and a code from the app;
/// shows the recovery codes once. The account's other sessions end.
pub async fn enable(
    Actor(u): Actor,
    prover: Prover,
    Form(form): Form<ConfirmForm>,
) -> Result<Response> {
    if is_enabled(&prover.state.db, u.id).await? {
        return Ok(Redirect::to(auth::SECOND_FACTOR_SETUP).into_response());
    }
    let attempt = match confirm_password(&prover, &u, &form.current).await? {
        Ok(attempt) => attempt,
        Err(refusal) => return refused_with(prover, refusal).await,
    };
    let secret = setup_secret(&prover.session).await?;
    let mut tx = prover.state.db.begin().await?;
    // The password was right: the attempt does not count, whatever the
    // code (a code for a secret shown on this very page guesses nothing).
    prover
        .settle(&mut tx, &attempt, u.id, Outcome::Confirmed)
        .await?;
    let Some(step) = totp::verify(&secret, &form.code, totp::now(), 0) else {
        tx.commit().await?;
        return refused(
            prover,
            "Deze code klopt niet. Scan de QR-code opnieuw en typ de code die uw app nu toont.",
        )
        .await;
    };
    let (codes, stamp) = turn_on(&mut tx, u.id, &secret, step).await?;
    tx.commit().await?;
    forget::<String>(&prover.session, SETUP_KEY).await?;
    let notice = "Tweestapsverificatie staat aan. Andere sessies met dit account zijn afgemeld.";
    show_new_codes(prover, u.id, stamp, codes, notice).await
}

/// After a change that made new recovery codes and ended every session:
/// this one goes on, renewed, and the page shows the codes once.
async fn show_new_codes(
    prover: Prover,
    account: i64,
    stamp: Uuid,
    codes: Vec<String>,
    notice: &'static str,
) -> Result<Response> {
    let (state, session, mut ctx) = (&prover.state, &prover.session, prover.ctx);
    auth::start_session(session, account, stamp).await?;
    if let Some(me) = ctx.user.as_mut() {
        me.second_factor = true;
        // The session's CSRF token changed with the new session.
        me.csrf_token = auth::csrf::token(session).await?;
    }
    let page = setup_page(state, ctx, session, None, codes, Some(notice)).await?;
    Ok(page::render(&page))
}

/// Checks the current password, then a code of the second factor, for a
/// change to it. Both are counted and throttled like a sign-in; a wrong
/// code is logged and counted like one at sign-in, and committed so.
/// Right: the open transaction (the attempt settled in it) for the change.
async fn confirmed(
    prover: &Prover,
    user: &CurrentUser,
    form: &ConfirmForm,
) -> Result<std::result::Result<sqlx::Transaction<'static, sqlx::Postgres>, Refusal>> {
    let attempt = match confirm_password(prover, user, &form.current).await? {
        Ok(attempt) => attempt,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut tx = prover.state.db.begin().await?;
    let code: String = form.code.chars().take(64).collect();
    let right = accept_code(&mut tx, user.id, &code, totp::now())
        .await?
        .is_some();
    let outcome = if right {
        Outcome::Confirmed
    } else {
        Outcome::SecondFactorCheckFailed
    };
    prover.settle(&mut tx, &attempt, user.id, outcome).await?;
    if !right {
        // The failure is logged and counted: kept.
        tx.commit().await?;
        return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, WRONG_CODE)));
    }
    Ok(Ok(tx))
}

/// New recovery codes, after the current password and a valid code. The
/// account's other sessions end.
pub async fn new_recovery_codes(
    Actor(u): Actor,
    prover: Prover,
    Form(form): Form<ConfirmForm>,
) -> Result<Response> {
    let mut tx = match confirmed(&prover, &u, &form).await? {
        Ok(tx) => tx,
        Err(refusal) => return refused_with(prover, refusal).await,
    };
    let (codes, stamp) = renew_recovery_codes(&mut tx, u.id).await?;
    tx.commit().await?;
    let notice = "Er zijn nieuwe herstelcodes; de vorige werken niet meer. Andere sessies met dit account zijn afgemeld.";
    show_new_codes(prover, u.id, stamp, codes, notice).await
}

/// Turns the second factor off, where the role does not require it, after
/// the current password and a valid code. The account's other sessions end.
pub async fn disable(
    Actor(u): Actor,
    prover: Prover,
    Form(form): Form<ConfirmForm>,
) -> Result<Response> {
    if prover.state.config.require_second_factor.contains(u.role) {
        return refused(prover, "Voor uw rol is tweestapsverificatie verplicht.").await;
    }
    let mut tx = match confirmed(&prover, &u, &form).await? {
        Ok(tx) => tx,
        Err(refusal) => return refused_with(prover, refusal).await,
    };
    let stamp = reset(&mut tx, u.id, u.id).await?;
    tx.commit().await?;
    // This session continues; the others end with the old stamp.
    super::go_on(&prover.session, u.id, stamp, "/account?tweestaps=uit").await
}

/// An administrator removes someone's second factor (a lost phone): they
/// set it up again at their next sign-in.
pub async fn admin_reset(
    Actor(actor): Actor,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    write::commit(&state.db, async |tx| reset(tx, actor.id, id).await).await?;
    Ok(super::admin::redirect(id, "tweestaps"))
}
