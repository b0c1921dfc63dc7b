//! The secretariat's forms: scheduling, status, invitations, attendance and
//! minutes; and a user's personal calendar link.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::{OffsetDateTime, Time};

use super::convocation::{self, Occasion};
use super::queries::{self, BodyKind, Meeting, MeetingFields, MeetingStatus};
use super::{OnMeeting, PageInput, load, render_meeting};
use crate::base::error::{AppError, Result};
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, Check, FieldErrors, Id, PageCtx, Version, dutch, page};
use crate::mail::Site;

const MAX_TEXT: usize = 500;
const MAX_NOTES: usize = 10_000;

fn redirect(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/vergaderingen/{id}?melding={melding}")).into_response()
}

/// The meeting form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeetingForm {
    /// Body and kind in one choice: `<body id>:<kind code>`.
    #[serde(default)]
    pub body_kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub notes: String,
    /// Until when proposals are expected (optional): date and hour.
    #[serde(default)]
    pub deadline_date: String,
    #[serde(default)]
    pub deadline_time: String,
    #[serde(default)]
    pub reason: String,
    /// Checked: schedule the meeting even though its date has passed.
    #[serde(default)]
    pub confirm_past: String,
    #[serde(default)]
    pub version: Version,
}

const NO_SUCH_HOUR: &str = "Dit uur bestaat niet die dag: de klok springt dan van 2 naar 3 uur.";

impl MeetingForm {
    fn from_meeting(m: &Meeting) -> Self {
        let start = dutch::brussels(m.starts_at);
        MeetingForm {
            body_kind: format!("{}:{}", m.body_id, m.kind.code()),
            date: dutch::iso_date(start.date()),
            start: dutch::hhmm(start),
            end: dutch::hhmm(dutch::brussels(m.ends_at)),
            location: m.location.clone(),
            online_url: m.online_url.clone().unwrap_or_default(),
            notes: m.notes.clone(),
            deadline_date: m
                .proposal_deadline
                .map(|d| dutch::iso_date(dutch::brussels(d).date()))
                .unwrap_or_default(),
            deadline_time: m
                .proposal_deadline
                .map(|d| dutch::hhmm(dutch::brussels(d)))
                .unwrap_or_default(),
            reason: String::new(),
            confirm_past: String::new(),
            version: Version(m.version),
        }
    }

    /// The fields, or what is wrong with them. `choices` are the bodies
    /// with the kinds they hold; the operation checks the pair again.
    /// `kept` is the proposal deadline stored now: it may have passed, a
    /// new one may not.
    fn parse(
        &self,
        choices: &[BodyKind],
        kept: Option<OffsetDateTime>,
    ) -> std::result::Result<MeetingFields, FieldErrors> {
        let mut check = Check::default();
        let typed = self.body_kind.trim();
        let chosen = choices.iter().find(|c| c.value() == typed);
        if chosen.is_none() {
            check.add(
                "body_kind",
                if typed.is_empty() {
                    "Kies een orgaan en de soort vergadering."
                } else {
                    "Kies een orgaan en soort uit de lijst: dit orgaan houdt geen vergaderingen van deze soort."
                },
            );
        }
        let (body_id, kind) = match chosen {
            Some(c) => (Some(c.body_id), Some(c.kind)),
            None => (None, None),
        };
        let date = dutch::parse_date(&self.date).filter(|d| (2000..=2100).contains(&d.year()));
        if date.is_none() {
            check.add("date", "Vul een geldige datum in (JJJJ-MM-DD).");
        }
        let (start, end) = hours(&mut check, &self.start, &self.end);
        let mut starts_at = None;
        let mut ends_at = None;
        if let (Some(d), Some(s), Some(t)) = (date, start, end) {
            starts_at = dutch::from_brussels(d, s);
            ends_at = dutch::from_brussels(d, t);
            if starts_at.is_none() {
                check.add("start", NO_SUCH_HOUR);
            }
            if ends_at.is_none() {
                check.add("end", NO_SUCH_HOUR);
            }
            if let (Some(a), Some(b)) = (starts_at, ends_at)
                && b <= a
            {
                check.add("end", "Het einduur moet na het beginuur liggen.");
            }
        }
        let location = check.at_most(
            "location",
            &self.location,
            MAX_TEXT,
            "De plaats mag hoogstens 500 tekens lang zijn.",
        );
        let online_url = self.online_url.trim().to_string();
        if !online_url.is_empty()
            && (!(online_url.starts_with("https://") || online_url.starts_with("http://"))
                || online_url.chars().count() > MAX_TEXT
                || online_url.chars().any(char::is_whitespace))
        {
            check.add(
                "online_url",
                "Een onlinelink begint met https:// en bevat geen spaties.",
            );
        }
        let notes = check.at_most(
            "notes",
            &self.notes,
            MAX_NOTES,
            "De notities mogen hoogstens 10 000 tekens lang zijn.",
        );
        if self.reason.chars().count() > MAX_TEXT {
            check.add("reason", "De reden mag hoogstens 500 tekens lang zijn.");
        }
        let proposal_deadline = self.deadline(&mut check, starts_at, kept);
        match (body_id, kind, starts_at, ends_at, check.is_ok()) {
            (Some(body_id), Some(kind), Some(starts_at), Some(ends_at), true) => {
                Ok(MeetingFields {
                    body_id,
                    kind,
                    starts_at,
                    ends_at,
                    location,
                    online_url: (!online_url.is_empty()).then_some(online_url),
                    notes,
                    proposal_deadline,
                })
            }
            _ => Err(check.errors()),
        }
    }
}

impl MeetingForm {
    /// The proposal deadline: none when both fields are empty; a date
    /// alone means the end of that working day (17:00); before the start.
    fn deadline(
        &self,
        check: &mut Check,
        starts_at: Option<OffsetDateTime>,
        kept: Option<OffsetDateTime>,
    ) -> Option<OffsetDateTime> {
        let (date, time) = (self.deadline_date.trim(), self.deadline_time.trim());
        if date.is_empty() && time.is_empty() {
            return None;
        }
        let Some(day) = dutch::parse_date(date).filter(|d| (2000..=2100).contains(&d.year()))
        else {
            check.add(
                "deadline_date",
                "Vul de datum van de termijn voor voorstellen in (JJJJ-MM-DD), of laat beide velden leeg.",
            );
            return None;
        };
        let hour = if time.is_empty() {
            Some(time::macros::time!(17:00))
        } else {
            dutch::parse_time(time)
        };
        let Some(hour) = hour else {
            check.add("deadline_time", "Vul het uur van de termijn in (UU:MM).");
            return None;
        };
        let Some(at) = dutch::from_brussels(day, hour) else {
            check.add("deadline_time", NO_SUCH_HOUR);
            return None;
        };
        if starts_at.is_some_and(|s| at >= s) {
            check.add(
                "deadline_date",
                "De termijn voor voorstellen moet vóór het begin van de vergadering liggen.",
            );
        } else if at < OffsetDateTime::now_utc() && kept != Some(at) {
            check.add(
                "deadline_date",
                "De termijn voor voorstellen ligt in het verleden: kies een later moment.",
            );
        }
        Some(at)
    }
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    ctx: PageCtx,
    meeting: Option<Meeting>,
    form: MeetingForm,
    errors: FieldErrors,
    choices: Vec<BodyKind>,
}

impl FormPage {
    /// Ask to confirm a date in the past: when it was refused for that,
    /// or confirmed already.
    fn asks_past(&self) -> bool {
        self.errors.get("confirm_past").is_some() || !self.form.confirm_past.is_empty()
    }
}

/// The choices of body and kind for a meeting or series being changed
/// (`body` its body): it stays with its body, so only its body's kinds are
/// offered.
pub(super) fn keep_body(choices: &mut Vec<BodyKind>, body: Option<i64>) {
    if let Some(body) = body {
        choices.retain(|c| c.body_id == body);
    }
}

/// The start and end hours (HH:MM) of a meeting or a series' meetings, each
/// with its message when it is not one.
pub(super) fn hours(check: &mut Check, start: &str, end: &str) -> (Option<Time>, Option<Time>) {
    let start_at = dutch::parse_time(start);
    if start_at.is_none() {
        check.add("start", "Vul een beginuur in (UU:MM).");
    }
    let end_at = dutch::parse_time(end);
    if end_at.is_none() {
        check.add("end", "Vul een einduur in (UU:MM).");
    }
    (start_at, end_at)
}

/// The meeting form, with the choices the handler read already.
fn form_page(
    ctx: PageCtx,
    meeting: Option<Meeting>,
    form: MeetingForm,
    errors: FieldErrors,
    mut choices: Vec<BodyKind>,
    status: StatusCode,
) -> Response {
    keep_body(&mut choices, meeting.as_ref().map(|m| m.body_id));
    let page = FormPage {
        ctx,
        meeting,
        form,
        errors,
        choices,
    };
    (status, page::render(&page)).into_response()
}

const PAST: &str = "De datum ligt in het verleden. Vink \u{201c}Toch inplannen\u{201d} aan om de vergadering toch in te plannen.";

/// The fields of a new meeting: a meeting that has begun already is only
/// scheduled when the secretariat confirms it.
fn new_meeting(
    form: &MeetingForm,
    choices: &[BodyKind],
) -> std::result::Result<MeetingFields, FieldErrors> {
    let fields = form.parse(choices, None)?;
    if fields.starts_at < time::OffsetDateTime::now_utc() && form.confirm_past.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("confirm_past", PAST);
        return Err(errors);
    }
    Ok(fields)
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let form = MeetingForm {
        start: "10:00".into(),
        end: "12:00".into(),
        ..MeetingForm::default()
    };
    let choices = queries::body_kinds(&state.db).await?;
    Ok(form_page(
        ctx,
        None,
        form,
        FieldErrors::default(),
        choices,
        StatusCode::OK,
    ))
}

pub async fn create(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Form(form): Form<MeetingForm>,
) -> Result<Response> {
    let choices = queries::body_kinds(&state.db).await?;
    let fields = new_meeting(&form, &choices);
    let outcome = write::run_form(&state.db, fields, async |tx, fields| {
        queries::schedule(tx, actor.id, &fields).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze vergadering")) {
        Ok(id) => Ok(redirect(id, "aangemaakt")),
        Err((status, errors)) => Ok(form_page(ctx, None, form, errors, choices, status)),
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    // Both kept until the next change (writes load the meeting afresh
    // through `On<Meeting>`): the form is what the secretariat opens most.
    let meeting = state
        .cache
        .data(format!("meeting {id}"), load(&state, id))
        .await?;
    let choices = state
        .cache
        .data("body kinds".to_string(), queries::body_kinds(&state.db))
        .await?;
    let form = MeetingForm::from_meeting(&meeting);
    let ok = StatusCode::OK;
    Ok(form_page(
        ctx,
        Some(Meeting::clone(&meeting)),
        form,
        FieldErrors::default(),
        choices.to_vec(),
        ok,
    ))
}

pub async fn update(on: OnMeeting, Form(form): Form<MeetingForm>) -> Result<Response> {
    let mut choices = queries::body_kinds(&on.state.db).await?;
    let meeting = &on.record;
    // The meeting stays with its body: only its body's kinds are choices.
    choices.retain(|c| c.body_id == meeting.body_id);
    let site = Site::of(&on.ctx, &on.state.config);
    let outcome = write::run_form(
        &on.state.db,
        form.parse(&choices, meeting.proposal_deadline),
        async |tx, fields| {
            let reason = form.reason.trim();
            let outcome =
                queries::update(tx, on.actor.id, meeting, form.version.0, &fields, reason).await?;
            // The invitees of a convened meeting hear of a new time or place.
            if matches!(outcome, Outcome::Done(())) && meeting.status == MeetingStatus::Convened {
                let after = queries::get(&mut *tx, meeting.id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let moved = (
                    after.starts_at,
                    after.ends_at,
                    &after.location,
                    &after.online_url,
                ) != (
                    meeting.starts_at,
                    meeting.ends_at,
                    &meeting.location,
                    &meeting.online_url,
                );
                if moved {
                    let occasion = Occasion::Rescheduled;
                    convocation::write(tx, Some(on.actor.id), &after, occasion, &site).await?;
                }
            }
            Ok(outcome)
        },
    )
    .await?;
    let stale = if meeting.is_open() {
        write::stale_errors("deze vergadering")
    } else {
        let mut errors = FieldErrors::default();
        errors.add(
            "form",
            "Een gehouden of geannuleerde vergadering wordt niet meer gewijzigd.",
        );
        errors
    };
    match outcome.settle(stale) {
        Ok(()) => Ok(redirect(meeting.id, "opgeslagen")),
        Err((status, errors)) => {
            let meeting = Some(on.record);
            Ok(form_page(on.ctx, meeting, form, errors, choices, status))
        }
    }
}

impl OnMeeting {
    /// Runs `operation` (given the actor and the meeting) in one
    /// transaction. Done, to the meeting page with the notice `done` makes
    /// of what the operation returned; else the meeting page again with
    /// what went wrong and what was typed: a stale write as a conflict
    /// (`stale` says why), a refusal as such.
    async fn run<T>(
        self,
        done: impl FnOnce(T) -> String,
        stale: String,
        input: PageInput,
        operation: impl AsyncFnOnce(&mut PgConnection, i64, &Meeting) -> Result<Outcome<T>>,
    ) -> Result<Response> {
        let (actor, meeting) = (self.actor.id, &self.record);
        let outcome = write::run(&self.state.db, async |tx| {
            operation(tx, actor, meeting).await
        });
        let mut errors = FieldErrors::default();
        errors.add("form", stale);
        match outcome.await?.settle(errors) {
            Ok(value) => Ok(redirect(meeting.id, &done(value))),
            Err((status, errors)) => {
                let input = PageInput { errors, ..input };
                render_meeting(&self.state, self.ctx, meeting.id, status, input).await
            }
        }
    }
}

/// The signed-in invitee's own answer, on the meeting page: as through
/// the personal link, for the person the account is. An account that is
/// no invitee (or no person) is told it cannot answer.
pub async fn answer(on: OnMeeting, Form(form): Form<super::rsvp::AnswerForm>) -> Result<Response> {
    let person = on.actor.person_id;
    let checked = form.check();
    let input = PageInput {
        answer: Some(form),
        ..PageInput::default()
    };
    let stale = "U bent niet uitgenodigd op deze vergadering, of ze is begonnen of geannuleerd: \
                 antwoorden kan niet (meer)."
        .to_string();
    on.run(
        says("geantwoord"),
        stale,
        input,
        async |tx, actor, m| match (person, checked) {
            (None, _) => Ok(Outcome::Stale),
            (Some(person), Ok((a, substitute))) => {
                super::rsvp::save(tx, Some(actor), m.id, person, a, substitute).await
            }
            (_, Err(errors)) => Ok(Outcome::Refused(errors)),
        },
    )
    .await
}

/// The notice `code` after a write that returns nothing.
fn says(code: &'static str) -> impl FnOnce(()) -> String {
    move |()| code.to_string()
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    naar: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    version: Version,
}

pub async fn change_status(on: OnMeeting, Form(form): Form<StatusForm>) -> Result<Response> {
    let to = MeetingStatus::parse(&form.naar)
        .filter(|s| *s != MeetingStatus::Planned)
        .ok_or_else(|| AppError::bad_request("Onbekende status."))?;
    let from = on.record.status;
    let stale = if from.can_become(to) {
        write::stale_message("deze vergadering")
    } else {
        let (from, to) = (from.label(), to.label());
        format!("Een vergadering die {from} is, kan niet {to} worden.")
    };
    let input = PageInput {
        cancel_reason: Some(form.reden.clone()),
        ..PageInput::default()
    };
    // The notice says what happened: "bijeengeroepen", "gehouden", "geannuleerd".
    let done = says(match to {
        MeetingStatus::Convened => "bijeengeroepen",
        MeetingStatus::Held => "gehouden",
        _ => "geannuleerd",
    });
    // Convening sends the convocations; cancelling a convened meeting tells
    // the invitees: in the transaction of the change.
    let occasion = match (from, to) {
        (_, MeetingStatus::Convened) => Some(Occasion::Convened),
        (MeetingStatus::Convened, MeetingStatus::Cancelled) => Some(Occasion::Cancelled),
        _ => None,
    };
    let site = Site::of(&on.ctx, &on.state.config);
    on.run(done, stale, input, async |tx, actor, m| {
        let outcome = queries::set_status(tx, actor, m, form.version.0, to, &form.reden).await?;
        if matches!(outcome, Outcome::Done(())) && to == MeetingStatus::Held {
            // What the meeting dealt with is its adopted agenda.
            crate::agenda::adopt_version(tx, Some(actor), m.id).await?;
        }
        if let (Outcome::Done(()), Some(occasion)) = (&outcome, occasion) {
            if occasion == Occasion::Convened {
                // Sending the agenda freezes its version A.
                crate::agenda::freeze_version(tx, Some(actor), m.id).await?;
            }
            let after = queries::get(&mut *tx, m.id)
                .await?
                .ok_or(AppError::NotFound)?;
            convocation::write(tx, Some(actor), &after, occasion, &site).await?;
        }
        Ok(outcome)
    })
    .await
}

/// Reminds the invitees who have not answered (of a convened meeting that
/// has not started): a new message with their answer link.
pub async fn remind(on: OnMeeting) -> Result<Response> {
    let site = Site::of(&on.ctx, &on.state.config);
    let stale = "Alleen wie uitgenodigd is op een bijeengeroepen vergadering die nog moet \
                 beginnen, krijgt een herinnering."
        .to_string();
    let done = |n: usize| format!("herinnerd&aantal={n}");
    on.run(done, stale, PageInput::default(), async |tx, actor, m| {
        let open =
            m.status == MeetingStatus::Convened && m.starts_at > time::OffsetDateTime::now_utc();
        if !open {
            return Ok(Outcome::Stale);
        }
        let written = convocation::write(tx, Some(actor), m, Occasion::Reminder, &site).await?;
        Ok(Outcome::Done(written.messages))
    })
    .await
}

pub async fn invite_composition(on: OnMeeting) -> Result<Response> {
    let (actor, meeting) = (on.actor.id, &on.record);
    let outcome = write::run(&on.state.db, async |tx| {
        queries::invite_from_composition(tx, actor, meeting).await
    })
    .await?;
    match outcome {
        Outcome::Done(invited) if invited.added == 0 && invited.named == 0 => {
            Ok(redirect(meeting.id, "samenstelling-leeg"))
        }
        Outcome::Done(invited) => Ok(redirect(
            meeting.id,
            &format!("toegevoegd&aantal={}", invited.added),
        )),
        _ => Err(AppError::Conflict(write::stale_message("deze vergadering"))),
    }
}

/// The people chosen to invite or remove: every `person_id` sent (a
/// multiple choice sends one per person); `None` for one that is not a
/// number.
fn chosen_people(fields: &[(String, String)]) -> Vec<Option<i64>> {
    fields
        .iter()
        .filter(|(key, _)| key == "person_id")
        .map(|(_, value)| value.trim().parse().ok())
        .collect()
}

pub async fn invite_person(
    on: OnMeeting,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let people = chosen_people(&fields);
    let stale = write::stale_message("deze vergadering");
    let done = |added: u64| format!("toegevoegd&aantal={added}");
    on.run(done, stale, PageInput::default(), async |tx, actor, m| {
        queries::invite(tx, actor, m.id, &people).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    person_id: String,
}

impl PersonForm {
    fn person(&self) -> Option<i64> {
        self.person_id.trim().parse().ok()
    }
}

pub async fn uninvite_person(on: OnMeeting, Form(form): Form<PersonForm>) -> Result<Response> {
    let meeting = on.record.id;
    let outcome = write::run(&on.state.db, async |tx| {
        queries::uninvite(tx, on.actor.id, meeting, form.person()).await
    })
    .await?;
    match outcome {
        Outcome::Done(()) => Ok(redirect(meeting, "uitnodigingen")),
        _ => Err(AppError::NotFound),
    }
}

/// The attendance register as typed: `aanwezigheid-<person>` and
/// `vertegenwoordigd-<person>` for every invited person.
fn typed_attendance(fields: &[(String, String)]) -> Vec<(i64, String, String)> {
    let mut typed: Vec<(i64, String, String)> = Vec::new();
    for (key, value) in fields {
        let (prefix, person) = key.split_once('-').unwrap_or_default();
        let Ok(person) = person.parse::<i64>() else {
            continue;
        };
        let i = match typed.iter().position(|(p, _, _)| *p == person) {
            Some(i) => i,
            None => {
                typed.push((person, String::new(), String::new()));
                typed.len() - 1
            }
        };
        match prefix {
            "aanwezigheid" => typed[i].1 = value.trim().to_string(),
            "vertegenwoordigd" => typed[i].2 = value.trim().to_string(),
            _ => {}
        }
    }
    typed
}

/// The attendance register (see [`typed_attendance`]).
pub async fn attendance(
    on: OnMeeting,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let typed = typed_attendance(&fields);
    let stale = write::stale_message("deze vergadering");
    let input = PageInput {
        attendance: typed.clone(),
        ..PageInput::default()
    };
    on.run(says("aanwezigheid"), stale, input, async |tx, actor, m| {
        queries::record_attendance(tx, actor, m, &typed).await
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: Version,
    #[serde(default)]
    approved_on: String,
    /// The confirmation checkbox of the approval.
    #[serde(default)]
    bevestigd: String,
}

pub async fn save_minutes(on: OnMeeting, Form(form): Form<MinutesForm>) -> Result<Response> {
    let input = PageInput {
        minutes_text: Some(form.text.clone()),
        ..PageInput::default()
    };
    let stale = write::stale_message("het verslag");
    on.run(says("verslag"), stale, input, async |tx, actor, m| {
        queries::save_minutes(tx, actor, m, form.version.0, &form.text).await
    })
    .await
}

pub async fn approve_minutes(on: OnMeeting, Form(form): Form<MinutesForm>) -> Result<Response> {
    let date = dutch::parse_date(&form.approved_on);
    let confirmed = !form.bevestigd.trim().is_empty();
    let stale = write::stale_message("het verslag");
    let input = PageInput {
        approved_on: Some(form.approved_on.clone()),
        ..PageInput::default()
    };
    let site = Site::of(&on.ctx, &on.state.config);
    on.run(says("goedgekeurd"), stale, input, async |tx, actor, m| {
        let outcome =
            queries::approve_minutes(tx, actor, m, form.version.0, date, confirmed).await?;
        if let Outcome::Done(()) = outcome {
            super::notices::minutes_approved(tx, actor, &site, m).await?;
        }
        Ok(outcome)
    })
    .await
}

#[derive(Template)]
#[template(path = "meetings/calendar_link.html")]
struct CalendarLinkPage {
    ctx: PageCtx,
    link: Option<String>,
}

pub async fn new_calendar_link(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
) -> Result<Response> {
    let token = write::commit(&state.db, async |tx| {
        crate::accounts::new_calendar_token(tx, actor.id).await
    })
    .await?;
    let link = Some(format!("/kalender/persoonlijk/{token}.ics"));
    Ok(page::render(&CalendarLinkPage { ctx, link }))
}

pub async fn revoke_calendar_link(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
) -> Result<Response> {
    write::commit(&state.db, async |tx| {
        crate::accounts::revoke_calendar_token(tx, actor.id).await
    })
    .await?;
    Ok(page::render(&CalendarLinkPage { ctx, link: None }))
}
