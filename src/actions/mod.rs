//! Action points: what a meeting decided that someone must now do. The
//! secretariat adds them from an agenda item dealt with at a meeting (what,
//! who must act: an organisation, a minister's cabinet or the secretariat,
//! by when, and the agreement's action line it feeds); the one who must act
//! adds dated notes and reports it done from "Onze actiepunten"; the
//! secretariat confirms, drops or reopens it.
//!
//! Who may see a point, with its notes, is its agenda item's rule
//! (`action_point_visible`, docs/access.md). Other areas ask this one
//! through the functions at its root: the open points of a body for a
//! meeting's agenda and convocation ([`open_for_body`]), an item's points
//! and the form to add one ([`for_item`]), the points that feed an
//! agreement's action lines ([`on_lines`]), the yearly counts
//! ([`year_counts`]).

mod notices;
pub mod queries;

// What other areas ask, as the queries answer it.
pub use queries::{ActionPoint, LinePoint, Note, Status, Step, YearCount, on_lines, open_for_body};

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgExecutor;

use crate::agenda::{AgendaItem, ItemStatus};
use crate::auth::Reader;
use crate::auth::access::{Access, PROPOSERS, Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, Check, FieldErrors, PageCtx, Version, dutch, page};
use crate::mail::Site;
use queries::{Assignee, Choice, Fields, Filter, Transition};

pub fn routes() -> Routes {
    Routes::new()
        .get("/actiepunten", PROPOSERS, list)
        .get("/actiepunten/{id}", Access::SignedIn, show)
        .post("/actiepunten/{id}/notities", PROPOSERS, add_note)
        .post("/actiepunten/{id}/uitgevoerd", PROPOSERS, report_done)
        .post("/actiepunten/{id}/bevestigen", SECRETARIAT, confirm)
        .post("/actiepunten/{id}/schrappen", SECRETARIAT, drop_point)
        .post("/actiepunten/{id}/heropenen", SECRETARIAT, reopen)
        .get("/actiepunten/{id}/bewerken", SECRETARIAT, edit_form)
        .post("/actiepunten/{id}/bewerken", SECRETARIAT, update)
        .get(
            "/agendapunten/{id}/actiepunten/nieuw",
            SECRETARIAT,
            new_form,
        )
        .post("/agendapunten/{id}/actiepunten", SECRETARIAT, create)
}

const THIS_POINT: &str = "dit actiepunt";

// --- what other areas ask ---

/// The standing item "Opvolging actiepunten" of `meeting`'s agenda: the
/// open points of its body from earlier meetings ([`open_for_body`] on its
/// day), while the meeting is still to come (planned or convened); none
/// once it is held or cancelled.
pub async fn standing_item(
    db: impl PgExecutor<'_>,
    meeting: &crate::meetings::Meeting,
    reader: Reader,
) -> sqlx::Result<Vec<ActionPoint>> {
    if !meeting.is_open() {
        return Ok(Vec::new());
    }
    let day = dutch::brussels(meeting.starts_at).date();
    open_for_body(db, meeting.body_id, reader, day).await
}

/// What became of the action points of a year's meetings, per body, and
/// the total as the last row. Counts only.
pub async fn year_counts(db: impl PgExecutor<'_>, year: i32) -> sqlx::Result<Vec<YearCount>> {
    let mut rows = queries::year_counts(db, year, dutch::today()).await?;
    let mut total = YearCount {
        body_name: "totaal".to_string(),
        ..YearCount::default()
    };
    for r in &rows {
        total.opened += r.opened;
        total.on_time += r.on_time;
        total.late += r.late;
        total.dropped += r.dropped;
        total.open += r.open;
        total.overdue += r.overdue;
    }
    rows.push(total);
    Ok(rows)
}

/// An agenda item's points, and for the secretariat the form that adds one
/// (`templates/actions/for_item.html` shows both, with
/// `templates/actions/new_form.html` for the form).
pub struct ItemActions {
    pub item_id: i64,
    pub points: Vec<ActionPoint>,
    pub form: Option<PointForm>,
    /// Why no point can be added (for the secretariat).
    pub why_not: Option<&'static str>,
}

/// The points of `item` as `ctx`'s reader may see them; for the
/// secretariat, with the form to add one when the item was on an agenda.
pub async fn for_item(state: &AppState, ctx: &PageCtx, item: &AgendaItem) -> Result<ItemActions> {
    let reader = Reader::of(ctx.user.as_ref());
    let points = queries::of_item(&state.db, item.id, reader).await?;
    let secretariat = ctx.user.as_ref().is_some_and(|u| u.reads_all());
    let (form, why_not) = match (secretariat, on_agenda(item)) {
        (true, true) => (Some(PointForm::new(state, item.id, reader).await?), None),
        (true, false) => (None, Some(NOT_ON_AGENDA)),
        (false, _) => (None, None),
    };
    Ok(ItemActions {
        item_id: item.id,
        points,
        form,
        why_not,
    })
}

/// [`for_item`] for each of `items`, in their order, with one query for
/// all their points (and the form's choices loaded once).
pub async fn for_items(
    state: &AppState,
    ctx: &PageCtx,
    items: &[AgendaItem],
) -> Result<Vec<ItemActions>> {
    let reader = Reader::of(ctx.user.as_ref());
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut points = queries::of_items(&state.db, &ids, reader).await?;
    let secretariat = ctx.user.as_ref().is_some_and(|u| u.reads_all());
    let form = match secretariat && items.iter().any(on_agenda) {
        true => Some(PointForm::new(state, 0, reader).await?),
        false => None,
    };
    let mut all = Vec::with_capacity(items.len());
    for item in items {
        let (mine, rest) = points
            .into_iter()
            .partition(|p| p.agenda_item_id == item.id);
        points = rest;
        let (form, why_not) = match (secretariat, on_agenda(item), &form) {
            (true, true, Some(form)) => (Some(form.for_item(item.id)), None),
            (true, _, _) => (None, Some(NOT_ON_AGENDA)),
            (false, _, _) => (None, None),
        };
        all.push(ItemActions {
            item_id: item.id,
            points: mine,
            form,
            why_not,
        });
    }
    Ok(all)
}

const NOT_ON_AGENDA: &str = "Actiepunten komen uit de bespreking van een agendapunt op een \
    vergadering. Dit punt staat (nog) op geen agenda: voeg ze toe zodra het aanvaard is.";

/// Was the item on a meeting's agenda (accepted or dealt with, with a
/// place)? Only such an item's discussion yields action points; the
/// operation checks it again in the database.
fn on_agenda(item: &AgendaItem) -> bool {
    item.meeting_id.is_some()
        && item.position.is_some()
        && matches!(item.status, ItemStatus::Accepted | ItemStatus::DealtWith)
}

// --- display ---

impl ActionPoint {
    pub fn due(&self) -> String {
        dutch::nl_date(self.due_on)
    }

    /// "agendapunt 3 “Titel” van 10 juni 2026"
    pub fn source(&self) -> String {
        let number = self
            .item_number
            .as_deref()
            .map(|n| format!("agendapunt {n} "))
            .unwrap_or_else(|| "agendapunt ".to_string());
        let day = self
            .meeting_starts_at
            .map(|t| format!(" van {}", dutch::nl_date(dutch::brussels(t).date())))
            .unwrap_or_default();
        format!("{number}“{}”{day}", self.item_title)
    }

    pub fn reported(&self) -> Option<String> {
        let at = self.reported_done_at?;
        let day = dutch::nl_date(dutch::brussels(at).date());
        Some(match &self.reported_by {
            Some(who) => format!("gemeld als uitgevoerd op {day} door {who}"),
            None => format!("gemeld als uitgevoerd op {day}"),
        })
    }

    pub fn closed(&self) -> Option<String> {
        self.closed_at
            .map(|t| dutch::nl_date(dutch::brussels(t).date()))
    }

    pub fn is_open(&self) -> bool {
        self.status == Status::Open
    }

    /// The badge's class; its text says the status too (not colour alone).
    pub fn badge(&self) -> &'static str {
        match self.status {
            Status::Open => "status-planned",
            Status::Done => "status-held",
            Status::Dropped => "status-cancelled",
        }
    }
}

impl Note {
    pub fn date(&self) -> String {
        dutch::nl_date(self.day)
    }
}

impl LinePoint {
    pub fn due(&self) -> String {
        dutch::nl_date(self.due_on)
    }
}

// --- the form that adds or changes a point ---

/// The form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FieldsForm {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub action_line_id: String,
    #[serde(default)]
    pub version: Version,
}

impl FieldsForm {
    fn of(p: &ActionPoint) -> Self {
        let assignee = match (
            p.assignee_secretariat,
            p.assignee_minister_id,
            p.assignee_organisation_id,
        ) {
            (true, _, _) => Assignee::Secretariat.code(),
            (_, Some(m), _) => Assignee::Minister(m).code(),
            (_, _, Some(o)) => Assignee::Organisation(o).code(),
            _ => String::new(),
        };
        FieldsForm {
            what: p.what.clone(),
            assignee,
            due_on: dutch::iso_date(p.due_on),
            action_line_id: p.action_line_id.map(|l| l.to_string()).unwrap_or_default(),
            version: Version(p.version),
        }
    }

    fn parse(&self, choices: &Choices) -> std::result::Result<Fields, FieldErrors> {
        let mut check = Check::default();
        let what = check.text("what", &self.what, 2000, "Zeg wat er moet gebeuren.");
        let assignee = Assignee::parse(&self.assignee).filter(|a| choices.offers(*a));
        if assignee.is_none() {
            let message = if self.assignee.trim().is_empty() {
                "Kies wie het actiepunt moet uitvoeren."
            } else {
                "Kies een waarde uit de lijst."
            };
            check.add("assignee", message);
        }
        let due_on = check.date("due_on", &self.due_on);
        let lines: Vec<i64> = choices
            .lines
            .iter()
            .flat_map(|(_, lines)| lines.iter().map(|(id, _)| *id))
            .collect();
        let action_line_id = check.pick("action_line_id", &self.action_line_id, &lines, None);
        let fields = match (assignee, due_on) {
            (Some(assignee), Some(due_on)) => Some(Fields {
                what,
                assignee,
                due_on,
                action_line_id,
            }),
            _ => None,
        };
        check.finish(fields)
    }
}

/// What the form offers.
#[derive(Clone)]
pub struct Choices {
    pub organisations: Vec<Choice>,
    pub ministers: Vec<Choice>,
    /// Per agreement, its action lines depth-first.
    pub lines: Vec<(String, Vec<(i64, String)>)>,
}

impl Choices {
    /// What `reader` (the secretariat, who alone adds points) may choose.
    async fn load(state: &AppState, reader: Reader) -> Result<Self> {
        Ok(Choices {
            organisations: queries::organisations(&state.db).await?,
            ministers: queries::ministers(&state.db).await?,
            lines: crate::agreements::line_choices(&state.db, reader).await?,
        })
    }

    fn offers(&self, a: Assignee) -> bool {
        match a {
            Assignee::Secretariat => true,
            Assignee::Organisation(id) => self.organisations.iter().any(|c| c.id == id),
            Assignee::Minister(id) => self.ministers.iter().any(|c| c.id == id),
        }
    }
}

/// The form (`templates/actions/new_form.html`): where it posts, what was
/// typed or stored, the messages, the choices.
pub struct PointForm {
    /// Unique on the page: a page may hold the form of several items.
    pub key: String,
    pub action: String,
    /// A change of a stored point claims its version.
    pub editing: bool,
    pub input: FieldsForm,
    pub errors: FieldErrors,
    pub choices: Choices,
}

impl PointForm {
    /// An empty form that adds a point to item `item`, for `reader`.
    pub async fn new(state: &AppState, item: i64, reader: Reader) -> Result<Self> {
        Ok(PointForm::empty(item, Choices::load(state, reader).await?))
    }

    fn empty(item: i64, choices: Choices) -> Self {
        PointForm {
            key: format!("ap-{item}"),
            action: format!("/agendapunten/{item}/actiepunten"),
            editing: false,
            input: FieldsForm::default(),
            errors: FieldErrors::default(),
            choices,
        }
    }

    /// The same empty form, for item `item`.
    fn for_item(&self, item: i64) -> Self {
        PointForm::empty(item, self.choices.clone())
    }

    pub fn id(&self, field: &str) -> String {
        format!("{}-{field}", self.key)
    }

    fn assignee_is(&self, a: Assignee) -> bool {
        Assignee::parse(&self.input.assignee) == Some(a)
    }

    pub fn is_secretariat(&self) -> bool {
        self.assignee_is(Assignee::Secretariat)
    }

    pub fn is_organisation(&self, id: &i64) -> bool {
        self.assignee_is(Assignee::Organisation(*id))
    }

    pub fn is_minister(&self, id: &i64) -> bool {
        self.assignee_is(Assignee::Minister(*id))
    }

    pub fn line_is(&self, id: &i64) -> bool {
        self.input.action_line_id.trim() == id.to_string()
    }
}

/// Where a change leads: the point's page, with what was done.
fn to_point(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/actiepunten/{id}?melding={melding}")).into_response()
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "aangemaakt" => "Het actiepunt is toegevoegd; wie het moet uitvoeren, krijgt bericht.",
        "opgeslagen" => "De wijzigingen zijn opgeslagen.",
        "notitie" => "De notitie is toegevoegd.",
        "gemeld" => "Het actiepunt is gemeld als uitgevoerd. Het secretariaat bevestigt het.",
        "bevestigd" => "De uitvoering is bevestigd: het actiepunt is afgerond.",
        "geschrapt" => "Het actiepunt is geschrapt.",
        "heropend" => "Het actiepunt is heropend.",
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    melding: Option<String>,
}

// --- adding a point ---

#[derive(Template)]
#[template(path = "actions/new.html")]
struct NewPage {
    ctx: PageCtx,
    item: AgendaItem,
    action_form: Option<PointForm>,
}

type OnItem = On<AgendaItem>;

async fn new_form(on: OnItem) -> Result<Response> {
    let reader = Reader::of(Some(&on.actor));
    let form = match on_agenda(&on.record) {
        true => Some(PointForm::new(&on.state, on.record.id, reader).await?),
        false => None,
    };
    new_page(on.ctx, on.record, form, StatusCode::OK)
}

fn new_page(
    ctx: PageCtx,
    item: AgendaItem,
    action_form: Option<PointForm>,
    status: StatusCode,
) -> Result<Response> {
    let page = NewPage {
        ctx,
        item,
        action_form,
    };
    Ok((status, page::render(&page)).into_response())
}

async fn create(on: OnItem, Form(typed): Form<FieldsForm>) -> Result<Response> {
    let reader = Reader::of(Some(&on.actor));
    let mut form = PointForm::new(&on.state, on.record.id, reader).await?;
    let site = Site::of(&on.ctx, &on.state.config);
    let (actor, item) = (on.actor.id, on.record.id);
    let parsed = typed.parse(&form.choices);
    let outcome = write::run_form(&on.state.db, parsed, async |tx, fields| {
        queries::create(tx, actor, &site, item, &fields).await
    })
    .await?;
    let stale = write::stale_errors("dit agendapunt");
    match outcome.settle(stale) {
        Ok(id) => Ok(to_point(id, "aangemaakt")),
        Err((status, errors)) => {
            form.input = typed;
            form.errors = errors;
            // An item that left the agenda meanwhile: the page says why.
            let shown = on_agenda(&on.record).then_some(form);
            new_page(on.ctx, on.record, shown, status)
        }
    }
}

// --- one point ---

impl Named for ActionPoint {
    async fn load(state: &AppState, ctx: &PageCtx, path: &[String]) -> Result<Self> {
        load_visible(state, ctx, parse_id(param(path, 0))?).await
    }
}

/// The point, if the reader may see it (`action_point_visible`); anything
/// else is "not found", and a refused existing one is logged.
async fn load_visible(state: &AppState, ctx: &PageCtx, id: i64) -> Result<ActionPoint> {
    let reader = Reader::of(ctx.user.as_ref());
    if let Some(point) = queries::get_visible(&state.db, id, reader).await? {
        return Ok(point);
    }
    if let Some(user) = &ctx.user
        && queries::exists(&state.db, id).await?
    {
        tracing::warn!(point = id, account = user.id, "action point refused");
        let (refused, from) = ("action_point.refused", &ctx.address);
        crate::audit::access(&state.db, Some(user.id), refused, "action_point", id, from).await?;
    }
    Err(AppError::NotFound)
}

type OnPoint = On<ActionPoint>;

#[derive(Template)]
#[template(path = "actions/show.html")]
struct ShowPage {
    ctx: PageCtx,
    point: ActionPoint,
    notes: Vec<Note>,
    secretariat: bool,
    /// The assignee or the secretariat: may add a note.
    may_note: bool,
    /// The assignee, while it is open and not yet reported.
    may_report: bool,
    notice: Option<&'static str>,
    errors: FieldErrors,
    text: String,
}

async fn show(
    ctx: PageCtx,
    Actor(_): Actor,
    State(state): State<AppState>,
    crate::base::Id(id): crate::base::Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let point = load_visible(&state, &ctx, id).await?;
    let notice = notice(q.melding.as_deref());
    let input = (FieldErrors::default(), String::new());
    show_page(&state, ctx, point, notice, input, StatusCode::OK).await
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    point: ActionPoint,
    notice: Option<&'static str>,
    (errors, text): (FieldErrors, String),
    status: StatusCode,
) -> Result<Response> {
    let secretariat = ctx.user.as_ref().is_some_and(|u| u.reads_all());
    let notes = queries::notes(&state.db, point.id).await?;
    let page = ShowPage {
        may_note: secretariat || point.assigned_to_reader,
        may_report: point.assigned_to_reader && point.is_open() && point.reported_done_at.is_none(),
        secretariat,
        notes,
        ctx,
        point,
        notice,
        errors,
        text,
    };
    Ok((status, page::render(&page)).into_response())
}

/// A note, or the note of a change of state.
#[derive(Debug, Default, Deserialize)]
struct NoteForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: Version,
}

/// The outcome of a write on the point: to its page with `done`, or the
/// page again with the messages and what was typed.
async fn settle(on: OnPoint, outcome: Outcome, done: &str, typed: String) -> Result<Response> {
    match outcome.settle(write::stale_errors_on("text", THIS_POINT)) {
        Ok(()) => Ok(to_point(on.record.id, done)),
        Err((status, errors)) => {
            let point = on.record;
            show_page(&on.state, on.ctx, point, None, (errors, typed), status).await
        }
    }
}

async fn add_note(on: OnPoint, Form(form): Form<NoteForm>) -> Result<Response> {
    if !(on.actor.reads_all() || on.record.assigned_to_reader) {
        return Err(AppError::forbidden(
            "Notities bij een actiepunt schrijven wie het moet uitvoeren en het secretariaat.",
        ));
    }
    let mut check = Check::default();
    let text = check.text("text", &form.text, 2000, "Schrijf eerst de notitie.");
    let (actor, id) = (on.actor.id, on.record.id);
    let outcome = match check.is_ok() {
        true => {
            write::run(&on.state.db, async |tx| {
                queries::add_note(tx, actor, id, &text).await
            })
            .await?
        }
        false => Outcome::Refused(check.errors()),
    };
    settle(on, outcome, "notitie", form.text).await
}

/// A change of state with its (optional, for a drop required) note.
async fn move_on(on: OnPoint, form: NoteForm, to: Transition, done: &str) -> Result<Response> {
    let mut check = Check::default();
    let text = match to {
        Transition::Drop => check.text(
            "text",
            &form.text,
            2000,
            "Zeg in de notitie waarom het actiepunt geschrapt wordt.",
        ),
        _ => check.optional_text("text", &form.text, 2000),
    };
    let (actor, id) = (on.actor.id, on.record.id);
    let outcome = match check.is_ok() {
        true => {
            write::run(&on.state.db, async |tx| {
                queries::transition(tx, actor, id, form.version, to, &text).await
            })
            .await?
        }
        false => Outcome::Refused(check.errors()),
    };
    settle(on, outcome, done, form.text).await
}

async fn report_done(on: OnPoint, Form(form): Form<NoteForm>) -> Result<Response> {
    if !on.record.assigned_to_reader {
        return Err(AppError::forbidden(
            "Als uitgevoerd melden doet wie het actiepunt moet uitvoeren; het secretariaat \
             bevestigt de uitvoering.",
        ));
    }
    move_on(on, form, Transition::ReportDone, "gemeld").await
}

async fn confirm(on: OnPoint, Form(form): Form<NoteForm>) -> Result<Response> {
    move_on(on, form, Transition::Confirm, "bevestigd").await
}

async fn drop_point(on: OnPoint, Form(form): Form<NoteForm>) -> Result<Response> {
    move_on(on, form, Transition::Drop, "geschrapt").await
}

async fn reopen(on: OnPoint, Form(form): Form<NoteForm>) -> Result<Response> {
    move_on(on, form, Transition::Reopen, "heropend").await
}

// --- changing a point ---

#[derive(Template)]
#[template(path = "actions/edit.html")]
struct EditPage {
    ctx: PageCtx,
    point: ActionPoint,
    action_form: PointForm,
}

async fn edit_form(on: OnPoint) -> Result<Response> {
    let input = FieldsForm::of(&on.record);
    edit_page(on, input, FieldErrors::default(), StatusCode::OK).await
}

async fn edit_page(
    on: OnPoint,
    input: FieldsForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let id = on.record.id;
    let action_form = PointForm {
        key: format!("ap-bewerken-{id}"),
        action: format!("/actiepunten/{id}/bewerken"),
        editing: true,
        input,
        errors,
        choices: Choices::load(&on.state, Reader::of(Some(&on.actor))).await?,
    };
    let page = EditPage {
        ctx: on.ctx,
        point: on.record,
        action_form,
    };
    Ok((status, page::render(&page)).into_response())
}

async fn update(on: OnPoint, Form(typed): Form<FieldsForm>) -> Result<Response> {
    let choices = Choices::load(&on.state, Reader::of(Some(&on.actor))).await?;
    let site = Site::of(&on.ctx, &on.state.config);
    let (actor, seen) = (on.actor.id, typed.version);
    let before = on.record.clone();
    let outcome = write::run_form(&on.state.db, typed.parse(&choices), async |tx, fields| {
        queries::update(tx, actor, &site, &before, seen, &fields).await
    })
    .await?;
    match outcome.settle(write::stale_errors(THIS_POINT)) {
        Ok(id) => Ok(to_point(id, "opgeslagen")),
        Err((status, errors)) => edit_page(on, typed, errors, status).await,
    }
}

// --- the lists ---

#[derive(Debug, Deserialize)]
struct ListQuery {
    toon: Option<String>,
}

#[derive(Template)]
#[template(path = "actions/list.html")]
struct ListPage {
    ctx: PageCtx,
    points: Vec<ActionPoint>,
    secretariat: bool,
    filter: Filter,
    filters: [Filter; 4],
    error: Option<String>,
}

impl ListPage {
    fn title(&self) -> &'static str {
        if self.secretariat {
            "Actiepunten"
        } else {
            "Onze actiepunten"
        }
    }

    fn empty(&self) -> &'static str {
        match self.filter {
            Filter::Open => "Er staat geen actiepunt open.",
            Filter::Overdue => "Er is geen actiepunt te laat.",
            Filter::Reported => "Er wacht geen actiepunt op bevestiging.",
            Filter::All => "Er is nog geen actiepunt.",
        }
    }
}

/// The secretariat's list of every point; "Onze actiepunten" of a cabinet
/// or social partner: the points given to its minister or organisation.
async fn list(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let asked = q.toon.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let (filter, error) = match asked.map(Filter::parse) {
        None => (Filter::Open, None),
        Some(Some(f)) => (f, None),
        Some(None) => (
            Filter::Open,
            Some("Deze keuze bestaat niet; u ziet de open actiepunten.".to_string()),
        ),
    };
    let secretariat = user.reads_all();
    let reader = Reader::of(Some(&user));
    let points = queries::list(&state.db, reader, !secretariat, filter).await?;
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let page = ListPage {
        ctx,
        points,
        secretariat,
        filter,
        filters: Filter::ALL,
        error,
    };
    Ok((status, page::render(&page)).into_response())
}
