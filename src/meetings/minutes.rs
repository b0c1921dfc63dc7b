//! The minutes of a meeting, whole: a general part, who was present (from
//! the attendance register), and one section per agenda item in agenda
//! order, with its summary and its decision (the item's outcome and text,
//! recorded through the agenda) and the conflicts of interest declared on
//! it.
//!
//! Their life: a draft the secretariat writes once the meeting has begun;
//! optionally sent to the members for comments, with a date; approved (at
//! the next meeting, on the meeting page); then locked: an approved text is
//! not edited but corrected, and each correction keeps who, when, why and
//! the old text. Who reads them is `minutes_visible`; the decisions in them
//! follow `decision_visible` (through the agenda's items).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use super::queries::{self, Attendance, Meeting, MinutesStatus};
use super::{OnMeeting, load};
use crate::agenda::AgendaItem;
use crate::audit;
use crate::auth::Reader;
use crate::auth::access::{Access, Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::on::{Named, On, param};
use crate::base::write::{self, Outcome};
use crate::base::{AppState, Check, FieldErrors, Id, PageCtx, Version, dutch, page};
use crate::mail::Site;

mod pdf;
use pdf::pdf;

pub fn routes() -> Routes {
    Routes::new()
        .get("/vergaderingen/{id}/verslag", Access::SignedIn, show)
        .get("/vergaderingen/{id}/verslag.pdf", Access::SignedIn, pdf)
        .post(
            "/vergaderingen/{id}/verslag/punten/{item}",
            SECRETARIAT,
            save_section,
        )
        .post("/vergaderingen/{id}/verslag/versturen", SECRETARIAT, send)
        .post(
            "/vergaderingen/{id}/verslag/verbeteren",
            SECRETARIAT,
            correct,
        )
        .post(
            "/vergaderingen/{id}/besluiten/publiceren",
            SECRETARIAT,
            publish_decisions,
        )
}

/// The longest summary of one item, in characters.
const MAX_SUMMARY: usize = 50_000;
/// The longest reason of a correction.
const MAX_REASON: usize = 500;

/// The minutes' own row, as `reader` may read it (`shown`).
#[derive(Debug, Clone, sqlx::FromRow)]
struct Header {
    status: Option<MinutesStatus>,
    text: Option<String>,
    approved_on: Option<Date>,
    version: Option<i32>,
    comments_until: Option<Date>,
    decisions_published_at: Option<OffsetDateTime>,
    shown: bool,
    /// The agenda item of a later meeting whose decision approved them,
    /// if the reader may see it: its id, number and meeting's start.
    approved_by: Option<i64>,
    approved_by_number: Option<String>,
    approved_at: Option<OffsetDateTime>,
}

impl Header {
    /// "Goedgekeurd door de vergadering van dinsdag 2 maart 2027, punt 1":
    /// where the approval was decided, when it was through an agenda item.
    fn approval(&self) -> Option<String> {
        let (at, number) = (self.approved_at?, self.approved_by_number.as_deref()?);
        let day = dutch::nl_day(dutch::brussels(at).date());
        Some(format!(
            "Goedgekeurd door de vergadering van {day}, punt {number}"
        ))
    }

    fn status_line(&self) -> String {
        match self.status {
            None => "Nog geen verslag: het secretariaat stelt het op.".to_string(),
            Some(MinutesStatus::Draft) => "Ontwerp, nog niet verstuurd.".to_string(),
            Some(MinutesStatus::Sent) => match self.comments_until {
                Some(d) => format!(
                    "Ontwerp, ter opmerkingen verstuurd: opmerkingen tot en met {}.",
                    dutch::nl_date(d)
                ),
                None => "Ontwerp, ter opmerkingen verstuurd.".to_string(),
            },
            Some(MinutesStatus::Approved) => match self.approved_on {
                Some(d) => format!(
                    "Goedgekeurd op {}. Het verslag wordt niet meer bewerkt, alleen verbeterd.",
                    dutch::nl_date(d)
                ),
                None => "Goedgekeurd.".to_string(),
            },
        }
    }
}

async fn header(db: impl PgExecutor<'_>, meeting: i64, reader: Reader) -> sqlx::Result<Header> {
    sqlx::query_as(
        "SELECT mi.status, mi.text, mi.approved_on, mi.version, mi.comments_until,
                m.decisions_published_at,
                coalesce(minutes_visible($2, m, mi.status), false) AS shown,
                ap.id AS approved_by, ap.number AS approved_by_number, ap.starts_at AS approved_at
         FROM meeting m LEFT JOIN minutes mi ON mi.meeting_id = m.id
         LEFT JOIN LATERAL (
             SELECT a.id, coalesce(a.number, a.position::text) AS number, am.starts_at
             FROM agenda_item a JOIN meeting am ON am.id = a.meeting_id
             WHERE a.approves_minutes_of_id = m.id AND a.status = 'dealt_with'
               AND a.outcome = 'decided' AND mi.status = 'approved'
               AND agenda_item_visible($2, a, (am.starts_at AT TIME ZONE 'Europe/Brussels')::date)
             ORDER BY am.starts_at DESC LIMIT 1) ap ON true
         WHERE m.id = $1",
    )
    .bind(meeting)
    .bind(reader)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Section {
    pub agenda_item_id: i64,
    pub summary: String,
    pub version: i32,
}

async fn sections(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Vec<Section>> {
    sqlx::query_as(
        "SELECT agenda_item_id, summary, version FROM minutes_section WHERE meeting_id = $1",
    )
    .bind(meeting)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Correction {
    agenda_item_id: Option<i64>,
    field: String,
    old_text: String,
    new_text: String,
    reason: String,
    who: Option<String>,
    at: OffsetDateTime,
}

impl Correction {
    fn when(&self) -> String {
        dutch::nl_datetime(self.at)
    }

    fn what(&self) -> &'static str {
        match self.field.as_str() {
            "general" => "het algemene deel",
            "summary" => "de samenvatting",
            _ => "de beslissing",
        }
    }
}

async fn corrections(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Vec<Correction>> {
    sqlx::query_as(
        "SELECT c.agenda_item_id, c.field, c.old_text, c.new_text, c.reason,
                a.display_name AS who, c.at
         FROM minutes_correction c LEFT JOIN account a ON a.id = c.account_id
         WHERE c.meeting_id = $1 ORDER BY c.at, c.id",
    )
    .bind(meeting)
    .fetch_all(db)
    .await
}

/// The invitees' names per attendance, from the register.
async fn attendance(
    db: impl PgExecutor<'_>,
    meeting: i64,
) -> sqlx::Result<Vec<(String, Attendance)>> {
    sqlx::query_as(
        "SELECT p.given_name || ' ' || p.family_name
                    || coalesce(' (' || o.short_name || ')', ''),
                mp.attendance
         FROM meeting_participant mp
         JOIN person p ON p.id = mp.person_id
         LEFT JOIN organisation o ON o.id = mp.organisation_id
         WHERE mp.meeting_id = $1 AND mp.invited AND mp.attendance IS NOT NULL
         ORDER BY p.family_name, p.given_name",
    )
    .bind(meeting)
    .fetch_all(db)
    .await
}

/// One agenda item's part of the page: the item as the reader sees it
/// (its decision only where `decision_visible` lets it), its section.
struct Part {
    item: AgendaItem,
    summary: String,
    version: i32,
    /// Its action points, and for the secretariat the form that adds one.
    actions: crate::actions::ItemActions,
}

/// What a refused form brings back: its errors and what was typed.
#[derive(Debug, Default)]
struct Input {
    errors: FieldErrors,
    /// The section of this item, as typed.
    section: Option<(i64, SectionForm)>,
    send: Option<SendForm>,
    correction: Option<CorrectionForm>,
}

#[derive(Template)]
#[template(path = "meetings/minutes.html")]
struct MinutesPage {
    ctx: PageCtx,
    meeting: Meeting,
    minutes: Minutes,
    secretariat: bool,
    notice: Option<&'static str>,
    input: Input,
}

impl MinutesPage {
    fn status_line(&self) -> String {
        self.minutes.header.status_line()
    }

    fn approved(&self) -> bool {
        self.minutes.header.status == Some(MinutesStatus::Approved)
    }

    /// May the secretariat still write the draft?
    fn editable(&self) -> bool {
        self.secretariat
            && !self.approved()
            && !self.meeting.is_cancelled()
            && self.meeting.starts_at <= OffsetDateTime::now_utc()
    }

    fn general_text(&self) -> &str {
        self.minutes.header.text.as_deref().unwrap_or_default()
    }

    fn version(&self) -> i32 {
        self.minutes.header.version.unwrap_or(0)
    }

    /// The summary of `part` as typed again, or as stored.
    fn summary_of<'a>(&'a self, part: &'a Part) -> &'a str {
        match &self.input.section {
            Some((id, typed)) if *id == part.item.id => &typed.summary,
            _ => &part.summary,
        }
    }

    fn outcome_of(&self, part: &Part) -> String {
        match &self.input.section {
            Some((id, typed)) if *id == part.item.id => typed.outcome.clone(),
            _ => part
                .item
                .outcome
                .map(|o| o.code().to_string())
                .unwrap_or_default(),
        }
    }

    fn decision_of(&self, part: &Part) -> String {
        match &self.input.section {
            Some((id, typed)) if *id == part.item.id => typed.decision_text.clone(),
            _ => part.item.decision_text.clone().unwrap_or_default(),
        }
    }

    /// The errors of the form of `part` (none for the others).
    fn errors_of(&self, part: &Part) -> FieldErrors {
        match &self.input.section {
            Some((id, _)) if *id == part.item.id => self.input.errors.clone(),
            _ => FieldErrors::default(),
        }
    }

    fn part_title(&self, id: &Option<i64>) -> String {
        title_of(&self.minutes.parts, *id)
    }

    fn outcomes(&self) -> &'static [crate::agenda::ItemOutcome] {
        <crate::agenda::ItemOutcome as crate::base::coded::Coded>::ALL
    }

    fn send_date(&self) -> String {
        match (&self.input.send, self.minutes.header.comments_until) {
            (Some(f), _) => f.comments_until.clone(),
            (None, Some(d)) => dutch::iso_date(d),
            (None, None) => String::new(),
        }
    }

    fn correction(&self) -> CorrectionForm {
        self.input.correction.clone().unwrap_or_default()
    }
}

/// "Algemeen deel", or "Punt 3. Titel": the part of the minutes a
/// correction is of.
fn title_of(parts: &[Part], item: Option<i64>) -> String {
    match item {
        None => "Algemeen deel".to_string(),
        Some(id) => parts
            .iter()
            .find(|p| p.item.id == id)
            .map(|p| format!("Punt {}. {}", p.item.shown_number(), p.item.title))
            .unwrap_or_default(),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "opgeslagen" => "Het verslag van het punt is opgeslagen.",
        "verstuurd" => "Het ontwerpverslag is ter opmerkingen verstuurd aan de leden.",
        "verbeterd" => "De correctie is opgeslagen; de vorige tekst blijft bewaard.",
        "gepubliceerd" => "De besluitenlijst is openbaar gemaakt.",
        _ => return None,
    })
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let meeting = load(&state, id).await?;
    let input = Input::default();
    let notice = notice(q.melding.as_deref());
    minutes_page(&state, ctx, meeting, notice, input, StatusCode::OK).await
}

async fn minutes_page(
    state: &AppState,
    ctx: PageCtx,
    meeting: Meeting,
    notice: Option<&'static str>,
    input: Input,
    status: StatusCode,
) -> Result<Response> {
    let minutes = gather(state, &ctx, &meeting).await?;
    let secretariat = ctx.user.as_ref().is_some_and(|u| u.reads_all());
    let page = MinutesPage {
        ctx,
        meeting,
        minutes,
        secretariat,
        notice,
        input,
    };
    Ok((status, page::no_store(page::render(&page))).into_response())
}

/// The minutes as `ctx`'s reader may read them: what the page and the PDF
/// show. Refused (sign in, or not found) where `minutes_visible` does not
/// let them, and for all but the secretariat before there are any.
struct Minutes {
    header: Header,
    present: Vec<String>,
    excused: Vec<String>,
    absent: Vec<String>,
    parts: Vec<Part>,
    corrections: Vec<Correction>,
}

async fn gather(state: &AppState, ctx: &PageCtx, meeting: &Meeting) -> Result<Minutes> {
    let reader = Reader::of(ctx.user.as_ref());
    let header = header(&state.db, meeting.id, reader).await?;
    let secretariat = ctx.user.as_ref().is_some_and(|u| u.reads_all());
    if !header.shown || (header.status.is_none() && !secretariat) {
        return match &ctx.user {
            None => Err(AppError::SignInRequired {
                return_to: format!("/vergaderingen/{}/verslag", meeting.id),
            }),
            Some(_) => Err(AppError::NotFound),
        };
    }
    let items = crate::agenda::of_meeting(state, meeting.id, reader).await?;
    let actions = crate::actions::for_items(state, ctx, &items).await?;
    let stored = sections(&state.db, meeting.id).await?;
    let parts: Vec<Part> = items
        .into_iter()
        .zip(actions)
        .map(|(item, actions)| {
            let section = stored.iter().find(|s| s.agenda_item_id == item.id);
            Part {
                summary: section.map(|s| s.summary.clone()).unwrap_or_default(),
                version: section.map_or(0, |s| s.version),
                actions,
                item,
            }
        })
        .collect();
    // Corrections of a part the reader does not see are not shown.
    let corrections = corrections(&state.db, meeting.id)
        .await?
        .into_iter()
        .filter(|c| {
            c.agenda_item_id
                .is_none_or(|id| parts.iter().any(|p| p.item.id == id))
        })
        .collect();
    let mut present = Vec::new();
    let mut excused = Vec::new();
    let mut absent = Vec::new();
    for (name, a) in attendance(&state.db, meeting.id).await? {
        match a {
            Attendance::Present | Attendance::Represented => present.push(name),
            Attendance::Excused => excused.push(name),
            Attendance::Absent => absent.push(name),
        }
    }
    Ok(Minutes {
        header,
        present,
        excused,
        absent,
        parts,
        corrections,
    })
}

fn to_minutes(id: i64, melding: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/vergaderingen/{id}/verslag?melding={melding}{anchor}"
    ))
    .into_response()
}

impl OnMeeting {
    /// Runs `operation` in one transaction: done, back to the minutes with
    /// the notice `done`; else the minutes page again with what was typed.
    async fn run_minutes(
        self,
        done: (&str, String),
        input: Input,
        operation: impl AsyncFnOnce(&mut PgConnection, i64, &Meeting) -> Result<Outcome>,
    ) -> Result<Response> {
        let (actor, meeting) = (self.actor.id, &self.record);
        let outcome = write::run(&self.state.db, async |tx| {
            operation(tx, actor, meeting).await
        })
        .await?;
        let mut stale = FieldErrors::default();
        stale.add("form", write::stale_message("het verslag"));
        match outcome.settle(stale) {
            Ok(()) => Ok(to_minutes(meeting.id, done.0, &done.1)),
            Err((status, errors)) => {
                let input = Input { errors, ..input };
                minutes_page(&self.state, self.ctx, self.record, None, input, status).await
            }
        }
    }
}

/// Refuses a write on minutes that are approved, or on a meeting that
/// has not begun or was cancelled.
async fn writable(conn: &mut PgConnection, meeting: &Meeting) -> Result<Option<String>> {
    if meeting.is_cancelled() {
        return Ok(Some(
            "Een geannuleerde vergadering krijgt geen verslag.".into(),
        ));
    }
    if meeting.starts_at > OffsetDateTime::now_utc() {
        return Ok(Some(
            "Een verslag wordt pas opgesteld als de vergadering begonnen is.".into(),
        ));
    }
    let status: Option<MinutesStatus> =
        sqlx::query_scalar("SELECT status FROM minutes WHERE meeting_id = $1 FOR UPDATE")
            .bind(meeting.id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok((status == Some(MinutesStatus::Approved)).then(|| queries::LOCKED.to_string()))
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SectionForm {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub decision_text: String,
    /// The section's version (0: none yet) and the item's.
    #[serde(default)]
    pub version: Version,
    #[serde(default)]
    pub item_version: Version,
}

/// The agenda item `item` on the agenda of `meeting`, as `reader` sees it.
async fn item_of(state: &AppState, meeting: i64, item: i64, reader: Reader) -> Result<AgendaItem> {
    crate::agenda::of_meeting(state, meeting, reader)
        .await?
        .into_iter()
        .find(|i| i.id == item)
        .ok_or(AppError::NotFound)
}

/// The path's meeting and agenda item, as the secretariat sees them.
pub struct OnSection {
    item: AgendaItem,
}

impl Named for OnSection {
    async fn load(state: &AppState, ctx: &PageCtx, path: &[String]) -> Result<Self> {
        let meeting = crate::base::extract::parse_id(param(path, 0))?;
        let item = crate::base::extract::parse_id(param(path, 1))?;
        let reader = Reader::of(ctx.user.as_ref());
        Ok(OnSection {
            item: item_of(state, meeting, item, reader).await?,
        })
    }
}

async fn save_section(on: On<OnSection>, Form(form): Form<SectionForm>) -> Result<Response> {
    let item = on.record.item;
    let meeting_id = item.meeting_id.ok_or(AppError::NotFound)?;
    let meeting = load(&on.state, meeting_id).await?;
    let on = On {
        ctx: on.ctx,
        actor: on.actor,
        state: on.state,
        record: meeting,
    };
    let anchor = format!("#punt-{}", item.id);
    let input = Input {
        section: Some((item.id, form.clone())),
        ..Input::default()
    };
    let site = Site::of(&on.ctx, &on.state.config);
    on.run_minutes(("opgeslagen", anchor), input, async |tx, actor, m| {
        save(tx, actor, &site, m, &item, &form).await
    })
    .await
}

/// Saves an item's section: its summary and, when given or changed, its
/// decision (through the agenda, which records it on the item).
async fn save(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
    item: &AgendaItem,
    form: &SectionForm,
) -> Result<Outcome> {
    if let Some(why) = writable(&mut *conn, meeting).await? {
        return Ok(Outcome::refused("form", why));
    }
    let summary = form.summary.trim();
    if summary.chars().count() > MAX_SUMMARY {
        return Ok(Outcome::refused(
            "summary",
            "De samenvatting is te lang (hoogstens 50 000 tekens).",
        ));
    }
    let outcome = form.outcome.trim();
    let text = form.decision_text.trim();
    let changed = outcome != item.outcome.map(|o| o.code()).unwrap_or_default()
        || text != item.decision_text.as_deref().unwrap_or_default();
    if !outcome.is_empty() && changed {
        let decision = crate::agenda::Decision {
            seen_version: form.item_version.0,
            outcome,
            text,
        };
        let decided = crate::agenda::decide(conn, actor, site, meeting, item, decision).await?;
        if !matches!(decided, Outcome::Done(())) {
            return Ok(decided);
        }
    } else if outcome.is_empty() && !text.is_empty() {
        return Ok(Outcome::refused(
            "outcome",
            "Kies de uitkomst bij de tekst van de beslissing.",
        ));
    }
    let seen = form.version.0;
    let rows = if seen == 0 {
        sqlx::query(
            "INSERT INTO minutes_section (agenda_item_id, meeting_id, summary, modified_by)
             VALUES ($1, $2, $3, $4) ON CONFLICT (agenda_item_id) DO NOTHING",
        )
        .bind(item.id)
        .bind(meeting.id)
        .bind(summary)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE minutes_section SET summary = $3, version = version + 1, modified_by = $4,
                    modified_at = now()
             WHERE agenda_item_id = $1 AND version = $2",
        )
        .bind(item.id)
        .bind(seen)
        .bind(summary)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    };
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    audit::Entry::new("save_minutes_section", "agenda_item", item.id)
        .after(json!({ "meeting_id": meeting.id, "summary": summary }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SendForm {
    #[serde(default)]
    pub comments_until: String,
    #[serde(default)]
    pub version: Version,
}

async fn send(on: OnMeeting, Form(form): Form<SendForm>) -> Result<Response> {
    let site = Site::of(&on.ctx, &on.state.config);
    let input = Input {
        send: Some(form.clone()),
        ..Input::default()
    };
    on.run_minutes(("verstuurd", String::new()), input, async |tx, actor, m| {
        let outcome = send_for_comments(tx, actor, m, &form).await?;
        Ok(match outcome {
            Outcome::Done(until) => {
                super::notices::minutes_for_comments(tx, actor, &site, m, until).await?;
                Outcome::Done(())
            }
            Outcome::Stale => Outcome::Stale,
            Outcome::Refused(errors) => Outcome::Refused(errors),
        })
    })
    .await
}

/// Sends the draft to the members for comments until a date (today or
/// later); sent again, the date changes.
async fn send_for_comments(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    form: &SendForm,
) -> Result<Outcome<Date>> {
    if let Some(why) = writable(&mut *conn, meeting).await? {
        return Ok(Outcome::refused("form", why));
    }
    let mut check = Check::default();
    let until = check.date("comments_until", &form.comments_until);
    if until.is_some_and(|d| d < dutch::today()) {
        check.add(
            "comments_until",
            "De datum voor opmerkingen ligt in het verleden.",
        );
    }
    let (Some(until), true) = (until, check.is_ok()) else {
        return Ok(Outcome::Refused(check.errors()));
    };
    let seen = form.version.0;
    if seen == 0 {
        return Ok(Outcome::refused(
            "form",
            "Schrijf eerst het algemene deel van het verslag (op de pagina van de vergadering).",
        ));
    }
    let rows = sqlx::query(
        "UPDATE minutes SET status = 'sent', sent_at = now(), comments_until = $3,
                version = version + 1, modified_by = $4, modified_at = now()
         WHERE meeting_id = $1 AND version = $2 AND status IN ('draft', 'sent')",
    )
    .bind(meeting.id)
    .bind(seen)
    .bind(until)
    .bind(actor)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    audit::Entry::new("send_minutes", "meeting", meeting.id)
        .after(json!({ "status": "sent", "comments_until": dutch::iso_date(until) }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(until))
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CorrectionForm {
    /// "algemeen", or the id of an agenda item.
    #[serde(default)]
    pub part: String,
    /// For an item: "summary" or "decision".
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub reason: String,
}

async fn correct(on: OnMeeting, Form(form): Form<CorrectionForm>) -> Result<Response> {
    let input = Input {
        correction: Some(form.clone()),
        ..Input::default()
    };
    on.run_minutes(
        ("verbeterd", "#correcties".to_string()),
        input,
        async |tx, actor, m| correction(tx, actor, m, &form).await,
    )
    .await
}

/// Corrects approved minutes: the new text replaces the old, which is kept
/// in the correction with who, when and why.
async fn correction(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    form: &CorrectionForm,
) -> Result<Outcome> {
    let status: Option<MinutesStatus> =
        sqlx::query_scalar("SELECT status FROM minutes WHERE meeting_id = $1 FOR UPDATE")
            .bind(meeting.id)
            .fetch_optional(&mut *conn)
            .await?;
    if status != Some(MinutesStatus::Approved) {
        return Ok(Outcome::refused(
            "form",
            "Alleen een goedgekeurd verslag wordt verbeterd; een ontwerp bewerkt u gewoon.",
        ));
    }
    let mut check = Check::default();
    let reason = check.text(
        "reason",
        &form.reason,
        MAX_REASON,
        "Geef de reden van de correctie.",
    );
    let text = form.text.trim().to_string();
    if text.chars().count() > MAX_SUMMARY {
        check.add("text", "De tekst is te lang (hoogstens 50 000 tekens).");
    }
    let part = form.part.trim();
    let (item, field) = match (part, form.field.trim()) {
        ("algemeen", _) => (None, "general"),
        (id, f @ ("summary" | "decision")) => match id.parse::<i64>() {
            Ok(id) => (Some(id), f),
            Err(_) => {
                check.add("part", "Kies het deel van het verslag dat u verbetert.");
                (None, "general")
            }
        },
        _ => {
            check.add("part", "Kies het deel van het verslag dat u verbetert.");
            (None, "general")
        }
    };
    if text.is_empty() && field != "decision" {
        check.add("text", "Vul de verbeterde tekst in.");
    }
    if !check.is_ok() {
        return Ok(Outcome::Refused(check.errors()));
    }
    let old: Option<String> = match (item, field) {
        (None, _) => {
            sqlx::query_scalar(
                "UPDATE minutes m SET text = $2, version = m.version + 1, modified_by = $3,
                        modified_at = now()
                 FROM minutes old WHERE old.meeting_id = m.meeting_id AND m.meeting_id = $1
                 RETURNING old.text",
            )
            .bind(meeting.id)
            .bind(&text)
            .bind(actor)
            .fetch_optional(&mut *conn)
            .await?
        }
        (Some(id), "summary") => {
            let on_agenda: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM agenda_item a
                                WHERE a.id = $1 AND a.meeting_id = $2 AND agenda_item_on_agenda(a))",
            )
            .bind(id)
            .bind(meeting.id)
            .fetch_one(&mut *conn)
            .await?;
            if on_agenda {
                let old: Option<String> = sqlx::query_scalar(
                    "SELECT summary FROM minutes_section WHERE agenda_item_id = $1 FOR UPDATE",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO minutes_section (agenda_item_id, meeting_id, summary, modified_by)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (agenda_item_id) DO UPDATE
                     SET summary = EXCLUDED.summary, version = minutes_section.version + 1,
                         modified_by = EXCLUDED.modified_by, modified_at = now()",
                )
                .bind(id)
                .bind(meeting.id)
                .bind(&text)
                .bind(actor)
                .execute(&mut *conn)
                .await?;
                Some(old.unwrap_or_default())
            } else {
                None
            }
        }
        (Some(id), _) => {
            crate::agenda::correct_decision(conn, actor, meeting.id, id, &text).await?
        }
    };
    let Some(old) = old else {
        return Ok(Outcome::refused(
            "part",
            "Dit punt staat niet (beslist) op de agenda van deze vergadering.",
        ));
    };
    sqlx::query(
        "INSERT INTO minutes_correction
             (meeting_id, agenda_item_id, field, old_text, new_text, reason, account_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(meeting.id)
    .bind(item)
    .bind(field)
    .bind(&old)
    .bind(&text)
    .bind(&reason)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("correct_minutes", "meeting", meeting.id)
        .before(json!({ "agenda_item_id": item, "field": field, "text": old }))
        .after(json!({ "text": text, "reason": reason }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// An earlier meeting whose minutes await approval.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Awaiting {
    pub id: i64,
    pub starts_at: OffsetDateTime,
    /// An agenda item (accepted or dealt with) approves them already.
    pub on_agenda: bool,
}

/// The earlier meetings of `body` (before `before`) whose minutes await
/// approval (a draft, or sent for comments), newest first: what an item
/// of a later meeting can approve.
pub(crate) async fn awaiting_approval(
    db: impl PgExecutor<'_>,
    body: i64,
    before: OffsetDateTime,
) -> sqlx::Result<Vec<Awaiting>> {
    sqlx::query_as(
        "SELECT m.id, m.starts_at,
                EXISTS (SELECT 1 FROM agenda_item a
                        WHERE a.approves_minutes_of_id = m.id
                          AND a.status IN ('accepted', 'dealt_with')) AS on_agenda
         FROM meeting m JOIN minutes mi ON mi.meeting_id = m.id
         WHERE m.body_id = $1 AND m.starts_at < $2 AND m.status <> 'cancelled'
           AND mi.status IN ('draft', 'sent')
         ORDER BY m.starts_at DESC LIMIT 24",
    )
    .bind(body)
    .bind(before)
    .fetch_all(db)
    .await
}

/// Approves the minutes of meeting `of` because the later meeting `at`
/// decided so on its item `item` ("Goedkeuring van het verslag"): approved
/// on the day of `at`, locked, audited with the item, and the members told,
/// as the meeting page's approval does. Minutes already approved stay as
/// they are; minutes that are not there yet are refused.
pub(crate) async fn approve_by_item(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    of: i64,
    at: &Meeting,
    item: i64,
) -> Result<Outcome> {
    let status: Option<MinutesStatus> =
        sqlx::query_scalar("SELECT status FROM minutes WHERE meeting_id = $1 FOR UPDATE")
            .bind(of)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(meeting) = queries::get(&mut *conn, of).await? else {
        return Ok(Outcome::Stale);
    };
    match status {
        Some(MinutesStatus::Approved) => return Ok(Outcome::Done(())),
        None => {
            return Ok(Outcome::refused(
                "outcome",
                format!(
                    "Het verslag van de vergadering van {} is er nog niet: er is niets goed te \
                     keuren. Noteer een andere uitkomst of schrijf eerst het verslag.",
                    meeting.long_day()
                ),
            ));
        }
        Some(_) => {}
    }
    let on = dutch::brussels(at.starts_at).date();
    if on < dutch::brussels(meeting.starts_at).date() {
        return Ok(Outcome::refused(
            "outcome",
            "Een verslag wordt niet goedgekeurd vóór de vergadering.",
        ));
    }
    sqlx::query(
        "UPDATE minutes SET status = 'approved', approved_on = $2, version = version + 1,
                modified_by = $3, modified_at = now()
         WHERE meeting_id = $1",
    )
    .bind(of)
    .bind(on)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("approve_minutes", "meeting", of)
        .before(json!({ "status": status }))
        .after(json!({
            "status": "approved",
            "approved_on": dutch::iso_date(on),
            "by_agenda_item": item,
            "at_meeting": at.id,
        }))
        .write(conn, actor)
        .await?;
    super::notices::minutes_approved(conn, actor, site, &meeting).await?;
    Ok(Outcome::Done(()))
}

async fn publish_decisions(on: OnMeeting) -> Result<Response> {
    on.run_minutes(
        ("gepubliceerd", String::new()),
        Input::default(),
        async |tx, actor, m| {
            if m.starts_at > OffsetDateTime::now_utc() || m.is_cancelled() {
                return Ok(Outcome::refused(
                    "form",
                    "Een besluitenlijst is er pas na de vergadering.",
                ));
            }
            let rows = sqlx::query(
                "UPDATE meeting SET decisions_published_at = now()
                 WHERE id = $1 AND decisions_published_at IS NULL",
            )
            .bind(m.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if rows == 0 {
                return Ok(Outcome::Stale);
            }
            audit::Entry::new("publish_decisions", "meeting", m.id)
                .write(tx, actor)
                .await?;
            Ok(Outcome::Done(()))
        },
    )
    .await
}
