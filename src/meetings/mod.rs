//! Meetings: the calendar, the meeting page, scheduling by the secretariat,
//! invitations, attendance, minutes, and iCalendar feeds.

pub mod convocation;
mod forms;
pub mod ical;
mod minutes;
pub mod notices;
pub mod queries;
mod reminders;
pub mod rsvp;
mod series;

pub(crate) use minutes::{approve_by_item, awaiting_approval};
pub use queries::{InvitationReason, Meeting, MeetingKind, MeetingStatus, MinutesStatus};

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::access::{Access, Routes, SECRETARIAT};
use crate::auth::{CurrentUser, Reader, Role};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::{AppState, FieldErrors, Id, Origin, PageCtx, dutch, page};
use crate::cache::stored::Kind;
use queries::{Minutes, Participant, Reschedule};

/// The per-body reminder setting's page (`reminders`).
pub fn reminder_routes() -> Routes {
    reminders::routes()
}

pub fn routes() -> Routes {
    minutes::routes()
        .get("/vergaderingen", Access::Public, calendar)
        .get("/vergaderingen/{id}", Access::Public, show)
        .get(
            "/vergaderingen/{id}/uitnodigingen",
            Access::SignedIn,
            invitation_list,
        )
        .get("/kalender/{file}", Access::Public, body_feed)
        .get(
            "/kalender/persoonlijk/{file}",
            Access::Public,
            personal_feed,
        )
        .post(
            "/account/kalender",
            Access::SignedIn,
            forms::new_calendar_link,
        )
        .post(
            "/account/kalender/intrekken",
            Access::SignedIn,
            forms::revoke_calendar_link,
        )
        .get("/beheer/vergaderingen/nieuw", SECRETARIAT, forms::new_form)
        .post("/beheer/vergaderingen", SECRETARIAT, forms::create)
        .get(
            "/vergaderingen/{id}/bewerken",
            SECRETARIAT,
            forms::edit_form,
        )
        .post("/vergaderingen/{id}/bewerken", SECRETARIAT, forms::update)
        .post(
            "/vergaderingen/{id}/status",
            SECRETARIAT,
            forms::change_status,
        )
        .post(
            "/vergaderingen/{id}/uitnodigingen/samenstelling",
            SECRETARIAT,
            forms::invite_composition,
        )
        .post("/vergaderingen/{id}/herinneren", SECRETARIAT, forms::remind)
        .post(
            "/vergaderingen/{id}/antwoord",
            Access::SignedIn,
            forms::answer,
        )
        .post(
            "/vergaderingen/{id}/uitnodigingen/toevoegen",
            SECRETARIAT,
            forms::invite_person,
        )
        .post(
            "/vergaderingen/{id}/uitnodigingen/verwijderen",
            SECRETARIAT,
            forms::uninvite_person,
        )
        .post(
            "/vergaderingen/{id}/aanwezigheid",
            SECRETARIAT,
            forms::attendance,
        )
        .post(
            "/vergaderingen/{id}/verslag",
            SECRETARIAT,
            forms::save_minutes,
        )
        .post(
            "/vergaderingen/{id}/verslag/goedkeuren",
            SECRETARIAT,
            forms::approve_minutes,
        )
        .merge(series::routes())
}

/// The meeting, or "not found".
pub(crate) async fn load(state: &AppState, id: i64) -> Result<Meeting> {
    queries::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// What every write on a meeting starts from: the page's context, who acts,
/// the state, and the meeting of the path (or "not found").
pub type OnMeeting = On<Meeting>;

impl Named for Meeting {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        load(state, parse_id(param(path, 0))?).await
    }
}

impl Meeting {
    /// "dinsdag 10 juni 2026": the day it starts, in Brussels.
    pub fn long_day(&self) -> String {
        dutch::nl_day(dutch::brussels(self.starts_at).date())
    }

    /// Label and value, as a printed document heads itself with them:
    /// body, kind, date and hours, the place and link for a `member`
    /// (`meeting_internals_visible`), the status.
    pub fn facts(&self, member: bool) -> Vec<[String; 2]> {
        let (start, end) = (
            dutch::brussels(self.starts_at),
            dutch::brussels(self.ends_at),
        );
        let mut facts = vec![
            ["Orgaan".into(), self.body_name.clone()],
            ["Soort".into(), self.kind.label().to_string()],
        ];
        if start.date() == end.date() {
            facts.push(["Datum".into(), self.long_day()]);
            let hours = format!("{} – {}", dutch::hhmm(start), dutch::hhmm(end));
            facts.push(["Uur".into(), hours]);
        } else {
            facts.push(["Datum".into(), self.when().to_string()]);
        }
        if member {
            let place = if self.location.is_empty() {
                "nog niet bepaald".to_string()
            } else {
                self.location.clone()
            };
            facts.push(["Plaats".into(), place]);
            if let Some(url) = &self.online_url {
                facts.push(["Online".into(), url.clone()]);
            }
        }
        let status = match &self.cancel_reason {
            Some(reason) if self.is_cancelled() => format!("{} — {reason}", self.status.label()),
            _ => self.status.label().to_string(),
        };
        facts.push(["Status".into(), status]);
        facts
    }

    pub fn when(&self) -> dutch::When {
        dutch::When {
            start: self.starts_at,
            end: self.ends_at,
        }
    }

    pub fn day(&self) -> u8 {
        dutch::brussels(self.starts_at).day()
    }

    pub fn weekday(&self) -> &'static str {
        dutch::nl_weekday(dutch::brussels(self.starts_at).date())
    }

    pub fn time_range(&self) -> String {
        format!(
            "{} – {}",
            dutch::hhmm(dutch::brussels(self.starts_at)),
            dutch::hhmm(dutch::brussels(self.ends_at))
        )
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == MeetingStatus::Cancelled
    }

    /// Planned or convened: not yet held nor cancelled, so still to change.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            MeetingStatus::Planned | MeetingStatus::Convened
        )
    }
}

/// The people invited to `meeting` (those no longer invited left out), for
/// another area that shows the invitation list to whom `is_member` allows.
pub(crate) async fn invitees(state: &AppState, meeting: i64) -> Result<Vec<queries::Participant>> {
    Ok(queries::participants(&state.db, meeting)
        .await?
        .into_iter()
        .filter(|p| p.invited)
        .collect())
}

/// May this viewer see the internals (place, invitations, attendance) of a
/// meeting? The rule `meeting_internals_visible`.
pub(crate) async fn is_member(
    state: &AppState,
    user: Option<&CurrentUser>,
    m: &Meeting,
) -> Result<bool> {
    Ok(queries::internals_visible(&state.db, Reader::of(user), m.id).await?)
}

// --- the calendar ---

#[derive(Debug, Deserialize)]
struct CalendarQuery {
    orgaan: Option<String>,
    jaar: Option<String>,
}

pub struct MonthGroup {
    pub label: String,
    pub meetings: Vec<Meeting>,
}

#[derive(Template)]
#[template(path = "meetings/calendar.html")]
struct CalendarPage<'a> {
    ctx: PageCtx,
    bodies: &'a [(i64, String, String)],
    years: Vec<i32>,
    body: String,
    year: i32,
    months: Vec<MonthGroup>,
    upcoming: Vec<Meeting>,
    error: Option<String>,
}

async fn calendar(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response> {
    let today = dutch::today();
    let body = q.orgaan.unwrap_or_default().trim().to_string();
    let mut error = None;
    let year = match q.jaar.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today.year(),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => y,
            _ => {
                error = Some(format!(
                    "\u{201c}{s}\u{201d} is geen geldig jaar; u ziet {}.",
                    today.year()
                ));
                today.year()
            }
        },
    };
    // The same for every reader: a read model per body and year, kept
    // while no meeting or body changes (and a minute at most: the next
    // meetings move with the clock). An unknown body is not stored: the
    // calendar of all bodies is shown with why.
    let view = match calendar_view(&state, (!body.is_empty()).then_some(body.as_str()), year).await
    {
        Err(AppError::NotFound) => {
            // A wrong year is said first, as before.
            error.get_or_insert_with(|| {
                "Dit orgaan bestaat niet; hieronder staan de vergaderingen van alle organen."
                    .to_string()
            });
            calendar_view(&state, None, year).await?
        }
        other => other?,
    };
    let chosen = view.chosen.clone();
    let now = time::OffsetDateTime::now_utc();
    let upcoming: Vec<Meeting> = chosen
        .iter()
        .filter(|m| m.ends_at >= now && !m.is_cancelled())
        .take(3)
        .cloned()
        .collect();
    let meetings: Vec<Meeting> = chosen
        .into_iter()
        .filter(|m| dutch::brussels(m.starts_at).year() == year)
        .collect();
    let mut months: Vec<MonthGroup> = Vec::new();
    for m in meetings {
        let month = dutch::brussels(m.starts_at).month();
        let label = format!("{} {}", dutch::nl_month(month), year);
        match months.last_mut() {
            Some(g) if g.label == label => g.meetings.push(m),
            _ => months.push(MonthGroup {
                label,
                meetings: vec![m],
            }),
        }
    }
    let mut years = view.years.clone();
    for y in [today.year(), year] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = CalendarPage {
        ctx,
        bodies: &view.bodies,
        years,
        body,
        year,
        months,
        upcoming,
        error,
    };
    Ok((status, page::render(&page)).into_response())
}

/// What the calendar of a year (of one body, or of all) shows, the same
/// for every reader.
#[derive(Serialize, Deserialize)]
struct CalendarView {
    bodies: Vec<(i64, String, String)>,
    /// The year's meetings and the next three (`queries::calendar`).
    chosen: Vec<Meeting>,
    /// The years that have meetings.
    years: Vec<i32>,
}

/// The calendar's read model.
pub static CALENDAR: Kind = Kind {
    name: "calendar",
    tables: &["body", "meeting"],
    clock: true,
    most: None,
};

/// The calendar of `year` for the body `slug` (all bodies: `None`); an
/// unknown body is "not found".
async fn calendar_view(
    state: &AppState,
    slug: Option<&str>,
    year: i32,
) -> Result<std::sync::Arc<CalendarView>> {
    let read = async {
        let bodies = crate::composition::body_choices(&state.db).await?;
        if slug.is_some_and(|s| !bodies.iter().any(|(_, b, _)| b == s)) {
            return Err(AppError::NotFound);
        }
        Ok(CalendarView {
            chosen: queries::calendar(&state.db, slug, year).await?,
            years: queries::years(&state.db).await?,
            bodies,
        })
    };
    let key = format!("{} {year}", slug.unwrap_or(""));
    state.cache.stored(&state.db, &CALENDAR, key, read).await
}

// --- the meeting page ---

pub struct Warning(pub String);

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage<'a> {
    ctx: PageCtx,
    meeting: &'a Meeting,
    member: bool,
    secretariat: bool,
    reschedules: &'a [Reschedule],
    participants: &'a [Participant],
    /// The viewer's own invitation, while they can still answer it.
    own: Option<&'a Participant>,
    versions: &'a [queries::SentVersion],
    minutes: Option<Minutes>,
    warnings: Vec<Warning>,
    /// The meeting's series, for the secretariat.
    series: Option<series::OfMeeting>,
    agenda: &'a [crate::agenda::AgendaItem],
    people: Vec<(i64, String)>,
    attendance_options: [queries::Attendance; 4],
    notice: Option<String>,
    input: PageInput,
    documents: &'a [crate::agenda::DocumentLink],
    /// The standing item "Opvolging actiepunten".
    follow_up: &'a [crate::actions::ActionPoint],
}

impl ShowPage<'_> {
    /// The viewer's answer as the form shows it: as typed, else as stored.
    fn own_answer(&self) -> (String, String) {
        if let Some(typed) = &self.input.answer {
            return (typed.answer.clone(), typed.substitute.clone());
        }
        let own = self.own;
        (
            own.and_then(|p| p.answer)
                .map(|a| a.code().to_string())
                .unwrap_or_default(),
            own.and_then(|p| p.substitute.clone()).unwrap_or_default(),
        )
    }

    fn answers(&self) -> &'static [rsvp::Answer] {
        &rsvp::Answer::ALL
    }

    fn documents_of(&self, item: &i64) -> Vec<&crate::agenda::DocumentLink> {
        self.documents
            .iter()
            .filter(|d| d.agenda_item_id == Some(*item))
            .collect()
    }
}

/// What a refused form on the meeting page brings back: the messages and
/// what was typed.
#[derive(Debug, Default)]
pub struct PageInput {
    pub errors: FieldErrors,
    pub attendance: Vec<(i64, String, String)>,
    pub minutes_text: Option<String>,
    pub cancel_reason: Option<String>,
    pub approved_on: Option<String>,
    /// The signed-in invitee's own answer as typed.
    pub answer: Option<rsvp::AnswerForm>,
    /// Why the date of a series is skipped, as typed.
    pub skip_reason: Option<String>,
}

/// A step of the meeting's course, as the stepper shows it.
pub struct Step {
    pub label: &'static str,
    pub done: bool,
    pub current: bool,
}

/// The one next thing the secretariat does with a meeting, shown next to
/// the stepper: a status change (`status`, the code to move to) or else a
/// link on the page (`href`).
pub struct NextAction {
    pub status: Option<&'static str>,
    pub href: &'static str,
    pub words: &'static str,
}

impl NextAction {
    fn status(to: &'static str, words: &'static str) -> Self {
        NextAction {
            status: Some(to),
            href: "",
            words,
        }
    }

    fn link(href: &'static str, words: &'static str) -> Self {
        NextAction {
            status: None,
            href,
            words,
        }
    }
}

impl ShowPage<'_> {
    fn moved(&self, r: &Reschedule) -> String {
        format!(
            "{} → {}",
            dutch::nl_datetime(r.old_starts_at),
            dutch::nl_datetime(r.new_starts_at)
        )
    }

    fn approved_on(&self) -> String {
        self.minutes
            .as_ref()
            .and_then(|m| m.approved_on)
            .map(dutch::nl_date)
            .unwrap_or_default()
    }

    fn today(&self) -> String {
        dutch::iso_date(dutch::today())
    }

    fn is_attendance(&self, p: &Participant, code: &str) -> bool {
        match self
            .input
            .attendance
            .iter()
            .find(|(id, _, _)| *id == p.person_id)
        {
            Some((_, typed, _)) => typed == code,
            // Not yet recorded: the register starts from the answer.
            None => {
                p.attendance
                    .map(|a| a.code())
                    .or(p.answer.map(|a| a.code()))
                    == Some(code)
            }
        }
    }

    fn represented_by(&self, p: &Participant) -> String {
        match self
            .input
            .attendance
            .iter()
            .find(|(id, _, _)| *id == p.person_id)
        {
            Some((_, _, typed)) => typed.clone(),
            None => match p.attendance {
                Some(_) => p.represented_by.clone().unwrap_or_default(),
                None => p.substitute.clone().unwrap_or_default(),
            },
        }
    }

    fn minutes_text(&self) -> String {
        match (&self.input.minutes_text, &self.minutes) {
            (Some(typed), _) => typed.clone(),
            (None, Some(m)) => m.text.clone(),
            (None, None) => String::new(),
        }
    }

    fn minutes_version(&self) -> i32 {
        self.minutes.as_ref().map_or(0, |m| m.version)
    }

    fn minutes_approved(&self) -> bool {
        self.minutes
            .as_ref()
            .is_some_and(|m| m.status == queries::MinutesStatus::Approved)
    }

    fn can_become(&self, code: &str) -> bool {
        MeetingStatus::parse(code).is_some_and(|to| self.meeting.status.can_become(to))
    }

    /// Has the meeting begun?
    fn started(&self) -> bool {
        self.meeting.starts_at <= time::OffsetDateTime::now_utc()
    }

    /// Attendance is recorded for a convened or held meeting that has begun,
    /// until its minutes are approved.
    fn takes_attendance(&self) -> bool {
        self.started()
            && !self.minutes_approved()
            && matches!(
                self.meeting.status,
                MeetingStatus::Convened | MeetingStatus::Held
            )
    }

    /// Minutes are written once a meeting that was not cancelled has begun.
    fn takes_minutes(&self) -> bool {
        self.started() && !self.meeting.is_cancelled()
    }

    /// Is there a minutes section at all: minutes to show, or to write?
    fn has_minutes_section(&self) -> bool {
        self.minutes.is_some() || (self.takes_minutes() && (self.secretariat || self.member))
    }

    /// The approval's date as typed, or today.
    fn approved_on_value(&self) -> String {
        self.input
            .approved_on
            .clone()
            .unwrap_or_else(|| self.today())
    }

    /// The course of the meeting: gepland → bijeengeroepen → gehouden →
    /// verslag goedgekeurd, the current step marked.
    fn steps(&self) -> Vec<Step> {
        let current = match self.meeting.status {
            MeetingStatus::Planned => 0,
            MeetingStatus::Convened => 1,
            MeetingStatus::Held if self.minutes_approved() => 3,
            _ => 2,
        };
        [
            "gepland",
            "bijeengeroepen",
            "gehouden",
            "verslag goedgekeurd",
        ]
        .into_iter()
        .enumerate()
        .map(|(i, label)| Step {
            label,
            done: i < current,
            current: i == current,
        })
        .collect()
    }

    /// The one next action that fits the meeting's state, if any.
    fn next_action(&self) -> Option<NextAction> {
        match self.meeting.status {
            MeetingStatus::Planned => Some(NextAction::status("convened", "Bijeenroepen")),
            MeetingStatus::Convened if self.started() => {
                Some(NextAction::status("held", "Markeren als gehouden"))
            }
            MeetingStatus::Held if self.minutes_approved() => None,
            MeetingStatus::Held if self.minutes.is_some() => Some(NextAction::link(
                "#goedkeuren",
                "Naar de goedkeuring van het verslag",
            )),
            MeetingStatus::Held => Some(NextAction::link("#verslag", "Verslag opstellen")),
            _ => None,
        }
    }

    /// Does the cancel disclosure start open (a refused cancellation)?
    fn cancel_open(&self) -> bool {
        self.input.errors.get("reden").is_some()
    }

    /// Does the skip disclosure start open (a refused skip)?
    fn skip_open(&self) -> bool {
        self.input.skip_reason.is_some()
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
    aantal: Option<String>,
}

/// What a write did, said on the meeting page it leads to.
fn notice(q: &NoticeQuery) -> Option<String> {
    let said = match q.melding.as_deref()? {
        "aangemaakt" => "De vergadering is ingepland.",
        "opgeslagen" => "De wijzigingen zijn opgeslagen.",
        "bijeengeroepen" => "De vergadering is bijeengeroepen.",
        "gehouden" => "De vergadering is als gehouden gemarkeerd.",
        "geannuleerd" => "De vergadering is geannuleerd.",
        "overgeslagen" => "Deze datum van de reeks is overgeslagen: de vergadering is geannuleerd.",
        "uitnodigingen" => "De uitnodigingslijst is bijgewerkt.",
        "samenstelling-leeg" => {
            "0 personen toegevoegd: de samenstelling noemt op deze datum niemand."
        }
        "toegevoegd" => {
            let n: u64 = q.aantal.as_deref()?.trim().parse().ok()?;
            return Some(match n {
                1 => "1 persoon toegevoegd.".to_string(),
                n => format!("{n} personen toegevoegd."),
            });
        }
        "geantwoord" => "Uw antwoord is bewaard. U kunt het wijzigen tot de vergadering begint.",
        "herinnerd" => {
            let n: u64 = q.aantal.as_deref()?.trim().parse().ok()?;
            return Some(match n {
                0 => "Iedereen met een e-mailadres heeft al geantwoord: niemand herinnerd."
                    .to_string(),
                1 => "1 genodigde zonder antwoord kreeg een herinnering.".to_string(),
                n => format!("{n} genodigden zonder antwoord kregen een herinnering."),
            });
        }
        "aanwezigheid" => "De aanwezigheden zijn opgeslagen.",
        "verslag" => "Het verslag is opgeslagen.",
        "goedgekeurd" => "Het verslag is goedgekeurd.",
        _ => return None,
    };
    Some(said.to_string())
}

/// What the secretariat should know before convening: warnings, not blocks.
pub(crate) async fn warnings(state: &AppState, m: &Meeting) -> Result<Vec<Warning>> {
    let mut w = Vec::new();
    if m.is_cancelled() {
        return Ok(w);
    }
    let same_day = queries::same_day(&state.db, m).await?;
    if same_day > 0 {
        w.push(Warning(format!(
            "Er is op dezelfde dag nog {same_day} andere vergadering van dit orgaan gepland."
        )));
    }
    let start = dutch::brussels(m.starts_at);
    let end = dutch::brussels(m.ends_at);
    let weekend = matches!(
        start.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    );
    if weekend
        || start.hour() < 8
        || end.hour() > 18
        || (end.hour() == 18 && end.minute() > 0)
        || end.date() != start.date()
    {
        w.push(Warning(
            "Deze vergadering valt (deels) buiten de kantooruren (werkdagen, 8 tot 18 uur).".into(),
        ));
    }
    if m.kind == queries::MeetingKind::Formal
        && m.status != MeetingStatus::Held
        && queries::agenda_size(&state.db, m.id).await? == 0
    {
        w.push(Warning("Een formeel overleg zonder voorbereide agenda: er staat nog geen aanvaard agendapunt op.".into()));
    }
    if matches!(
        m.kind,
        queries::MeetingKind::Formal | queries::MeetingKind::Informal
    ) {
        let year = start.year();
        let n = queries::consultations_in_year(&state.db, m.body_id, year).await?;
        if n < 2 {
            w.push(Warning(format!(
                "In {year} is er {n} (in)formeel VESOC-overleg gepland of gehouden; het VESOC-engagement van 2019 vraagt er minstens 2 per jaar."
            )));
        }
    }
    Ok(w)
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let view = meeting_view(&state, id, reader).await?;
    let page = meeting_page(&state, ctx, &view, notice(&q), PageInput::default()).await?;
    Ok(page::render(&page))
}

/// What the meeting page shows a kind of reader (members of one
/// organisation, a cabinet, the secretariat, visitors…): the same for
/// every reader of that kind.
#[derive(Serialize, Deserialize)]
struct MeetingView {
    details: queries::MeetingDetails,
    agenda: Vec<crate::agenda::AgendaItem>,
    /// The standing item "Opvolging actiepunten".
    follow_up: Vec<crate::actions::ActionPoint>,
}

/// The meeting page's read model, per meeting and kind of reader (a
/// handful: visitors, the secretariat, each organisation and cabinet).
/// Confidential items show at their release, and the action points'
/// "overdue" moves with the day: the clock.
pub static MEETING: Kind = Kind {
    name: "meeting",
    tables: &[
        "account",
        "action_line",
        "action_point",
        "agenda_item",
        "agenda_version",
        "agreement",
        "body",
        "conflict_of_interest",
        "document",
        "meeting",
        "meeting_participant",
        "meeting_reschedule",
        "membership",
        "minutes",
        "organisation",
        "person",
        "seat_rule",
    ],
    clock: true,
    most: None,
};

/// The meeting page, also used to bring a refused form back.
pub(crate) async fn render_meeting(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    status: StatusCode,
    input: PageInput,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let view = meeting_view(state, id, reader).await?;
    let page = meeting_page(state, ctx, &view, None, input).await?;
    Ok((status, page::render(&page)).into_response())
}

/// What the meeting page shows `reader`: the meeting with all a reader of
/// that kind may see, its agenda and the standing item's action points.
/// Stored (`MEETING`) and kept per kind of reader; an unknown meeting is an
/// error, and errors are not kept.
async fn meeting_view(state: &AppState, id: i64, reader: Reader) -> Result<Arc<MeetingView>> {
    let read = async {
        let details = queries::details(&state.db, id, reader)
            .await?
            .ok_or(AppError::NotFound)?;
        let agenda = crate::agenda::of_meeting(state, id, reader).await?;
        let follow_up = crate::actions::standing_item(&state.db, &details.meeting, reader).await?;
        Ok::<_, AppError>(MeetingView {
            details,
            agenda,
            follow_up,
        })
    };
    // The reader's kind names everything the rules read of them.
    let key = format!("{id} {reader:?}");
    state.cache.stored(&state.db, &MEETING, key, read).await
}

async fn meeting_page<'a>(
    state: &AppState,
    ctx: PageCtx,
    view: &'a MeetingView,
    notice: Option<String>,
    input: PageInput,
) -> Result<ShowPage<'a>> {
    let details = &view.details;
    let secretariat = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role == Role::Secretariat);
    let meeting = &details.meeting;
    let person = ctx.user.as_ref().and_then(|u| u.person_id);
    let answerable = meeting.status == MeetingStatus::Convened
        && meeting.starts_at > time::OffsetDateTime::now_utc();
    let participants = &details.participants.0;
    let own = participants
        .iter()
        .find(|p| p.invited && Some(p.person_id) == person)
        .filter(|_| answerable);
    Ok(ShowPage {
        follow_up: &view.follow_up,
        versions: &details.versions.0,
        own,
        documents: &details.documents.0,
        // Warnings help before the meeting is held; afterwards they are moot.
        warnings: if secretariat && meeting.is_open() {
            warnings(state, meeting).await?
        } else {
            Vec::new()
        },
        series: if secretariat {
            series::of_meeting(&state.db, meeting.id).await?
        } else {
            None
        },
        people: if secretariat {
            queries::people(&state.db).await?
        } else {
            Vec::new()
        },
        reschedules: &details.reschedules.0,
        ctx,
        meeting,
        member: details.member,
        secretariat,
        participants,
        // Only what `minutes_visible` let the query read.
        minutes: details.minutes(),
        agenda: &view.agenda,
        attendance_options: queries::Attendance::ALL,
        notice,
        input,
    })
}

#[derive(Template)]
#[template(path = "meetings/invitations.html")]
struct InvitationPage {
    ctx: PageCtx,
    meeting: Meeting,
    participants: Vec<Participant>,
}

async fn invitation_list(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    let meeting = load(&state, id).await?;
    // Someone outside the body learns nothing, not even that the list exists.
    if !is_member(&state, ctx.user.as_ref(), &meeting).await? {
        let (account, from) = (ctx.user.as_ref().map(|u| u.id), &ctx.address);
        let refused = "meeting.invitations_refused";
        crate::audit::access(&state.db, account, refused, "meeting", meeting.id, from).await?;
        return Err(AppError::NotFound);
    }
    let participants = queries::participants(&state.db, meeting.id)
        .await?
        .into_iter()
        .filter(|p| p.invited)
        .collect();
    Ok(page::render(&InvitationPage {
        ctx,
        meeting,
        participants,
    }))
}

// --- iCalendar ---

/// `cache_control`: the public feeds may be kept by any cache; a personal
/// feed only by its owner's client (`private`), for its secret address is
/// all that guards it, and a shared cache would keep serving it after the
/// link was revoked.
fn ics_response(body: String, filename: &str, cache_control: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, cache_control.to_string()),
        ],
        body,
    )
        .into_response()
}

async fn body_feed(
    State(state): State<AppState>,
    Origin(base): Origin,
    Path(file): Path<String>,
) -> Result<Response> {
    let slug = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let body = crate::composition::body_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = queries::for_bodies(&state.db, &[body.id]).await?;
    let ics = ical::feed(
        &format!("VESOC – {}", body.name),
        &meetings,
        &base,
        ical::Detail::Public,
    );
    Ok(ics_response(ics, &file, "public, no-cache"))
}

async fn personal_feed(
    State(state): State<AppState>,
    Origin(base): Origin,
    Path(file): Path<String>,
) -> Result<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let user = crate::accounts::calendar_account(&state.db, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let bodies = crate::composition::member_bodies(&state.db, Reader::of(Some(&user))).await?;
    let meetings = queries::for_bodies(&state.db, &bodies).await?;
    let ics = ical::feed(
        &format!("VESOC – {}", user.display_name),
        &meetings,
        &base,
        ical::Detail::Member,
    );
    Ok(ics_response(ics, "vesoc.ics", "private, no-cache"))
}
