//! Accounts, one-time links and the audit log (sign-in attempts: see
//! `throttle.rs`).

use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit;
use crate::auth::{CurrentUser, Role, password};
use crate::base::error::{AppError, Result};
use crate::base::write::{Constraint, Outcome, on_constraint};
use crate::base::{Version, secret};

/// A query for [`AccountRow`]s, disabled ones too, followed by the given
/// conditions and order (a string literal).
macro_rules! select_account_row {
    ($rest:literal) => {
        crate::auth::select_account!(
            ", a.person_id, a.password_hash IS NOT NULL AS has_password, a.disabled_at,
               a.created_at, a.version",
            $rest
        )
    };
}

/// A one-time link is valid this long.
pub const TOKEN_LIFETIME: time::Duration = time::Duration::days(7);

#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    pub security_stamp: Uuid,
    pub disabled: bool,
}

pub async fn credentials(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as(
        "SELECT id, password_hash, security_stamp, disabled_at IS NOT NULL AS disabled
         FROM account WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db)
    .await
}

/// An account as the administrator sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    /// Who it is and acts for, as a session of it would see it.
    #[sqlx(flatten)]
    pub user: CurrentUser,
    pub person_id: Option<i64>,
    pub has_password: bool,
    pub disabled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub version: i32,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(select_account_row!(
        "ORDER BY a.disabled_at IS NOT NULL, a.display_name"
    ))
    .fetch_all(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(select_account_row!("WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Choices for the account form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub async fn social_partner_organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, name FROM organisation WHERE kind IN ('employers', 'trade_union') ORDER BY name",
    )
    .fetch_all(db)
    .await
}

pub async fn organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM organisation ORDER BY name")
        .fetch_all(db)
        .await
}

/// The Flemish Government, which cabinet accounts act within.
pub async fn government_id(db: impl PgExecutor<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM organisation WHERE kind = 'government' ORDER BY id LIMIT 1")
        .fetch_optional(db)
        .await
}

/// Everyone who holds or held a minister's competences.
pub async fn ministers(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT p.id, p.given_name || ' ' || p.family_name AS name FROM person p
         WHERE EXISTS (SELECT 1 FROM minister_competence mc WHERE mc.person_id = p.id)
         ORDER BY p.family_name, p.given_name",
    )
    .fetch_all(db)
    .await
}

pub async fn people(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, given_name || ' ' || family_name AS name FROM person
         ORDER BY family_name, given_name",
    )
    .fetch_all(db)
    .await
}

/// What an admin may set on an account.
#[derive(Debug, Clone)]
pub struct AccountFields {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub minister_id: Option<i64>,
    pub person_id: Option<i64>,
}

fn snapshot(a: &AccountRow) -> serde_json::Value {
    json!({
        "email": a.user.email,
        "display_name": a.user.display_name,
        "role": a.user.role,
        "organisation_id": a.user.organisation_id,
        "minister_id": a.user.minister_id,
        "person_id": a.person_id,
        "disabled": a.disabled_at.is_some(),
    })
}

fn fields_json(f: &AccountFields) -> serde_json::Value {
    json!({
        "email": f.email,
        "display_name": f.display_name,
        "role": f.role,
        "organisation_id": f.organisation_id,
        "minister_id": f.minister_id,
        "person_id": f.person_id,
    })
}

pub async fn create(
    conn: &mut PgConnection,
    actor: Option<i64>,
    f: &AccountFields,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO account (email, display_name, role, organisation_id, minister_id, person_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&f.email)
    .bind(&f.display_name)
    .bind(f.role)
    .bind(f.organisation_id)
    .bind(f.minister_id)
    .bind(f.person_id)
    .fetch_one(&mut *conn)
    .await?;
    audit::Entry::new("create", "account", id)
        .after(fields_json(f))
        .write(conn, actor)
        .await?;
    Ok(id)
}

/// The e-mail address is the login: one account each.
const EMAIL_TAKEN: Constraint = Constraint {
    name: "account_email_key",
    field: "email",
    message: "Er bestaat al een account met dit e-mailadres.",
};

/// A new account, with the one-time link its user sets a password with.
pub async fn create_with_link(
    conn: &mut PgConnection,
    actor: i64,
    f: &AccountFields,
) -> Result<Outcome<(i64, String)>> {
    let id = match on_constraint(create(&mut *conn, Some(actor), f).await, &[EMAIL_TAKEN])? {
        Outcome::Done(id) => id,
        Outcome::Stale => return Ok(Outcome::Stale),
        Outcome::Refused(errors) => return Ok(Outcome::Refused(errors)),
    };
    let token = issue_token(conn, Some(actor), id).await?;
    Ok(Outcome::Done((id, token)))
}

/// Changes an account as it was when the form was loaded (`seen`). A new
/// role or organisation ends the account's sessions; no administrator
/// takes their own role away.
pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    id: i64,
    seen: Version,
    f: &AccountFields,
) -> Result<Outcome> {
    if actor == id && f.role != Role::Admin {
        return Ok(Outcome::refused(
            "role",
            "U kunt uw eigen beheerdersrol niet afnemen: laat dat een andere beheerder doen.",
        ));
    }
    let before = get(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
    if before.version != seen.0 {
        return Ok(Outcome::Stale);
    }
    let written = sqlx::query(
        "UPDATE account SET email = $3, display_name = $4, role = $5, organisation_id = $6,
                minister_id = $7, person_id = $8, version = version + 1, modified_at = now(),
                security_stamp = CASE WHEN role <> $5 OR organisation_id IS DISTINCT FROM $6
                                        OR minister_id IS DISTINCT FROM $7
                                      THEN gen_random_uuid() ELSE security_stamp END
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(seen.0)
    .bind(&f.email)
    .bind(&f.display_name)
    .bind(f.role)
    .bind(f.organisation_id)
    .bind(f.minister_id)
    .bind(f.person_id)
    .execute(&mut *conn)
    .await;
    match on_constraint(written, &[EMAIL_TAKEN])? {
        Outcome::Done(r) if r.rows_affected() > 0 => {}
        Outcome::Refused(errors) => return Ok(Outcome::Refused(errors)),
        _ => return Ok(Outcome::Stale),
    }
    audit::Entry::new("update", "account", id)
        .before(snapshot(&before))
        .after(fields_json(f))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Disables or enables an account (one already so stays as it is).
/// Disabling changes the security stamp: the account's sessions end at
/// once. No administrator disables their own account.
pub async fn set_disabled(
    conn: &mut PgConnection,
    actor: i64,
    id: i64,
    disabled: bool,
) -> Result<Outcome> {
    if actor == id && disabled {
        return Ok(Outcome::refused(
            "form",
            "U kunt uw eigen account niet uitschakelen.",
        ));
    }
    get(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
    let rows = sqlx::query(
        "UPDATE account SET disabled_at = CASE WHEN $2 THEN now() ELSE NULL END,
                security_stamp = gen_random_uuid(), version = version + 1, modified_at = now()
         WHERE id = $1 AND (disabled_at IS NOT NULL) <> $2",
    )
    .bind(id)
    .bind(disabled)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows > 0 {
        audit::Entry::new(if disabled { "disable" } else { "enable" }, "account", id)
            .before(json!({ "disabled": !disabled }))
            .after(json!({ "disabled": disabled }))
            .write(conn, actor)
            .await?;
    }
    Ok(Outcome::Done(()))
}

/// A new one-time link for an active account; earlier links stop working.
/// A new link usually means a lost or leaked password: the account's
/// secret calendar link stops working too (the `bool` says whether there
/// was one).
pub async fn new_password_link(
    conn: &mut PgConnection,
    actor: i64,
    account: &AccountRow,
) -> Result<Outcome<(String, bool)>> {
    if account.disabled_at.is_some() {
        return Ok(Outcome::refused(
            "form",
            "Dit account is uitgeschakeld. Schakel het eerst opnieuw in.",
        ));
    }
    let id = account.user.id;
    let token = issue_token(&mut *conn, Some(actor), id).await?;
    let calendar_revoked = super::calendar::revoke_calendar_token(conn, id).await?;
    Ok(Outcome::Done((token, calendar_revoked)))
}

/// Issues a one-time link token; earlier unused links of the account stop
/// working. Only the hash is stored.
pub async fn issue_token(
    conn: &mut PgConnection,
    actor: Option<i64>,
    account_id: i64,
) -> sqlx::Result<String> {
    let token = secret::new_token();
    sqlx::query(
        "UPDATE one_time_token SET used_at = now()
         WHERE account_id = $1 AND purpose = 'set_password' AND used_at IS NULL",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO one_time_token (account_id, purpose, token_hash, created_by, expires_at)
         VALUES ($1, 'set_password', $2, $3, now() + make_interval(days => $4))",
    )
    .bind(account_id)
    .bind(secret::hash(&token))
    .bind(actor)
    .bind(i32::try_from(TOKEN_LIFETIME.whole_days()).unwrap_or(7))
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("issue_password_link", "account", account_id)
        .after(json!({ "valid_days": TOKEN_LIFETIME.whole_days() }))
        .write(conn, actor)
        .await?;
    Ok(token)
}

#[derive(Debug, sqlx::FromRow)]
pub struct TokenAccount {
    pub token_id: i64,
    pub account_id: i64,
    pub email: String,
    pub display_name: String,
}

/// The account a still valid, unused link belongs to.
pub async fn token_account(
    db: impl PgExecutor<'_>,
    token: &str,
) -> sqlx::Result<Option<TokenAccount>> {
    sqlx::query_as(
        "SELECT t.id AS token_id, a.id AS account_id, a.email, a.display_name
         FROM one_time_token t JOIN account a ON a.id = t.account_id
         WHERE t.token_hash = $1 AND t.purpose = 'set_password'
           AND t.used_at IS NULL AND t.expires_at > now() AND a.disabled_at IS NULL",
    )
    .bind(secret::hash(token))
    .fetch_optional(db)
    .await
}

/// Uses the link once to set the password (`hash`): stale when someone
/// used it in between.
pub async fn set_password_by_link(
    conn: &mut PgConnection,
    link: &TokenAccount,
    hash: &str,
) -> Result<Outcome> {
    let used = sqlx::query(
        "UPDATE one_time_token SET used_at = now()
         WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
    )
    .bind(link.token_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if used == 0 {
        return Ok(Outcome::Stale);
    }
    let account = link.account_id;
    set_password(conn, Some(account), account, hash, "set_password_by_link").await?;
    Ok(Outcome::Done(()))
}

/// Logs that the account signed out (the session itself is the caller's).
pub async fn sign_out(conn: &mut PgConnection, account: i64) -> sqlx::Result<()> {
    session_event(conn, account, "sign_out").await
}

/// Ends every session of the account; the caller's goes on with the stamp
/// returned.
pub async fn end_other_sessions(conn: &mut PgConnection, account: i64) -> sqlx::Result<Uuid> {
    let stamp = new_stamp(conn, account).await?;
    session_event(conn, account, "sign_out_everywhere").await?;
    Ok(stamp)
}

async fn session_event(conn: &mut PgConnection, account: i64, action: &str) -> sqlx::Result<()> {
    audit::Entry::new(action, "session", account)
        .write(conn, account)
        .await
}

/// Stores a new hash and ends every session of the account (one's own
/// goes on with the stamp returned).
pub async fn set_password(
    conn: &mut PgConnection,
    actor: Option<i64>,
    account_id: i64,
    hash: &str,
    action: &str,
) -> sqlx::Result<Uuid> {
    let stamp = sqlx::query_scalar(
        "UPDATE account SET password_hash = $2, security_stamp = gen_random_uuid(),
                modified_at = now()
         WHERE id = $1 RETURNING security_stamp",
    )
    .bind(account_id)
    .bind(hash)
    .fetch_one(&mut *conn)
    .await?;
    // The hash itself never reaches the log.
    account_event(conn, actor, action, account_id).await?;
    Ok(stamp)
}

/// Logs what was done to an account that leaves nothing to show (the hash
/// of a password, a secret) in the log.
pub(super) async fn account_event(
    conn: &mut PgConnection,
    actor: Option<i64>,
    action: &str,
    account: i64,
) -> sqlx::Result<()> {
    audit::Entry::new(action, "account", account)
        .write(conn, actor)
        .await
}

pub async fn password_hash(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT password_hash FROM account WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
}

/// A new security stamp: every session of the account ends (the caller
/// starts its own again with the stamp returned).
pub async fn new_stamp(conn: &mut PgConnection, id: i64) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "UPDATE account SET security_stamp = gen_random_uuid(), modified_at = now()
         WHERE id = $1 RETURNING security_stamp",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Creates an administrator from the command line.
pub async fn create_admin(
    pool: &PgPool,
    email: &str,
    name: &str,
    password: String,
) -> Result<i64, String> {
    let email = normalise_email(email).ok_or("Dat is geen geldig e-mailadres.")?;
    let name = name.trim();
    if name.is_empty() {
        return Err("Geef een naam op.".into());
    }
    if let Some(why) = password::weakness(&password, &email) {
        return Err(why.into());
    }
    let hash = password::hash(password).await.map_err(|e| e.to_string())?;
    let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
    let fields = AccountFields {
        email: email.clone(),
        display_name: name.to_string(),
        role: Role::Admin,
        organisation_id: None,
        minister_id: None,
        person_id: None,
    };
    let created = create(&mut tx, None, &fields).await;
    let Outcome::Done(id) = on_constraint(created, &[EMAIL_TAKEN]).map_err(|e| e.to_string())?
    else {
        return Err(format!("Er bestaat al een account voor {email}."));
    };
    set_password(&mut tx, None, id, &hash, "set_password")
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(id)
}

/// Lower-cased and trimmed, or `None` when it cannot be an e-mail address.
pub fn normalise_email(s: &str) -> Option<String> {
    let e = s.trim().to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@');
    ok.then_some(e)
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub account: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// The data are content an administrator may not read (docs/access.md):
    /// `before` and `after` are left out.
    pub withheld: bool,
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub account: Option<String>,
    pub from: Option<time::Date>,
    pub until: Option<time::Date>,
    pub before_id: Option<i64>,
}

pub const AUDIT_PAGE: i64 = 50;

/// Newest first, `AUDIT_PAGE` at a time (keyset pagination on id).
pub async fn audit_entries(
    db: impl PgExecutor<'_>,
    f: &AuditFilter,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as(
        // The log is read by administrators, who do not read the content of
        // agenda items, documents and meetings (minutes, place, invitations,
        // attendance): of those, who did what, when, to which record, only.
        "SELECT l.id, l.at, a.email AS account, l.action, l.entity, l.entity_id,
                CASE WHEN w.withheld THEN NULL ELSE l.before END AS before,
                CASE WHEN w.withheld THEN NULL ELSE l.after END AS after,
                w.withheld
         FROM audit_log l LEFT JOIN account a ON a.id = l.account_id
         CROSS JOIN LATERAL (
             SELECT l.entity IN ('agenda_item', 'meeting') OR l.action = 'document.upload'
                    AS withheld) w
         WHERE ($1::text IS NULL OR l.entity = $1)
           AND ($2::text IS NULL OR l.action = $2)
           AND ($3::text IS NULL OR a.email ILIKE '%' || $3 || '%')
           AND ($4::date IS NULL OR l.at >= $4::date)
           AND ($5::date IS NULL OR l.at < $5::date + 1)
           AND ($6::bigint IS NULL OR l.id < $6)
         ORDER BY l.id DESC LIMIT $7",
    )
    .bind(&f.entity)
    .bind(&f.action)
    .bind(&f.account)
    .bind(f.from)
    .bind(f.until)
    .bind(f.before_id)
    .bind(AUDIT_PAGE + 1)
    .fetch_all(db)
    .await
}

pub async fn audit_kinds(db: impl PgExecutor<'_>) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT entity, action FROM audit_log ORDER BY 1, 2")
            .fetch_all(db)
            .await?;
    let mut entities: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    entities.dedup();
    let mut actions: Vec<String> = rows.into_iter().map(|r| r.1).collect();
    actions.sort();
    actions.dedup();
    Ok((entities, actions))
}
