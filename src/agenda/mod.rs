//! Agenda items: proposals by social partners and cabinets, the
//! secretariat's review queue, the agenda builder of a meeting, and the
//! printable agenda.

pub mod conflicts;
mod decisions;
pub mod documents;
mod forms;
mod notices;
mod operations;
mod pack;
mod pdf;
pub mod queries;
pub mod timeline;
pub mod versions;

pub use documents::DocumentLink;
pub use operations::{Decision, decide};
pub use queries::correct_decision;
pub use queries::{AgendaItem, ItemKind, ItemOutcome, ItemStatus};
pub use versions::{Change, Frozen, adopt as adopt_version, freeze as freeze_version};

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::agenda::documents::DocumentInput;
use crate::auth::access::{Access, PROPOSERS, Routes, SECRETARIAT};
use crate::auth::{CurrentUser, Reader};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::{Actor, AppState, FieldErrors, Id, PageCtx, Pager, dutch, page};
use crate::cache::stored::Kind;
use crate::meetings::Meeting;
use queries::{Event, OpenMeeting};

pub fn routes() -> Routes {
    Routes::new()
        .merge(documents::routes())
        .merge(decisions::routes())
        .merge(versions::routes())
        .merge(pack::routes())
        .merge(pdf::routes())
        .get("/agendapunten", PROPOSERS, mine)
        .get("/agendapunten/nieuw", PROPOSERS, forms::new_form)
        .post("/agendapunten", PROPOSERS, forms::submit)
        .get("/agendapunten/{id}", PROPOSERS, show)
        .get("/punten/{id}", Access::Public, public_item)
        .post(
            "/punten/{id}/belangenconflict",
            PROPOSERS,
            conflicts::submit,
        )
        .get("/agendapunten/{id}/bewerken", PROPOSERS, forms::edit_form)
        .post("/agendapunten/{id}/bewerken", PROPOSERS, forms::update)
        .post("/agendapunten/{id}/intrekken", PROPOSERS, forms::withdraw)
        .post("/agendapunten/{id}/beoordelen", SECRETARIAT, forms::review)
        .get("/beheer/agendapunten", SECRETARIAT, queue)
        .get("/vergaderingen/{id}/agenda", SECRETARIAT, builder)
        .post(
            "/vergaderingen/{id}/agenda/versturen",
            SECRETARIAT,
            forms::send_version,
        )
        .post(
            "/vergaderingen/{id}/agenda/verplaatsen",
            SECRETARIAT,
            forms::move_item,
        )
        .post(
            "/vergaderingen/{id}/agenda/plaats",
            SECRETARIAT,
            forms::move_to_place,
        )
        .post(
            "/vergaderingen/{id}/agenda/punt",
            SECRETARIAT,
            forms::add_own_item,
        )
        .post(
            "/vergaderingen/{id}/agenda/afhandelen",
            SECRETARIAT,
            forms::record_outcome,
        )
        .post(
            "/vergaderingen/{id}/agenda/doorschuiven",
            SECRETARIAT,
            forms::carry_over,
        )
        .get(
            "/vergaderingen/{id}/agenda/afdrukken",
            Access::Public,
            print,
        )
}

/// Does this user act for the item's proposer? A cabinet for its minister,
/// anyone else for their organisation.
pub fn owns(user: &CurrentUser, item: &AgendaItem) -> bool {
    match user.minister_id {
        Some(m) => item.proposer_minister_id == Some(m),
        None => {
            item.proposer_minister_id.is_none()
                && user.organisation_id.is_some()
                && item.proposer_organisation_id == user.organisation_id
        }
    }
}

/// The item, if this user may see it: the secretariat sees every item, a
/// proposer only their own. Anything else is "not found".
pub(crate) async fn load_visible(state: &AppState, ctx: &PageCtx, id: i64) -> Result<AgendaItem> {
    let user = ctx.user.as_ref().ok_or(AppError::NotFound)?;
    let item = queries::get_for_proposer(&state.db, id, Reader::of(Some(user))).await?;
    if item.is_none() && queries::exists(&state.db, id).await? {
        tracing::warn!(item = id, account = user.id, "agenda item refused");
        let (refused, from) = ("agenda_item.refused", &ctx.address);
        crate::audit::access(&state.db, Some(user.id), refused, "agenda_item", id, from).await?;
    }
    item.ok_or(AppError::NotFound)
}

/// What every write on an agenda item starts from: the page's context, who
/// acts, the state, and the item if they may see it ([`load_visible`]).
pub type OnItem = On<AgendaItem>;

impl Named for AgendaItem {
    async fn load(state: &AppState, ctx: &PageCtx, path: &[String]) -> Result<Self> {
        load_visible(state, ctx, parse_id(param(path, 0))?).await
    }
}

impl AgendaItem {
    pub fn meeting_when(&self) -> String {
        self.meeting_starts_at
            .map(dutch::nl_datetime)
            .unwrap_or_default()
    }

    pub fn shown_number(&self) -> String {
        self.number
            .clone()
            .or_else(|| self.position.map(|p| p.to_string()))
            .unwrap_or_default()
    }
}

impl OpenMeeting {
    pub fn label(&self) -> String {
        format!(
            "{} – {} ({})",
            self.body_name,
            dutch::nl_datetime(self.starts_at),
            self.status.label()
        )
    }
}

impl Event {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.at)
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
    /// After an upload: the document that was added.
    document: Option<String>,
}

/// What the item page says after a redirect: the notice's code
/// (`?melding=`) and, after an upload, the document added.
#[derive(Debug, Default)]
pub struct After {
    pub code: Option<String>,
    pub document: Option<i64>,
}

impl After {
    fn from_query(q: NoticeQuery) -> Self {
        After {
            code: q.melding,
            document: q.document.and_then(|d| d.trim().parse().ok()),
        }
    }

    fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "ingediend" => Some("Uw voorstel is ingediend. Het secretariaat bekijkt het."),
        "opgeslagen" => Some("De wijzigingen zijn opgeslagen."),
        "ingetrokken" => Some("Het voorstel is ingetrokken."),
        "beoordeeld" => Some("De beslissing is opgeslagen en staat in de geschiedenis."),
        "agenda" => Some("De agenda is bijgewerkt."),
        "versie" => Some(
            "De nieuwe versie van de agenda is vastgelegd; wie er een wijziging in ziet, krijgt ze per e-mail.",
        ),
        _ => None,
    }
}

// --- my proposals ---

#[derive(Template)]
#[template(path = "agenda/list.html")]
struct ListPage {
    ctx: PageCtx,
    items: Vec<AgendaItem>,
    notice: Option<&'static str>,
}

impl ListPage {
    /// The page's title (and the menu's word for it): the secretariat's own
    /// items are not "mine".
    fn title(&self) -> &'static str {
        if self.ctx.is_role("secretariat") {
            "Voorstellen van het secretariaat"
        } else {
            "Mijn voorstellen"
        }
    }
}

async fn mine(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let items = queries::for_proposer(&state.db, Reader::of(Some(&user))).await?;
    Ok(page::render(&ListPage {
        ctx,
        items,
        notice: notice(q.melding.as_deref()),
    }))
}

// --- the item page ---

/// What a refused review (or withdrawal) brings back.
#[derive(Debug, Default)]
pub struct ReviewInput {
    pub errors: FieldErrors,
    pub comment: String,
    pub meeting_id: String,
}

#[derive(Template)]
#[template(path = "agenda/show.html")]
struct ShowPage {
    ctx: PageCtx,
    item: AgendaItem,
    competences: Vec<(i64, String)>,
    /// Its whole path, with the review's comments (proposer, secretariat).
    timeline: Vec<timeline::Step>,
    secretariat: bool,
    can_change: bool,
    meetings: Vec<OpenMeeting>,
    notice: Option<String>,
    /// After an accepted proposal: the builder of its meeting (id, label).
    to_builder: Option<(i64, String)>,
    /// After a decision that left the item without a meeting.
    choose_meeting: bool,
    /// After submitting: point at the upload form.
    to_upload: bool,
    input: ReviewInput,
    documents: Vec<DocumentLink>,
    /// Earlier versions of its documents, newest first.
    earlier: Vec<documents::queries::Earlier>,
    /// The agreement it concerns, if the reader may see it.
    agreement: Option<crate::agreements::Agreement>,
    can_add_documents: bool,
    upload: DocumentInput,
    /// Its action points, and the secretariat's form to add one.
    actions: crate::actions::ItemActions,
}

impl ShowPage {
    fn meeting_selected(&self, m: &OpenMeeting) -> bool {
        if self.input.meeting_id.is_empty() {
            self.item.meeting_id == Some(m.id)
        } else {
            self.input.meeting_id == m.id.to_string()
        }
    }
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let item = load_visible(&state, &ctx, id).await?;
    let after = After::from_query(q);
    let (input, upload) = Default::default();
    item_page(&state, ctx, item, after, input, upload, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "agenda/public.html")]
struct PublicItemPage {
    ctx: PageCtx,
    item: AgendaItem,
    documents: Vec<DocumentLink>,
    agreement: Option<crate::agreements::Agreement>,
    timeline: Vec<timeline::Step>,
    /// The meeting's invitees (for the secretariat's declaration form).
    invitees: Vec<(i64, String)>,
    may_declare: bool,
    input: PublicItemInput,
}

/// The agreement `item` concerns, if `reader` may see it.
async fn agreement_of(
    state: &AppState,
    item: &AgendaItem,
    reader: Reader,
) -> Result<Option<crate::agreements::Agreement>> {
    Ok(match item.agreement_id {
        Some(id) => crate::agreements::visible_by_id(&state.db, id, reader).await?,
        None => None,
    })
}

/// An agenda item as its readers see it (`agenda_item_visible`): on a
/// meeting's agenda everyone, a confidential one the members of its body,
/// a proposal its proposer and the secretariat. The proposer's workspace
/// (review history, upload) stays `/agendapunten/{id}`.
async fn public_item(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let item = visible_item(&state, &ctx, id).await?;
    let page = PublicItemInput {
        notice: (q.melding.as_deref() == Some("belangenconflict"))
            .then_some("Het belangenconflict is gemeld."),
        ..PublicItemInput::default()
    };
    public_item_page(&state, ctx, item, page, StatusCode::OK).await
}

/// The item `id` if the reader may see it; else "not found", or the
/// sign-in page for a visitor (a refusal of a signed-in user is audited).
pub(crate) async fn visible_item(state: &AppState, ctx: &PageCtx, id: i64) -> Result<AgendaItem> {
    let reader = Reader::of(ctx.user.as_ref());
    if let Some(item) = queries::get_visible(&state.db, id, reader).await? {
        return Ok(item);
    }
    if !queries::exists(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    let Some(user) = &ctx.user else {
        return Err(AppError::SignInRequired {
            return_to: format!("/punten/{id}"),
        });
    };
    let (refused, from) = ("agenda_item.refused", &ctx.address);
    crate::audit::access(&state.db, Some(user.id), refused, "agenda_item", id, from).await?;
    Err(AppError::NotFound)
}

/// What the item's page shows besides the item: a notice, or a refused
/// declaration of a conflict of interest with what was typed.
#[derive(Debug, Default)]
pub(crate) struct PublicItemInput {
    pub notice: Option<&'static str>,
    pub errors: FieldErrors,
    pub conflict: conflicts::ConflictForm,
}

pub(crate) async fn public_item_page(
    state: &AppState,
    ctx: PageCtx,
    item: AgendaItem,
    input: PublicItemInput,
    status: StatusCode,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let documents = documents::queries::visible_for_item(&state.db, item.id, reader).await?;
    let agreement = agreement_of(state, &item, reader).await?;
    let on_agenda = item.meeting_id.is_some() && item.position.is_some();
    let invitees = if on_agenda && ctx.user.is_some() {
        conflicts::invitees(&state.db, item.id).await?
    } else {
        Vec::new()
    };
    // The secretariat declares for any invitee; a member for the person
    // their account is, when invited.
    let may_declare = match &ctx.user {
        Some(u) if u.reads_all() => !invitees.is_empty(),
        Some(u) => u
            .person_id
            .is_some_and(|p| invitees.iter().any(|(id, _)| *id == p)),
        None => false,
    };
    let workspace = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.reads_all() || owns(u, &item));
    let steps = timeline::of_item(&state.db, &item, workspace).await?;
    let points = crate::actions::for_item(state, &ctx, &item).await?.points;
    let timeline = timeline::with_points(steps, &points);
    let page = PublicItemPage {
        ctx,
        item,
        documents,
        agreement,
        timeline,
        invitees,
        may_declare,
        input,
    };
    Ok((status, page::no_store(page::render(&page))).into_response())
}

/// The item page: with the notice after a redirect, or again with what a
/// refused review or withdrawal (`input`) or upload (`upload`) brings back.
pub(crate) async fn item_page(
    state: &AppState,
    ctx: PageCtx,
    item: AgendaItem,
    after: After,
    input: ReviewInput,
    upload: DocumentInput,
    status: StatusCode,
) -> Result<Response> {
    let can_add_documents = ctx
        .user
        .as_ref()
        .is_some_and(|u| crate::agenda::documents::may_add(u, &item));
    let secretariat = ctx.is_role("secretariat");
    let can_change =
        item.status.is_open_to_proposer() && ctx.user.as_ref().is_some_and(|u| owns(u, &item));
    let meetings = if secretariat {
        queries::open_meetings(&state.db)
            .await?
            .into_iter()
            .filter(|m| m.body_id == item.body_id)
            .collect()
    } else {
        Vec::new()
    };
    let documents = crate::agenda::documents::queries::for_item(&state.db, item.id).await?;
    let reader = Reader::of(ctx.user.as_ref());
    let earlier = documents::queries::earlier_for_item(&state.db, item.id, reader).await?;
    let agreement = agreement_of(state, &item, reader).await?;
    let mut notice = notice(after.code.as_deref()).map(str::to_string);
    if after.is("document") {
        notice = documents
            .iter()
            .find(|d| Some(d.id) == after.document)
            .map(|d| format!("Het document {} is toegevoegd.", d.name()));
    }
    let reviewed = secretariat && after.is("beoordeeld");
    let to_builder = match (reviewed, item.status, item.meeting_id) {
        (true, ItemStatus::Accepted, Some(m)) => {
            Some((m, format!("{}, {}", item.body_name, item.meeting_when())))
        }
        _ => None,
    };
    let choose_meeting = reviewed
        && item.meeting_id.is_none()
        && matches!(item.status, ItemStatus::Accepted | ItemStatus::Deferred);
    let to_upload = after.is("ingediend") && can_add_documents;
    let actions = crate::actions::for_item(state, &ctx, &item).await?;
    let steps = timeline::of_item(&state.db, &item, true).await?;
    let page = ShowPage {
        timeline: timeline::with_points(steps, &actions.points),
        actions,
        agreement,
        competences: queries::item_competences(&state.db, item.id).await?,
        documents,
        earlier,
        to_builder,
        choose_meeting,
        to_upload,
        ctx,
        item,
        secretariat,
        can_change,
        meetings,
        notice,
        input,
        can_add_documents,
        upload,
    };
    Ok((status, page::render(&page)).into_response())
}

// --- the review queue ---

#[derive(Template)]
#[template(path = "agenda/queue.html")]
struct QueuePage<'a> {
    ctx: PageCtx,
    /// No proposal waits.
    empty: bool,
    /// The proposals of this page of the queue (`QueueRows`).
    rows: &'a page::Rendered,
    pager: Pager,
    /// The coming meetings one can still put items on: where the
    /// secretariat adds its own.
    coming: Vec<&'a OpenMeeting>,
}

/// A page of the queue's rows, as `agenda/queue_rows.html` writes them:
/// links, warnings and dates, nothing of the request. Rendered when the
/// model is built: decoding fifty proposals and writing them were four
/// fifths of vesoc's work for the queue read cold (callgrind,
/// docs/performance.md "Session 13").
#[derive(Template)]
#[template(path = "agenda/queue_rows.html")]
struct QueueRows<'a> {
    items: &'a [AgendaItem],
    warnings: &'a HashMap<i64, queries::Completeness>,
}

impl QueueRows<'_> {
    /// The warnings about one proposal, in Dutch.
    fn warnings(&self, id: &i64) -> Vec<&'static str> {
        self.warnings
            .get(id)
            .map(queue_warnings)
            .unwrap_or_default()
    }
}

/// A page of the review queue as every secretariat account sees it, read
/// once per change and stored (`QUEUE`), one model per page: the queue has
/// hundreds of proposals in the generated history, and decoding them all
/// to show fifty was most of a request. The page's rows are kept rendered.
#[derive(Serialize, Deserialize)]
struct QueueView {
    /// The page shown (the last when a later one was asked for), and the
    /// length of the whole queue.
    page: usize,
    total: usize,
    rows: page::Rendered,
    open: Vec<OpenMeeting>,
}

/// The review queue's read model. Its warnings ("submitted after the
/// deadline") read the meetings' deadlines, not the clock.
pub static QUEUE: Kind = Kind {
    name: "review queue",
    tables: &[
        "agenda_item",
        "agenda_item_competence",
        "body",
        "conflict_of_interest",
        "document",
        "meeting",
        "meeting_participant",
        "minister_competence",
        "minutes",
        "organisation",
        "person",
    ],
    clock: false,
    // Page numbers are typed by the reader: beyond the last, a page is the
    // last again (stored under the number asked).
    most: Some(200),
};

/// The warnings about one proposal, in Dutch.
fn queue_warnings(c: &queries::Completeness) -> Vec<&'static str> {
    [
        (c.late, "ingediend na de termijn voor voorstellen"),
        (c.no_document, "ter beslissing, maar zonder document"),
        (c.no_release, "vertrouwelijk, zonder tijdstip van vrijgave"),
        (
            c.no_minister,
            "geen uitgenodigde minister is bevoegd voor de opgegeven bevoegdheden",
        ),
    ]
    .into_iter()
    .filter_map(|(on, text)| on.then_some(text))
    .collect()
}

/// How many coming meetings the queue links to.
const COMING: usize = 8;
/// Proposals per page of the queue.
const QUEUE_PAGE: usize = 50;

#[derive(Debug, Deserialize)]
struct PageQuery {
    pagina: Option<String>,
}

async fn queue(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let asked = Pager::asked(q.pagina.as_deref());
    let read = async {
        let mut items = queries::queue(&state.db).await?;
        let pager = Pager::at(asked, QUEUE_PAGE, items.len());
        let total = items.len();
        let items: Vec<AgendaItem> = items.drain(pager.range()).collect();
        let open = queries::open_meetings(&state.db).await?;
        let warnings = queries::queue_completeness(&state.db)
            .await?
            .into_iter()
            .filter(|c| items.iter().any(|i| i.id == c.id) && !queue_warnings(c).is_empty())
            .map(|c| (c.id, c))
            .collect();
        Ok::<_, AppError>(QueueView {
            page: pager.page,
            total,
            rows: page::Rendered::of(&QueueRows {
                items: &items,
                warnings: &warnings,
            })?,
            open,
        })
    };
    // The same for every reader of the queue (the secretariat reads all).
    let view = state
        .cache
        .stored(&state.db, &QUEUE, asked.to_string(), read)
        .await?;
    let now = time::OffsetDateTime::now_utc();
    let coming = view
        .open
        .iter()
        .filter(|m| m.starts_at >= now)
        .take(COMING)
        .collect();
    let pager = Pager::at(view.page, QUEUE_PAGE, view.total);
    Ok(page::render(&QueuePage {
        ctx,
        empty: view.total == 0,
        rows: &view.rows,
        pager,
        coming,
    }))
}

// --- the agenda builder ---

/// What a refused form on the builder brings back.
#[derive(Debug, Default)]
pub struct BuilderInput {
    pub errors: FieldErrors,
    pub item_id: i64,
    pub decision_text: String,
    pub title: String,
    pub explanation: String,
    pub kind: String,
    /// The earlier meeting whose minutes the own item approves, as chosen.
    pub approves: String,
    /// The place item `item_id` was to move to, as typed.
    pub place: Option<String>,
}

#[derive(Template)]
#[template(path = "agenda/builder.html")]
struct BuilderPage<'a> {
    ctx: PageCtx,
    meeting: &'a Meeting,
    items: &'a [AgendaItem],
    later: &'a [OpenMeeting],
    outcomes: [queries::ItemOutcome; 3],
    kinds: [queries::ItemKind; 3],
    frozen: bool,
    notice: Option<&'static str>,
    input: BuilderInput,
    /// The standing item "Opvolging actiepunten".
    follow_up: &'a [crate::actions::ActionPoint],
    /// Earlier meetings of the body whose minutes await approval, and
    /// whose approval is on no agenda yet: (id, "dinsdag 10 juni 2026").
    awaiting: &'a [(i64, String)],
}

impl BuilderPage<'_> {
    /// The place field of `item` (at `here`): as typed when its move was
    /// refused, else where it stands.
    fn place_value(&self, item: &AgendaItem, here: &usize) -> String {
        match &self.input.place {
            Some(typed) if self.input.item_id == item.id => typed.clone(),
            _ => here.to_string(),
        }
    }

    fn approves_chosen(&self, id: &i64) -> bool {
        self.input.approves.trim() == id.to_string()
    }

    fn typed_decision(&self, item: &AgendaItem) -> String {
        if self.input.item_id == item.id {
            self.input.decision_text.clone()
        } else {
            String::new()
        }
    }
}

async fn builder(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let view = builder_view(&state, id, reader).await?;
    let page = BuilderPage::new(
        ctx,
        &view.meeting,
        &view,
        notice(q.melding.as_deref()),
        BuilderInput::default(),
    );
    Ok(page::render(&page))
}

/// What the agenda builder shows of a meeting, read once per change and
/// stored (`BUILDER`), not on every request of the secretariat's day.
#[derive(Serialize, Deserialize)]
struct BuilderView {
    /// The meeting as it was read with the rest (a refused form shows the
    /// one its write loaded).
    meeting: Meeting,
    items: Vec<AgendaItem>,
    later: Vec<OpenMeeting>,
    follow_up: Vec<crate::actions::ActionPoint>,
    /// Earlier meetings whose minutes await an agenda that approves them.
    awaiting: Vec<(i64, String)>,
}

/// The agenda builder's read model, per meeting and kind of reader. The
/// standing item's "overdue" moves with the day: the clock.
pub static BUILDER: Kind = Kind {
    name: "agenda builder",
    tables: &[
        "account",
        "action_line",
        "action_point",
        "agenda_item",
        "agreement",
        "body",
        "conflict_of_interest",
        "meeting",
        "minutes",
        "organisation",
        "person",
    ],
    clock: true,
    most: None,
};

async fn builder_view(state: &AppState, id: i64, reader: Reader) -> Result<Arc<BuilderView>> {
    let read = async {
        let meeting = crate::meetings::load(state, id).await?;
        let items = queries::on_meeting(&state.db, meeting.id, reader).await?;
        let follow_up = crate::actions::standing_item(&state.db, &meeting, reader).await?;
        let later = queries::open_meetings(&state.db)
            .await?
            .into_iter()
            .filter(|m| m.body_id == meeting.body_id && m.starts_at > meeting.starts_at)
            .collect();
        let mut awaiting = Vec::new();
        let earlier =
            crate::meetings::awaiting_approval(&state.db, meeting.body_id, meeting.starts_at)
                .await?;
        for m in earlier.into_iter().filter(|m| !m.on_agenda) {
            awaiting.push((m.id, dutch::nl_day(dutch::brussels(m.starts_at).date())));
        }
        Ok::<_, AppError>(BuilderView {
            meeting,
            items,
            later,
            follow_up,
            awaiting,
        })
    };
    // What it reads depends on the meeting and the reader's kind.
    let key = format!("{id} {reader:?}");
    state.cache.stored(&state.db, &BUILDER, key, read).await
}

impl<'a> BuilderPage<'a> {
    fn new(
        ctx: PageCtx,
        meeting: &'a Meeting,
        view: &'a BuilderView,
        notice: Option<&'static str>,
        input: BuilderInput,
    ) -> Self {
        BuilderPage {
            follow_up: &view.follow_up,
            awaiting: &view.awaiting,
            frozen: meeting.status != crate::meetings::MeetingStatus::Planned,
            ctx,
            meeting,
            items: &view.items,
            later: &view.later,
            outcomes: queries::ItemOutcome::ALL,
            kinds: queries::ItemKind::ALL,
            notice,
            input,
        }
    }
}

/// The builder again after a refused form, with what was typed.
pub(crate) async fn builder_page(
    state: &AppState,
    ctx: PageCtx,
    meeting: Meeting,
    input: BuilderInput,
    status: StatusCode,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let view = builder_view(state, meeting.id, reader).await?;
    let page = BuilderPage::new(ctx, &meeting, &view, None, input);
    Ok((status, page::render(&page)).into_response())
}

// --- the printable agenda ---

#[derive(Template)]
#[template(path = "agenda/print.html")]
struct PrintPage {
    ctx: PageCtx,
    meeting: Meeting,
    items: Vec<AgendaItem>,
    member: bool,
}

async fn print(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let meeting = crate::meetings::load(&state, id).await?;
    let member = crate::meetings::is_member(&state, ctx.user.as_ref(), &meeting).await?;
    let items = queries::on_meeting(&state.db, meeting.id, Reader::of(ctx.user.as_ref())).await?;
    Ok(page::render(&PrintPage {
        ctx,
        meeting,
        items,
        member,
    }))
}

/// The agenda of a meeting, in order, as `reader` may see it: what the
/// meeting page asks of this area (the one way in from there).
pub async fn of_meeting(state: &AppState, meeting: i64, reader: Reader) -> Result<Vec<AgendaItem>> {
    Ok(queries::on_meeting(&state.db, meeting, reader).await?)
}
