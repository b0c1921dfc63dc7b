//! What each mailbox wants of each kind of notification: one's own choices
//! (signed in), and the one-click unsubscribe of a message (RFC 8058), which
//! works without signing in: the link's token is the credential, so its
//! POST needs no CSRF token (`auth::csrf::TOKEN_PATHS`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use super::notify::{self, Delivery, Kind, PREFERENCES};
use crate::audit;
use crate::auth::CurrentUser;
use crate::auth::access::{Access, Routes};
use crate::base::error::{AppError, Result};
use crate::base::extract::Actor;
use crate::base::form::FieldErrors;
use crate::base::write::{self, Outcome};
use crate::base::{AppState, PageCtx, page, secret};

pub fn routes() -> Routes {
    Routes::new()
        .get(PREFERENCES, Access::SignedIn, show)
        .post(PREFERENCES, Access::SignedIn, save)
        .get("/uitschrijven/{token}", Access::Public, unsubscribe_form)
        .post("/uitschrijven/{token}", Access::Public, unsubscribe)
}

/// One kind and the mailbox's choice for it.
pub struct Choice {
    pub kind: Kind,
    pub delivery: Delivery,
}

#[derive(Template)]
#[template(path = "mail/preferences.html")]
struct PreferencesPage {
    ctx: PageCtx,
    address: String,
    /// The address of the person the account is, when it is another one:
    /// convocations and meeting reminders go there.
    person_address: Option<String>,
    choices: Vec<Choice>,
    errors: FieldErrors,
    saved: bool,
}

impl PreferencesPage {
    fn deliveries(&self) -> &'static [Delivery] {
        &Delivery::ALL
    }
}

async fn choices(db: impl PgExecutor<'_> + Copy, address: &str) -> sqlx::Result<Vec<Choice>> {
    let mut all = Vec::new();
    for kind in Kind::ALL {
        all.push(Choice {
            kind,
            delivery: notify::preference(db, address, kind).await?,
        });
    }
    Ok(all)
}

/// The account's address, and its person's when that is another: the
/// choices hold for both (reminders of meetings go to the person's).
async fn mailboxes(
    db: &sqlx::PgPool,
    user: &CurrentUser,
) -> sqlx::Result<(String, Option<String>)> {
    let person: Option<String> = match user.person_id {
        Some(id) => sqlx::query_scalar("SELECT lower(email) FROM person WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?
            .flatten(),
        None => None,
    };
    Ok((
        user.email.clone(),
        person.filter(|p| !p.is_empty() && *p != user.email),
    ))
}

#[derive(Debug, Deserialize)]
struct Saved {
    bewaard: Option<String>,
}

async fn show(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let (address, person_address) = mailboxes(&state.db, &user).await?;
    let page = PreferencesPage {
        choices: choices(&state.db, &address).await?,
        address,
        person_address,
        ctx,
        errors: FieldErrors::default(),
        saved: q.bewaard.is_some(),
    };
    Ok(page::no_store(page::render(&page)))
}

/// Saves every kind's choice at once; an unknown choice, or none at all,
/// is refused and nothing is changed. A kind left out keeps what the
/// mailbox had: a page loaded before that kind existed still saves.
async fn save(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let mut typed = Vec::new();
    let mut errors = FieldErrors::default();
    let given = |kind: Kind| pairs.iter().find(|(k, _)| k == kind.code());
    let none_given = Kind::ALL.iter().all(|k| given(*k).is_none());
    for kind in Kind::ALL {
        match given(kind).map(|(_, v)| Delivery::parse(v)) {
            Some(Some(delivery)) => typed.push(Choice { kind, delivery }),
            None if !none_given => {}
            _ => errors.add(kind.code(), "Kies hoe u deze berichten wilt krijgen."),
        }
    }
    let (address, person_address) = mailboxes(&state.db, &user).await?;
    let outcome = if errors.is_empty() {
        let account = user.id;
        let all: Vec<&str> = std::iter::once(address.as_str())
            .chain(person_address.as_deref())
            .collect();
        write::run(&state.db, async |tx| {
            save_all(tx, account, &all, &typed).await
        })
        .await?
    } else {
        Outcome::Refused(errors)
    };
    match outcome.settle(FieldErrors::default()) {
        Ok(()) => Ok(Redirect::to(&format!("{PREFERENCES}?bewaard=1")).into_response()),
        Err((status, errors)) => {
            // What was typed stays; what was not chosen shows the stored choice.
            let mut shown = choices(&state.db, &user.email).await?;
            for c in &mut shown {
                if let Some(t) = typed.iter().find(|t| t.kind == c.kind) {
                    c.delivery = t.delivery;
                }
            }
            let page = PreferencesPage {
                ctx,
                address,
                person_address,
                choices: shown,
                errors,
                saved: false,
            };
            Ok(page::no_store(
                (status, page::render(&page)).into_response(),
            ))
        }
    }
}

async fn save_all(
    tx: &mut PgConnection,
    account: i64,
    addresses: &[&str],
    typed: &[Choice],
) -> Result<Outcome> {
    for address in addresses {
        for c in typed {
            notify::set_preference(tx, address, c.kind, c.delivery).await?;
        }
    }
    let after: serde_json::Map<String, serde_json::Value> = typed
        .iter()
        .map(|c| (c.kind.code().to_string(), json!(c.delivery.code())))
        .collect();
    audit::Entry::new("mail_preferences", "account", account)
        .after(serde_json::Value::Object(after))
        .write(tx, Some(account))
        .await?;
    Ok(Outcome::Done(()))
}

/// The message an unsubscribe link came in.
#[derive(Debug, sqlx::FromRow)]
struct Unsubscribing {
    id: i64,
    recipient: String,
    kind: String,
}

impl Unsubscribing {
    /// What stops: one kind, or every kind the digest collected.
    fn what(&self) -> String {
        match Kind::parse(&self.kind) {
            Some(kind) => kind.label().to_string(),
            None => "alle berichten die u in één overzicht per dag vroeg".to_string(),
        }
    }
}

async fn unsubscribing(db: impl PgExecutor<'_>, token: &str) -> Result<Unsubscribing> {
    sqlx::query_as(
        "SELECT id, recipient, kind FROM mail_message
         WHERE unsubscribe_hash = $1",
    )
    .bind(secret::hash(token))
    .fetch_optional(db)
    .await?
    .ok_or_else(|| {
        AppError::BadRequest(
            "Deze afmeldlink is niet geldig. Gebruik de link onderaan het bericht zelf, of \
             kies na aanmelden op uw accountpagina welke berichten u wilt krijgen."
                .into(),
        )
    })
}

#[derive(Template)]
#[template(path = "mail/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    address: String,
    what: String,
    done: bool,
}

/// Asks before unsubscribing: a link scanner that follows the link must
/// not unsubscribe anyone.
async fn unsubscribe_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    let u = unsubscribing(&state.db, &token).await?;
    Ok(unsubscribe_page(ctx, token, u, false))
}

fn unsubscribe_page(ctx: PageCtx, token: String, u: Unsubscribing, done: bool) -> Response {
    let page = UnsubscribePage {
        ctx,
        token,
        what: u.what(),
        address: u.recipient,
        done,
    };
    page::no_store(page::render(&page))
}

/// The one-click POST of a mail client, or the page's button: the same.
async fn unsubscribe(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    let u = unsubscribing(&state.db, &token).await?;
    // Always done: unsubscribing twice is unsubscribed.
    let _done = write::run(&state.db, async |tx| stop(tx, &u).await).await?;
    Ok(unsubscribe_page(ctx, token, u, true))
}

async fn stop(tx: &mut PgConnection, u: &Unsubscribing) -> Result<Outcome> {
    match Kind::parse(&u.kind) {
        Some(kind) => notify::set_preference(tx, &u.recipient, kind, Delivery::Never).await?,
        None => {
            sqlx::query(
                "UPDATE mail_preference SET delivery = 'never', modified_at = now()
                 WHERE address = $1 AND delivery = 'daily'",
            )
            .bind(&u.recipient)
            .execute(&mut *tx)
            .await?;
        }
    }
    audit::Entry::new("mail_unsubscribe", "mail_message", u.id)
        .after(json!({ "kind": u.kind }))
        .write(tx, None)
        .await?;
    Ok(Outcome::Done(()))
}
