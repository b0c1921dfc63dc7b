//! Signing in and out, one's own account, and the administration of
//! accounts and the audit log.

mod admin;
pub mod calendar;
mod forgotten;
mod mail;
pub use calendar::{
    calendar_account, has_calendar_token, new_calendar_token, revoke_calendar_token,
};
mod prover;
pub mod queries;
pub mod second_factor;
pub mod throttle;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::access::{ADMIN, Access, Routes};
use crate::auth::{self, csrf, password};
use crate::base::error::{AppError, Result};
use crate::base::write::{self, Outcome as Written};
use crate::base::{Actor, AppState, Check, FieldErrors, no_store};
use crate::base::{PageCtx, page};
use prover::Prover;
use throttle::{Checked, Outcome};

pub fn routes() -> Routes {
    Routes::new()
        .get("/aanmelden", Access::Anonymous, sign_in_form)
        .post("/aanmelden", Access::Anonymous, sign_in)
        .get("/wachtwoord-vergeten", Access::Anonymous, forgotten::form)
        .post(
            "/wachtwoord-vergeten",
            Access::Anonymous,
            forgotten::request,
        )
        .get(
            "/aanmelden/code",
            Access::Anonymous,
            second_factor::code_form,
        )
        .post("/aanmelden/code", Access::Anonymous, second_factor::code)
        .post("/afmelden", Access::SignedIn, sign_out)
        .post(
            "/account/overal-afmelden",
            Access::SignedIn,
            sign_out_everywhere,
        )
        .get("/account", Access::SignedIn, profile)
        .get("/account/wachtwoord", Access::SignedIn, password_form)
        .post("/account/wachtwoord", Access::SignedIn, change_password)
        .get(
            "/account/tweestaps",
            Access::SignedIn,
            second_factor::setup_form,
        )
        .post(
            "/account/tweestaps",
            Access::SignedIn,
            second_factor::enable,
        )
        .post(
            "/account/tweestaps/herstelcodes",
            Access::SignedIn,
            second_factor::new_recovery_codes,
        )
        .post(
            "/account/tweestaps/uitschakelen",
            Access::SignedIn,
            second_factor::disable,
        )
        .get(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password_form,
        )
        .post(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password,
        )
        .get("/beheer/accounts", ADMIN, admin::list)
        .get("/beheer/accounts/nieuw", ADMIN, admin::new_form)
        .post("/beheer/accounts", ADMIN, admin::create)
        .get("/beheer/accounts/{id}", ADMIN, admin::edit_form)
        .post("/beheer/accounts/{id}", ADMIN, admin::update)
        .post("/beheer/accounts/{id}/uitschakelen", ADMIN, admin::disable)
        .post("/beheer/accounts/{id}/inschakelen", ADMIN, admin::enable)
        .post(
            "/beheer/accounts/{id}/herstellink",
            ADMIN,
            admin::reset_link,
        )
        .post(
            "/beheer/accounts/{id}/tweestaps",
            ADMIN,
            second_factor::admin_reset,
        )
        .get("/beheer/logboek", ADMIN, admin::audit_log)
}

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    ctx: PageCtx,
    csrf: String,
    email: String,
    return_to: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
struct ReturnQuery {
    terug: Option<String>,
    ingesteld: Option<String>,
    /// The login to fill in (after setting a password by link); only a
    /// valid e-mail address is used, and the template escapes it.
    email: Option<String>,
}

fn safe_return(r: Option<&str>) -> String {
    r.filter(|p| auth::is_safe_return_path(p))
        .unwrap_or(auth::START_PAGE)
        .to_string()
}

async fn sign_in_form(
    ctx: PageCtx,
    session: Session,
    Query(q): Query<ReturnQuery>,
) -> Result<Response> {
    let page = SignInPage {
        ctx,
        csrf: csrf::token(&session).await?,
        email: q
            .email
            .as_deref()
            .and_then(queries::normalise_email)
            .unwrap_or_default(),
        return_to: safe_return(q.terug.as_deref()),
        error: None,
        notice: q
            .ingesteld
            .is_some()
            .then_some("Uw wachtwoord is ingesteld. U kunt zich nu aanmelden."),
    };
    // The form carries the session's CSRF token: no cache keeps it.
    Ok(no_store(page::render(&page)))
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    terug: String,
}

const PASSWORD_THROTTLED: &str =
    "Te veel foute wachtwoorden na elkaar. Wacht een kwartier en probeer het dan opnieuw.";

const SIGN_IN_FAILED: &str = "Dit e-mailadres en wachtwoord horen niet bij een actief account. Controleer ze en probeer opnieuw.";

async fn sign_in(prover: Prover, Form(form): Form<SignInForm>) -> Result<Response> {
    let login = form.email.trim().to_lowercase();
    let return_to = safe_return(Some(&form.terug));
    let again = async |status: StatusCode, error: &str| -> Result<Response> {
        let page = SignInPage {
            ctx: prover.ctx.clone(),
            csrf: prover.csrf().await?,
            email: form.email.clone(),
            return_to: return_to.clone(),
            error: Some(error.to_string()),
            notice: None,
        };
        Ok(no_store((status, page::render(&page)).into_response()))
    };

    // Counted before the password is checked: see throttle.rs.
    let mut found = None;
    let stored = async {
        found = queries::credentials(&prover.state.db, &login).await?;
        Ok(found
            .as_ref()
            .filter(|c| !c.disabled)
            .and_then(|c| c.password_hash.clone()))
    };
    let checked = prover
        .check_password(&login, &form.password, stored, None, Outcome::SignInFailed)
        .await?;
    let (attempt, account) = match (checked, found) {
        (Checked::Right(attempt), Some(account)) => (attempt, account),
        (Checked::Throttled(limit), _) => {
            return again(StatusCode::TOO_MANY_REQUESTS, limit.message()).await;
        }
        _ => return again(StatusCode::UNAUTHORIZED, SIGN_IN_FAILED).await,
    };
    let db = &prover.state.db;
    let second_factor = second_factor::is_enabled(db, account.id).await?;
    let mut tx = db.begin().await?;
    // With a second factor, the browser is known only once the code is in.
    let device_token = if second_factor {
        None
    } else {
        Some(throttle::remember_device(&mut tx, account.id, &prover.device).await?)
    };
    prover
        .settle(&mut tx, &attempt, account.id, Outcome::SignedIn)
        .await?;
    tx.commit().await?;

    let stamp = account.security_stamp;
    let Some(device_token) = device_token else {
        return second_factor::begin(&prover.session, account.id, &login, stamp, &return_to).await;
    };
    prover
        .signed_in(account.id, stamp, &return_to, &device_token)
        .await
}

async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    ctx: PageCtx,
) -> Result<Response> {
    if let Some(user) = &ctx.user {
        write::commit(&state.db, async |tx| queries::sign_out(tx, user.id).await).await?;
    }
    auth::end_session(&session).await?;
    Ok(Redirect::to("/").into_response())
}

/// Ends every other session of the account (other browsers, a forgotten
/// computer); this one stays signed in, with a new id.
async fn sign_out_everywhere(
    State(state): State<AppState>,
    session: Session,
    Actor(user): Actor,
) -> Result<Response> {
    let stamp = write::commit(&state.db, async |tx| {
        queries::end_other_sessions(tx, user.id).await
    })
    .await?;
    tracing::info!(account = user.id, "other sessions ended");
    go_on(&session, user.id, stamp, "/account?afgemeld=1").await
}

/// This session goes on after a change of one's own account ended every
/// session (a new stamp), renewed, at `to`.
pub(crate) async fn go_on(
    session: &Session,
    account_id: i64,
    stamp: uuid::Uuid,
    to: &str,
) -> Result<Response> {
    auth::start_session(session, account_id, stamp).await?;
    Ok(Redirect::to(to).into_response())
}

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct ProfilePage {
    ctx: PageCtx,
    changed: bool,
    signed_out_elsewhere: bool,
    second_factor_off: bool,
    has_calendar_link: bool,
}

#[derive(Debug, Deserialize)]
struct ProfileQuery {
    gewijzigd: Option<String>,
    afgemeld: Option<String>,
    tweestaps: Option<String>,
}

async fn profile(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Query(q): Query<ProfileQuery>,
) -> Result<Response> {
    let has_calendar_link = calendar::has_calendar_token(&state.db, user.id).await?;
    Ok(page::render(&ProfilePage {
        ctx,
        changed: q.gewijzigd.is_some(),
        signed_out_elsewhere: q.afgemeld.is_some(),
        second_factor_off: q.tweestaps.as_deref() == Some("uit"),
        has_calendar_link,
    }))
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    errors: FieldErrors,
}

async fn password_form(ctx: PageCtx) -> Result<Response> {
    let errors = FieldErrors::default();
    Ok(page::render(&PasswordPage { ctx, errors }))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn change_password(
    Actor(user): Actor,
    prover: Prover,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let again = |status: StatusCode, errors: FieldErrors| {
        let page = PasswordPage {
            ctx: prover.ctx.clone(),
            errors,
        };
        Ok((status, page::render(&page)).into_response())
    };
    let failed = Outcome::PasswordCheckFailed;
    let right = match prover
        .check_current_password(&user, &form.current, failed)
        .await?
    {
        Checked::Right(attempt) => {
            throttle::settle_now(
                &prover.state.db,
                &attempt,
                Some(user.id),
                &prover.address,
                Outcome::Confirmed,
            )
            .await?;
            true
        }
        Checked::Wrong => false,
        Checked::Throttled(limit) => {
            let message = if limit == throttle::Limit::Account {
                limit.message()
            } else {
                PASSWORD_THROTTLED
            };
            let mut check = Check::default();
            check.add("form", message);
            return again(StatusCode::TOO_MANY_REQUESTS, check.errors());
        }
    };
    // One message at a time: the first thing to put right.
    let mut check = Check::default();
    if !right {
        check.add("current", "Uw huidige wachtwoord klopt niet.");
    } else if form.new != form.repeat {
        check.add("repeat", "De twee nieuwe wachtwoorden verschillen.");
    } else if let Some(weakness) = password::weakness(&form.new, &user.email) {
        // On the form: the new field has its hint to point to.
        check.add("form", weakness);
    }
    if !check.is_ok() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, check.errors());
    }
    let hash = password::hash(form.new).await?;
    let stamp = write::commit(&prover.state.db, async |tx| {
        queries::set_password(tx, Some(user.id), user.id, &hash, "change_password").await
    })
    .await?;
    // Other sessions end with the old stamp; this one continues, renewed.
    go_on(&prover.session, user.id, stamp, "/account?gewijzigd=1").await
}

#[derive(Template)]
#[template(path = "accounts/set_password.html")]
struct SetPasswordPage {
    ctx: PageCtx,
    csrf: String,
    token: String,
    display_name: String,
    email: String,
    errors: FieldErrors,
}

const LINK_INVALID: &str =
    "Deze link is ongeldig, verlopen of al gebruikt. Vraag de beheerder om een nieuwe link.";

/// The account of a still valid, unused link, or the error that says why
/// the link does nothing.
async fn link_account(state: &AppState, token: &str) -> Result<queries::TokenAccount> {
    queries::token_account(&state.db, token)
        .await?
        .ok_or_else(|| AppError::bad_request(LINK_INVALID))
}

impl SetPasswordPage {
    async fn new(
        ctx: PageCtx,
        session: &Session,
        token: String,
        account: &queries::TokenAccount,
        errors: FieldErrors,
    ) -> Result<Self> {
        Ok(SetPasswordPage {
            ctx,
            csrf: csrf::token(session).await?,
            token,
            display_name: account.display_name.clone(),
            email: account.email.clone(),
            errors,
        })
    }
}

async fn set_password_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> Result<Response> {
    let account = link_account(&state, &token).await?;
    let page = SetPasswordPage::new(ctx, &session, token, &account, FieldErrors::default()).await?;
    // The token is in the address and the form: no cache keeps the page.
    Ok(no_store(page::render(&page)))
}

#[derive(Debug, Deserialize)]
struct SetPasswordForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn set_password(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response> {
    let account = link_account(&state, &token).await?;
    let mut check = Check::default();
    if form.new != form.repeat {
        check.add("repeat", "De twee wachtwoorden verschillen.");
    } else if let Some(weakness) = password::weakness(&form.new, &account.email) {
        // On the form: the new field has its hint to point to.
        check.add("form", weakness);
    }
    if !check.is_ok() {
        let page = SetPasswordPage::new(ctx, &session, token, &account, check.errors()).await?;
        return Ok(no_store(
            (StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response(),
        ));
    }
    let hash = password::hash(form.new).await?;
    let outcome = write::run(&state.db, async |tx| {
        queries::set_password_by_link(tx, &account, &hash).await
    })
    .await?;
    // Stale: the link was used in between.
    let Written::Done(()) = outcome else {
        return Err(AppError::bad_request(LINK_INVALID));
    };
    // Whoever was signed in on this browser is signed out: the new password
    // is for the account of the link.
    auth::end_session(&session).await?;
    // The sign-in form has the login filled in.
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("ingesteld", "1")
        .append_pair("email", &account.email)
        .finish();
    Ok(Redirect::to(&format!("/aanmelden?{query}")).into_response())
}
