//! Answers from invitees. Each convocation carries a personal link
//! (`/antwoord/{token}`): without signing in, the invitee answers present,
//! excused, or represented by a named substitute, and may change the answer
//! until the meeting starts. The link answers for that invitee of that
//! meeting only; an altered, unknown or expired link changes nothing.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::audit;
use crate::auth::access::{Access, Routes};
use crate::auth::csrf;
use crate::base::error::{AppError, Result};
use crate::base::form::FieldErrors;
use crate::base::write::{self, Outcome};
use crate::base::{AppState, PageCtx, dutch, page, secret};

pub fn routes() -> Routes {
    Routes::new()
        .get("/antwoord/{token}", Access::Public, form)
        .post("/antwoord/{token}", Access::Public, answer)
}

/// A new link for an invitee of a meeting; earlier links keep working
/// (each convocation has its own).
pub async fn new_link(conn: &mut PgConnection, meeting: i64, person: i64) -> sqlx::Result<String> {
    let token = secret::new_token();
    sqlx::query("INSERT INTO rsvp_link (token_hash, meeting_id, person_id) VALUES ($1, $2, $3)")
        .bind(secret::hash(&token))
        .bind(meeting)
        .bind(person)
        .execute(conn)
        .await?;
    Ok(token)
}

crate::coded! {
    pub enum Answer: "rsvp_answer" {
        Present => ("present", "aanwezig"),
        Excused => ("excused", "verontschuldigd"),
        Represented => ("represented", "vervangen door"),
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct Invitation {
    pub meeting_id: i64,
    pub person_id: i64,
    pub name: String,
    pub body_name: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub cancelled: bool,
    pub answer: Option<Answer>,
    pub substitute: Option<String>,
}

impl Invitation {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.starts_at)
    }

    fn open(&self) -> bool {
        !self.cancelled && self.starts_at > OffsetDateTime::now_utc()
    }
}

async fn invitation(db: impl PgExecutor<'_>, token: &str) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as(
        "SELECT mp.meeting_id, mp.person_id, p.given_name || ' ' || p.family_name AS name,
                b.name AS body_name, m.starts_at, m.ends_at, m.location,
                m.status = 'cancelled' AS cancelled, mp.answer, mp.substitute
         FROM rsvp_link l
         JOIN meeting_participant mp ON mp.meeting_id = l.meeting_id AND mp.person_id = l.person_id
         JOIN person p ON p.id = mp.person_id
         JOIN meeting m ON m.id = mp.meeting_id JOIN body b ON b.id = m.body_id
         WHERE l.token_hash = $1 AND mp.invited",
    )
    .bind(secret::hash(token))
    .fetch_optional(db)
    .await
}

/// An unknown or altered link: said plainly, nothing more.
fn invalid() -> AppError {
    AppError::BadRequest(
        "Deze antwoordlink is niet geldig. Gebruik de link uit de jongste uitnodiging, of \
         neem contact op met het secretariaat."
            .into(),
    )
}

fn closed(i: &Invitation) -> AppError {
    AppError::BadRequest(if i.cancelled {
        "Deze vergadering is geannuleerd: antwoorden is niet meer nodig.".into()
    } else {
        format!(
            "De vergadering van {} is begonnen: antwoorden kan niet meer.",
            i.when()
        )
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub substitute: String,
}

#[derive(Template)]
#[template(path = "meetings/rsvp.html")]
struct RsvpPage {
    ctx: PageCtx,
    csrf: String,
    token: String,
    invitation: Invitation,
    form: AnswerForm,
    errors: FieldErrors,
    notice: bool,
}

impl RsvpPage {
    fn answers(&self) -> &'static [Answer] {
        &Answer::ALL
    }
}

#[derive(Debug, Deserialize)]
struct Saved {
    bewaard: Option<String>,
}

/// The form as typed, and what was wrong with it.
type Typed = (AnswerForm, FieldErrors);

async fn render(
    ctx: PageCtx,
    session: &Session,
    token: String,
    invitation: Invitation,
    (form, errors): Typed,
    status: StatusCode,
    notice: bool,
) -> Result<Response> {
    let csrf = csrf::token(session).await?;
    let page = RsvpPage {
        ctx,
        csrf,
        token,
        invitation,
        form,
        errors,
        notice,
    };
    Ok(page::no_store(
        (status, page::render(&page)).into_response(),
    ))
}

async fn form(
    ctx: PageCtx,
    session: Session,
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let invitation = invitation(&state.db, &token).await?.ok_or_else(invalid)?;
    if !invitation.open() {
        return Err(closed(&invitation));
    }
    let form = AnswerForm {
        answer: invitation
            .answer
            .map(|a| a.code().to_string())
            .unwrap_or_default(),
        substitute: invitation.substitute.clone().unwrap_or_default(),
    };
    let notice = q.bewaard.is_some();
    render(
        ctx,
        &session,
        token,
        invitation,
        (form, FieldErrors::default()),
        StatusCode::OK,
        notice,
    )
    .await
}

async fn answer(
    ctx: PageCtx,
    session: Session,
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let invitation = invitation(&state.db, &token).await?.ok_or_else(invalid)?;
    if !invitation.open() {
        return Err(closed(&invitation));
    }
    let (meeting, person) = (invitation.meeting_id, invitation.person_id);
    let outcome = save_form(&state.db, meeting, person, &form).await?;
    match outcome {
        Outcome::Done(()) => {
            Ok(Redirect::to(&format!("/antwoord/{token}?bewaard=1")).into_response())
        }
        Outcome::Stale => Err(closed(&invitation)),
        Outcome::Refused(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(
                ctx,
                &session,
                token,
                invitation,
                (form, errors),
                status,
                false,
            )
            .await
        }
    }
}

impl AnswerForm {
    /// The answer, and the substitute's name when represented.
    pub fn check(&self) -> std::result::Result<(Answer, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let answer = Answer::parse(self.answer.trim());
        let substitute = dutch_substitute(&self.substitute);
        match answer {
            None => errors.add("answer", "Kies uw antwoord."),
            Some(Answer::Represented) if substitute.is_none() => {
                errors.add("substitute", "Geef de naam van wie u vervangt.")
            }
            _ => {}
        }
        if self.substitute.trim().chars().count() > 200 {
            errors.add("substitute", "Een naam mag hoogstens 200 tekens lang zijn.");
        }
        match answer {
            Some(a) if errors.is_empty() => Ok((
                a,
                (a == Answer::Represented).then_some(substitute).flatten(),
            )),
            _ => Err(errors),
        }
    }
}

/// Checks and saves the answer of `person` to `meeting` (stale when the
/// meeting began or was cancelled, or the person is not invited).
pub async fn save_form(
    db: &sqlx::PgPool,
    meeting: i64,
    person: i64,
    form: &AnswerForm,
) -> Result<Outcome> {
    match form.check() {
        Ok((answer, substitute)) => {
            write::run(db, async |tx| {
                save(tx, None, meeting, person, answer, substitute).await
            })
            .await
        }
        Err(errors) => Ok(Outcome::Refused(errors)),
    }
}

fn dutch_substitute(raw: &str) -> Option<String> {
    let name = crate::mail::one_line(raw);
    (!name.is_empty() && name.chars().count() <= 200).then_some(name)
}

/// Saves an answer, unless the meeting has started or was cancelled
/// meanwhile (stale); `actor` is the signed-in account that answers, none
/// for a personal link.
pub async fn save(
    tx: &mut PgConnection,
    actor: Option<i64>,
    meeting: i64,
    person: i64,
    answer: Answer,
    substitute: Option<String>,
) -> Result<Outcome> {
    let changed = sqlx::query(
        "UPDATE meeting_participant mp SET answer = $3, substitute = $4, answered_at = now()
         FROM meeting m
         WHERE m.id = mp.meeting_id AND mp.meeting_id = $1 AND mp.person_id = $2 AND mp.invited
           AND m.starts_at > now() AND m.status <> 'cancelled'",
    )
    .bind(meeting)
    .bind(person)
    .bind(answer)
    .bind(&substitute)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Outcome::Stale);
    }
    audit::Entry::new("rsvp", "meeting_participant", format!("{meeting}/{person}"))
        .after(json!({ "answer": answer, "substitute": substitute }))
        .write(tx, actor)
        .await?;
    Ok(Outcome::Done(()))
}
