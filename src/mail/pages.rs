//! The page of sent messages, for administrators and the secretariat: what
//! went out, what waits, what failed and why; a failed message is tried
//! again from here, and a test message checks the configuration. Without an
//! SMTP server this is where the kept `.eml` files are listed.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use super::{Outgoing, Recipient};
use crate::audit;
use crate::auth::access::{Access, Routes};
use crate::auth::{CurrentUser, Role};
use crate::base::error::{AppError, Result};
use crate::base::extract::{Actor, Id};
use crate::base::form::FieldErrors;
use crate::base::write::{self, Outcome};
use crate::base::{AppState, PageCtx, dutch, page};

const DESK: Access = Access::Roles(&[Role::Admin, Role::Secretariat]);
const PATH: &str = "/beheer/berichten";

pub fn routes() -> Routes {
    Routes::new()
        .get(PATH, DESK, list)
        .post("/beheer/berichten/test", DESK, send_test)
        .get("/beheer/berichten/{id}", DESK, show)
        .post("/beheer/berichten/{id}/opnieuw", DESK, retry)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub stored_as: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub body_text: String,
}

impl Row {
    pub fn created(&self) -> String {
        dutch::nl_datetime(self.created_at)
    }

    pub fn kind_label(&self) -> &str {
        match self.kind.as_str() {
            "test" => "testbericht",
            "convocation" => "uitnodiging",
            "password_link" => "wachtwoordlink",
            "digest" => "dagelijks overzicht",
            "proposal_decision" => "beslissing over een voorstel",
            "minutes_approved" => "goedgekeurd verslag",
            "meeting_reminder" => "herinnering vergadering",
            "deadline_reminder" => "herinnering termijn voorstellen",
            other => other,
        }
    }

    /// What an administrator is shown: the subject of a message about
    /// records (a proposal's title, a meeting) is content they may not see
    /// (docs/access.md); a test message's or a password link's is not.
    fn withhold_subject(&mut self) {
        if !matches!(self.kind.as_str(), "test" | "password_link") {
            self.subject = format!(
                "{} (onderwerp niet zichtbaar voor beheerders)",
                self.kind_label()
            );
        }
    }

    /// Where the message stands, in Dutch.
    pub fn state(&self) -> String {
        match self.status.as_str() {
            "sent" => match (&self.stored_as, self.sent_at) {
                (Some(_), _) => "bewaard als bestand".to_string(),
                (None, Some(at)) => format!("verzonden {}", dutch::nl_datetime(at)),
                (None, None) => "verzonden".to_string(),
            },
            "failed" => "mislukt".to_string(),
            _ if self.attempts == 0 => "wacht op verzending".to_string(),
            _ => format!(
                "nog niet verzonden ({} pogingen), volgende poging {}",
                self.attempts,
                dutch::nl_datetime(self.next_attempt_at)
            ),
        }
    }
}

const SELECT: &str = "SELECT id, kind, recipient, recipient_name, subject, status::text AS status,
        attempts, next_attempt_at, last_error, stored_as, created_at, sent_at, body_text
    FROM mail_message";

async fn latest(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Row>> {
    let sql = format!("{SELECT} ORDER BY created_at DESC, id DESC LIMIT 200");
    sqlx::query_as(&sql).fetch_all(db).await
}

async fn one(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    pub address: String,
}

#[derive(Template)]
#[template(path = "mail/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    notice: Option<&'static str>,
    form: TestForm,
    errors: FieldErrors,
    files: bool,
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    melding: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "test" => Some("Het testbericht staat klaar om verzonden te worden."),
        "opnieuw" => Some("Het bericht wordt opnieuw verzonden."),
        _ => None,
    }
}

async fn render_list(
    state: &AppState,
    ctx: PageCtx,
    notice: Option<&'static str>,
    form: TestForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let mut rows = latest(&state.db).await?;
    if !ctx.user.as_ref().is_some_and(CurrentUser::reads_all) {
        rows.iter_mut().for_each(Row::withhold_subject);
    }
    let files = state
        .config
        .smtp_url
        .as_deref()
        .is_none_or(|u| u.trim().is_empty());
    let page = ListPage {
        ctx,
        rows,
        notice,
        form,
        errors,
        files,
    };
    Ok(page::no_store(
        (status, page::render(&page)).into_response(),
    ))
}

async fn list(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let n = notice(q.melding.as_deref());
    render_list(
        &state,
        ctx,
        n,
        TestForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// A test message to an address, to check that mail leaves.
async fn send_test(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Form(form): Form<TestForm>,
) -> Result<Response> {
    let outcome = match Recipient::new(&form.address, "") {
        Err(refused) => Outcome::refused("address", refused.to_string()),
        Ok(to) => write::run(&state.db, async |tx| queue_test(tx, user.id, to).await).await?,
    };
    match outcome.settle(FieldErrors::default()) {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}?melding=test")).into_response()),
        Err((status, errors)) => render_list(&state, ctx, None, form, errors, status).await,
    }
}

/// Puts a failed message back in the outbox, due now (stale when it did
/// not fail, or no longer).
async fn again(tx: &mut PgConnection, actor: i64, id: i64) -> Result<Outcome> {
    let changed = sqlx::query(
        "UPDATE mail_message SET status = 'pending', attempts = 0, next_attempt_at = now()
         WHERE id = $1 AND status = 'failed'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Outcome::Stale);
    }
    audit::Entry::new("retry", "mail_message", id)
        .write(tx, actor)
        .await?;
    Ok(Outcome::Done(()))
}

async fn queue_test(tx: &mut PgConnection, actor: i64, to: Recipient) -> Result<Outcome> {
    let address = to.address.clone();
    let text = "Dit is een testbericht van vesoc, het platform van het VESOC-secretariaat.\n\n\
                Komt het aan, dan is de verzending van e-mail goed ingesteld."
        .to_string();
    let id = super::enqueue(
        tx,
        Some(actor),
        &Outgoing::new("test", to, "Testbericht van vesoc", text),
    )
    .await?;
    audit::Entry::new("create", "mail_message", id)
        .after(json!({ "kind": "test", "to": address }))
        .write(tx, actor)
        .await?;
    Ok(Outcome::Done(()))
}

#[derive(Template)]
#[template(path = "mail/show.html")]
struct ShowPage {
    ctx: PageCtx,
    row: Row,
    /// Administrators see who got what and when, not the content (it may
    /// hold confidential agenda items; see docs/access.md).
    content: bool,
}

async fn show(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    let mut row = one(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let content = user.reads_all();
    if !content {
        row.withhold_subject();
    }
    Ok(page::no_store(page::render(&ShowPage {
        ctx,
        row,
        content,
    })))
}

/// A failed message goes back into the outbox, due now.
async fn retry(Actor(user): Actor, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let outcome = write::run(&state.db, async |tx| again(tx, user.id, id).await).await?;
    match outcome {
        Outcome::Done(()) => Ok(Redirect::to(&format!("{PATH}?melding=opnieuw")).into_response()),
        _ => Err(AppError::Conflict(
            "Dit bericht is niet mislukt (meer): het wordt al verzonden of is verzonden.".into(),
        )),
    }
}
