//! "Wachtwoord vergeten": a one-time link by mail to whoever owns the
//! address. The answer is the same whether an account has the address or
//! not, and requests are limited per address and per account, as sign-in
//! is, so the form neither tells who has an account nor floods a mailbox.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::mail::{LinkFor, password_link};
use super::queries;
use crate::audit;
use crate::auth::csrf;
use crate::base::error::Result;
use crate::base::page::no_store;
use crate::base::{AppState, PageCtx, page, write};

/// Mails per account per hour, requests per client address per hour.
const PER_ACCOUNT: i64 = 3;
const PER_ADDRESS: i64 = 10;

#[derive(Template)]
#[template(path = "accounts/forgotten.html")]
struct ForgottenPage {
    ctx: PageCtx,
    csrf: String,
    email: String,
    sent: bool,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ForgottenForm {
    #[serde(default)]
    email: String,
}

async fn render(
    ctx: PageCtx,
    session: &Session,
    email: String,
    sent: bool,
    error: Option<&'static str>,
) -> Result<Response> {
    let csrf = csrf::token(session).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ForgottenPage {
        ctx,
        csrf,
        email,
        sent,
        error,
    };
    Ok(no_store((status, page::render(&page)).into_response()))
}

pub async fn form(ctx: PageCtx, session: Session) -> Result<Response> {
    render(ctx, &session, String::new(), false, None).await
}

pub async fn request(
    ctx: PageCtx,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<ForgottenForm>,
) -> Result<Response> {
    let Some(email) = queries::normalise_email(&form.email) else {
        let typed = form.email.clone();
        return render(
            ctx,
            &session,
            typed,
            false,
            Some("Vul een geldig e-mailadres in."),
        )
        .await;
    };
    let (from, origin) = (ctx.address.clone(), ctx.absolute(""));
    write::commit(&state.db, async |tx| {
        send_link(tx, &email, &from, &origin).await
    })
    .await?;
    render(ctx, &session, email, true, None).await
}

/// Writes the link for an active account with this address, within the
/// limits; every request is in the audit log (with the address it came
/// from), so the limits count themselves.
async fn send_link(
    tx: &mut PgConnection,
    email: &str,
    from: &str,
    origin: &str,
) -> sqlx::Result<()> {
    let (account, name): (Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT max(id), max(display_name) FROM account WHERE email = $1 AND disabled_at IS NULL",
    )
    .bind(email)
    .fetch_one(&mut *tx)
    .await?;
    let (by_address, by_account): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE after ->> 'address' = $1),
                count(*) FILTER (WHERE entity_id = $2::text)
         FROM audit_log
         WHERE action = 'password.forgotten' AND at > now() - interval '1 hour'",
    )
    .bind(from)
    .bind(account)
    .fetch_one(&mut *tx)
    .await?;
    let within = by_address < PER_ADDRESS && (account.is_none() || by_account < PER_ACCOUNT);
    let id = account.map(|a| a.to_string());
    audit::Entry::of("password.forgotten", "account", id)
        .after(json!({ "address": from, "sent": within && account.is_some() }))
        .write(tx, None)
        .await?;
    if let (Some(account), Some(name), true) = (account, name, within) {
        let token = queries::issue_token(tx, None, account).await?;
        let link = format!("{origin}/wachtwoord-instellen/{token}");
        password_link(tx, None, (email, &name), &link, LinkFor::Forgotten).await?;
    }
    Ok(())
}
