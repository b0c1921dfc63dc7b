//! Who is asking: accounts' roles, the signed-in user, sessions, permissions
//! and CSRF.

pub mod access;
pub mod csrf;
pub mod password;
pub mod reader;
pub mod totp;

pub use reader::Reader;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::base::AppState;
use crate::base::error::{AppError, Result};

/// The session cookie's name; over https with the `__Host-` prefix.
pub const SESSION_COOKIE: &str = "vesoc";
pub const SECURE_SESSION_COOKIE: &str = "__Host-vesoc";

/// Sessions end this long after sign-in, whatever the activity.
pub const ABSOLUTE_SESSION_LIFETIME: time::Duration = time::Duration::hours(12);
/// Sessions end after this long without a request.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(8);

const SESSION_AUTH_KEY: &str = "auth";
/// When the session last extended its idle timeout (unix seconds).
const SESSION_SEEN_KEY: &str = "seen";
/// How often a request extends the idle timeout. Saving the session on
/// every request cost a write per page; once a minute is as good for an
/// eight-hour timeout.
const TOUCH_EVERY: i64 = 60;

crate::coded! {
    pub enum Role: "account_role" {
        Admin => ("admin", "beheerder"),
        Secretariat => ("secretariat", "secretariaat"),
        Cabinet => ("cabinet", "kabinet"),
        SocialPartner => ("social_partner", "sociale partner"),
    }
}

/// The signed-in user, as every page sees them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub minister_id: Option<i64>,
    pub minister_name: Option<String>,
    /// The person of the composition this account is (answers invitations
    /// on the meeting page as that person).
    pub person_id: Option<i64>,
    /// Has a second factor (TOTP) set up.
    #[sqlx(default)]
    pub second_factor: bool,
    /// What waits for the secretariat (`work_waiting`: the badge on the
    /// work menu), read with a session's account: a query less on each of
    /// their pages. `None` for other readers and other reads of accounts.
    #[sqlx(default)]
    pub waiting: Option<i64>,
    #[sqlx(skip)]
    pub csrf_token: String,
}

impl CurrentUser {
    /// Who they act for, as shown next to their name.
    pub fn acting_for(&self) -> Option<String> {
        match (&self.minister_name, &self.organisation_name) {
            (Some(m), _) => Some(format!("kabinet {m}")),
            (None, Some(o)) => Some(o.clone()),
            _ => None,
        }
    }
}

/// A query for accounts as [`CurrentUser`]s: the account `a` with who it
/// acts for, then `$more` columns, then the rest of the query (string
/// literals, fixed at compile time). The account pages read their rows
/// with it too, so that the shape is written once.
macro_rules! select_account {
    ($more:expr, $($rest:literal),+) => {
        concat!(
            "SELECT a.id, a.email, a.display_name, a.role, a.organisation_id,
                    o.name AS organisation_name, a.minister_id,
                    p.given_name || ' ' || p.family_name AS minister_name, a.person_id,
                    EXISTS (SELECT 1 FROM account_totp t WHERE t.account_id = a.id) AS second_factor",
            $more,
            "
             FROM account a
             LEFT JOIN organisation o ON o.id = a.organisation_id
             LEFT JOIN person p ON p.id = a.minister_id ",
            $($rest),+
        )
    };
}
pub(crate) use select_account;

/// A query for the [`CurrentUser`] of an active account that meets the
/// given conditions (a string literal).
macro_rules! select_current_user {
    ($conditions:literal) => {
        $crate::auth::select_account!("", "WHERE a.disabled_at IS NULL AND ", $conditions)
    };
}
pub(crate) use select_current_user;

/// The column `waiting` of a session's account (`CurrentUser::waiting`):
/// `work_waiting`, which counts for a reader who reads all (the
/// secretariat, `CurrentUser::reads_all`) and looks at nothing else of the
/// reader; NULL for other roles.
macro_rules! waiting_column {
    () => {
        ",
        CASE WHEN a.role = 'secretariat'
             THEN (SELECT n FROM work_waiting(ROW(true, true, a.organisation_id, a.minister_id,
                                   (now() AT TIME ZONE 'Europe/Brussels')::date)::reader))
        END AS waiting"
    };
}

/// The user of a session: an active account whose stamp is still the one
/// the session was started with.
async fn session_user(
    db: impl sqlx::PgExecutor<'_>,
    id: i64,
    stamp: Uuid,
) -> sqlx::Result<Option<CurrentUser>> {
    sqlx::query_as(select_account!(
        waiting_column!(),
        "WHERE a.disabled_at IS NULL AND a.id = $1 AND a.security_stamp = $2"
    ))
    .bind(id)
    .bind(stamp)
    .fetch_optional(db)
    .await
}

/// A session's record (MessagePack, as the session store writes it) and
/// the active account it is signed in as, read in one query: the columns
/// `account_id` and `security_stamp` beside the record (migration
/// `…1800_session_account`) name the account, whose stamp must still be
/// the one the session was started with. `None`: no such session, or it
/// expired.
pub(crate) async fn session_and_user(
    db: impl sqlx::PgExecutor<'_>,
    id: &str,
) -> sqlx::Result<Option<(Vec<u8>, Option<(CurrentUser, Uuid)>)>> {
    use sqlx::{FromRow, Row};
    // The account's joins, then the session: a session without a (valid)
    // account still comes back, with NULLs for the account.
    let row = sqlx::query(select_account!(
        concat!(
            waiting_column!(),
            ", s.data AS session_data, s.security_stamp AS session_stamp"
        ),
        "RIGHT JOIN tower_sessions.session s
             ON a.id = s.account_id AND a.security_stamp = s.security_stamp
            AND a.disabled_at IS NULL
         WHERE s.id = $1 AND s.expiry_date > now()"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let data: Vec<u8> = row.try_get("session_data")?;
    let user = match (
        row.try_get::<Option<i64>, _>("id")?,
        row.try_get::<Option<Uuid>, _>("session_stamp")?,
    ) {
        (Some(_), Some(stamp)) => Some((CurrentUser::from_row(&row)?, stamp)),
        _ => None,
    };
    Ok(Some((data, user)))
}

/// Who a session's record says it is signed in as: the account and the
/// stamp, kept beside the record (see [`session_and_user`]).
pub(crate) fn signed_in_as(record: &tower_sessions::session::Record) -> Option<(i64, Uuid)> {
    let auth = SessionAuth::deserialize(record.data.get(SESSION_AUTH_KEY)?).ok()?;
    Some((auth.account_id, auth.security_stamp))
}

tokio::task_local! {
    /// The account read with the session by the session store
    /// ([`session_and_user`]), with the stamp it was read for: taken by
    /// [`current_user`] in the same request, instead of a query of its own.
    static READ_WITH_SESSION: std::cell::RefCell<Option<(CurrentUser, Uuid)>>;
}

/// Hands the account read with a session to the request reading it (a
/// request outside [`current_user`] has no place for it: then nothing).
pub(crate) fn read_with_session(user: (CurrentUser, Uuid)) {
    let _ = READ_WITH_SESSION.try_with(|place| *place.borrow_mut() = Some(user));
}

/// Who is asking: put in the request's extensions for every request.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

impl Viewer {
    pub fn role(&self) -> Option<Role> {
        self.0.as_ref().map(|u| u.role)
    }
}

/// What the session keeps about the signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    pub account_id: i64,
    /// Must equal the account's current stamp: a password change, a role
    /// change or disabling the account changes it and ends the session.
    pub security_stamp: Uuid,
    pub signed_in_at: i64,
}

/// Starts a signed-in session with a new id (against session fixation),
/// signed in now as the account with its current stamp. Also after the
/// stamp changed (which ended every other session): this one goes on.
pub async fn start_session(session: &Session, account_id: i64, security_stamp: Uuid) -> Result<()> {
    session.cycle_id().await.map_err(session_error)?;
    let auth = SessionAuth {
        account_id,
        security_stamp,
        signed_in_at: OffsetDateTime::now_utc().unix_timestamp(),
    };
    session
        .insert(SESSION_AUTH_KEY, auth)
        .await
        .map_err(session_error)?;
    csrf::rotate(session).await?;
    Ok(())
}

pub async fn end_session(session: &Session) -> Result<()> {
    session.flush().await.map_err(session_error)
}

/// The session store is PostgreSQL: when it fails, the database is gone.
pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    match e {
        tower_sessions::session::Error::Store(store) => AppError::Unavailable(store.to_string()),
        other => AppError::Internal(anyhow::anyhow!("session: {other}")),
    }
}

/// Loads the signed-in user, if any, into the request. A session whose
/// account is disabled, whose stamp is stale or that outlived its absolute
/// lifetime is ended here.
pub async fn load_viewer(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let viewer = match current_user(&state, &session).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let signed_in = viewer.is_some();
    // Roles that need a second factor set it up before anything else.
    if let Some(user) = &viewer
        && state.config.require_second_factor.contains(user.role)
        && !user.second_factor
        && !allowed_before_second_factor(req.uri().path())
    {
        return crate::base::no_store(
            axum::response::Redirect::to(SECOND_FACTOR_SETUP).into_response(),
        );
    }
    req.extensions_mut().insert(Viewer(viewer));
    let mut response = next.run(req).await;
    if signed_in {
        response.extensions_mut().insert(SignedIn);
        crate::base::no_store(response)
    } else {
        response
    }
}

/// On a response: the request came from a signed-in user (the page cache
/// empties itself after their writes).
#[derive(Debug, Clone, Copy)]
pub struct SignedIn;

async fn current_user(state: &AppState, session: &Session) -> Result<Option<CurrentUser>> {
    // Reading the session from the database reads its account with it.
    let (auth, read) = READ_WITH_SESSION
        .scope(std::cell::RefCell::new(None), async {
            let auth = session.get::<SessionAuth>(SESSION_AUTH_KEY).await;
            (
                auth,
                READ_WITH_SESSION.with(|place| place.borrow_mut().take()),
            )
        })
        .await;
    let Some(auth) = auth.map_err(session_error)? else {
        return Ok(None);
    };
    let expired = OffsetDateTime::now_utc().unix_timestamp() - auth.signed_in_at
        > ABSOLUTE_SESSION_LIFETIME.whole_seconds();
    let user = if expired {
        None
    } else if let Some((user, _)) =
        read.filter(|(user, stamp)| user.id == auth.account_id && *stamp == auth.security_stamp)
    {
        Some(user)
    } else {
        // Kept in memory until any account (or anything else) changes.
        let key = format!("account {} {}", auth.account_id, auth.security_stamp);
        let read = session_user(&state.db, auth.account_id, auth.security_stamp);
        Option::clone(&*state.cache.data(key, read).await?)
    };
    match user {
        Some(mut user) => {
            user.csrf_token = csrf::token(session).await?;
            touch(session).await?;
            Ok(Some(user))
        }
        None => {
            end_session(session).await?;
            Ok(None)
        }
    }
}

/// Extends the session's idle timeout: a changed session is saved with a
/// new expiry, an unchanged one is not saved at all.
async fn touch(session: &Session) -> Result<()> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let seen = session
        .get::<i64>(SESSION_SEEN_KEY)
        .await
        .map_err(session_error)?;
    if seen.is_none_or(|s| now - s >= TOUCH_EVERY) {
        session
            .insert(SESSION_SEEN_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(())
}

pub const SECOND_FACTOR_SETUP: &str = "/account/tweestaps";

/// What a user who still has to set up a second factor may reach.
fn allowed_before_second_factor(path: &str) -> bool {
    path == SECOND_FACTOR_SETUP || path == "/afmelden" || path.starts_with("/static/")
}

/// Where a signed-in user starts ("Mijn werk"): the place sign-in leads
/// to when it has nowhere else to return to.
pub const START_PAGE: &str = "/mijn-werk";

/// The sign-in page, returning to `return_to` afterwards.
pub fn sign_in_url(return_to: &str) -> String {
    let mut url = String::from("/aanmelden");
    if is_safe_return_path(return_to) && return_to != "/" {
        url.push_str("?terug=");
        url.extend(form_urlencoded::byte_serialize(return_to.as_bytes()));
    }
    url
}

/// Only paths on this site: no `//host`, no scheme, no backslash tricks.
pub fn is_safe_return_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control())
}
