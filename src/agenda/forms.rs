//! The forms: proposing, changing and withdrawing an item; the
//! secretariat's review; and the agenda builder's actions. Each runs its
//! operation (see `operations`) and only maps the outcome to a redirect or
//! the page again with what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::documents::DocumentInput;
use super::operations::{self, Decision, Draft, OwnItem, Review};
use super::queries::{self, AgendaItem, ItemKind};
use super::{BuilderInput, OnItem, ReviewInput, builder_page, item_page, load_visible, owns};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, FieldErrors, Id, PageCtx, Version, page};
use crate::mail::Site;
use crate::meetings::OnMeeting;

fn to_item(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/agendapunten/{id}?melding={melding}")).into_response()
}

fn to_builder(id: i64) -> Response {
    Redirect::to(&format!("/vergaderingen/{id}/agenda?melding=agenda")).into_response()
}

const THIS_ITEM: &str = "dit agendapunt";

/// The proposal form as typed. Built from the raw pairs, because the
/// competences are a repeated field.
#[derive(Debug, Default, Clone)]
pub struct ProposalForm {
    pub title: String,
    pub explanation: String,
    pub kind: String,
    pub body_id: String,
    pub meeting_id: String,
    pub competences: Vec<String>,
    pub confidential: bool,
    pub release_date: String,
    pub release_time: String,
    /// The release time stored now (not typed).
    pub kept_release: Option<time::OffsetDateTime>,
    pub agreement_id: String,
    pub version: Version,
}

impl ProposalForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = ProposalForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v,
                "explanation" => f.explanation = v,
                "kind" => f.kind = v,
                "body_id" => f.body_id = v,
                "meeting_id" => f.meeting_id = v,
                "competence" => f.competences.push(v),
                "confidential" => f.confidential = !v.is_empty(),
                "release_date" => f.release_date = v,
                "release_time" => f.release_time = v,
                "agreement_id" => f.agreement_id = v,
                "version" => f.version = Version::parse(&v),
                _ => {}
            }
        }
        f
    }

    fn from_item(item: &AgendaItem, competences: &[(i64, String)]) -> Self {
        ProposalForm {
            title: item.title.clone(),
            explanation: item.explanation.clone(),
            kind: item.kind.code().to_string(),
            body_id: item.body_id.to_string(),
            meeting_id: item.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
            competences: competences.iter().map(|(id, _)| id.to_string()).collect(),
            confidential: item.confidential,
            release_date: item
                .embargo_until
                .map(|t| crate::base::dutch::iso_date(crate::base::dutch::brussels(t).date()))
                .unwrap_or_default(),
            release_time: item
                .embargo_until
                .map(|t| crate::base::dutch::hhmm(crate::base::dutch::brussels(t)))
                .unwrap_or_default(),
            kept_release: item.embargo_until,
            agreement_id: item.agreement_id.map(|a| a.to_string()).unwrap_or_default(),
            version: Version(item.version),
        }
    }

    pub fn has_competence(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.competences.contains(&id)
    }

    fn draft(&self) -> Draft<'_> {
        Draft {
            title: &self.title,
            explanation: &self.explanation,
            kind: &self.kind,
            body_id: &self.body_id,
            meeting_id: &self.meeting_id,
            competences: &self.competences,
            confidential: self.confidential,
            release: (&self.release_date, &self.release_time),
            kept_release: self.kept_release,
            agreement_id: &self.agreement_id,
        }
    }
}

#[derive(Template)]
#[template(path = "agenda/form.html")]
struct FormPage {
    ctx: PageCtx,
    item: Option<AgendaItem>,
    form: ProposalForm,
    errors: FieldErrors,
    bodies: Vec<(i64, String, String)>,
    meetings: Vec<queries::OpenMeeting>,
    competences: Vec<(i64, String)>,
    /// The agreements an item may concern (those the proposer may see).
    agreements: Vec<crate::agreements::Agreement>,
    kinds: [ItemKind; 3],
}

impl FormPage {
    /// The summary's first line: what a refused form did not do.
    fn not_done(&self) -> &'static str {
        if self.item.is_some() {
            "Het voorstel is niet opgeslagen:"
        } else {
            "Het voorstel is niet ingediend:"
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    item: Option<AgendaItem>,
    form: ProposalForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let reader = crate::auth::Reader::of(ctx.user.as_ref());
    let agreements = crate::agreements::visible(&state.db, reader).await?;
    let page = FormPage {
        ctx,
        item,
        form,
        errors,
        bodies: crate::composition::body_choices(&state.db).await?,
        meetings: queries::open_meetings(&state.db).await?,
        competences: queries::competences(&state.db).await?,
        agreements,
        kinds: ItemKind::ALL,
    };
    Ok((status, page::render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    vergadering: Option<String>,
}

/// The empty form; from a meeting page, with that meeting filled in.
pub async fn new_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<Response> {
    let mut form = ProposalForm::default();
    if let Some(id) = q.vergadering.and_then(|v| v.trim().parse::<i64>().ok()) {
        let open = queries::open_meetings(&state.db).await?;
        if let Some(m) = open.iter().find(|m| m.id == id) {
            form.body_id = m.body_id.to_string();
            form.meeting_id = m.id.to_string();
        }
    }
    form_page(
        &state,
        ctx,
        None,
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn submit(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = ProposalForm::from_pairs(pairs);
    let outcome = write::run(&state.db, async |tx| {
        operations::propose(tx, &user, &form.draft()).await
    })
    .await?;
    let errors = match outcome {
        Outcome::Done(id) => return Ok(to_item(id, "ingediend")),
        Outcome::Stale => write::stale_errors(THIS_ITEM),
        Outcome::Refused(errors) => errors,
    };
    form_page(
        &state,
        ctx,
        None,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The item, if this user proposed it (the secretariat reviews, it does not
/// edit someone else's proposal).
async fn load_own(state: &AppState, ctx: &PageCtx, id: i64) -> Result<AgendaItem> {
    let item = load_visible(state, ctx, id).await?;
    match &ctx.user {
        Some(u) if owns(u, &item) => Ok(item),
        _ => Err(AppError::NotFound),
    }
}

/// A write on the item, if the actor proposed it (see [`load_own`]).
fn own(on: OnItem) -> Result<OnItem> {
    match owns(&on.actor, &on.record) {
        true => Ok(on),
        false => Err(AppError::NotFound),
    }
}

/// Why a proposal cannot be changed (or withdrawn: `what`) now.
fn closed(item: &AgendaItem, what: &str) -> String {
    format!(
        "Dit voorstel is {} en kan niet meer {what} worden.",
        item.status.label()
    )
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    let item = load_own(&state, &ctx, id).await?;
    if !item.status.is_open_to_proposer() {
        return Err(AppError::Conflict(closed(&item, "gewijzigd")));
    }
    let competences = queries::item_competences(&state.db, item.id).await?;
    let form = ProposalForm::from_item(&item, &competences);
    form_page(
        &state,
        ctx,
        Some(item),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(on: OnItem, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response> {
    let on = own(on)?;
    let form = ProposalForm {
        // A release time that has passed since may stay as it is.
        kept_release: on.record.embargo_until,
        ..ProposalForm::from_pairs(pairs)
    };
    let outcome = write::run(&on.state.db, async |tx| {
        operations::revise(tx, &on.actor, &on.record, form.version.0, &form.draft()).await
    })
    .await?;
    match outcome.settle(stale(&on.record, "gewijzigd")) {
        Ok(()) => Ok(to_item(on.record.id, "opgeslagen")),
        Err((status, errors)) => {
            let item = Some(on.record);
            form_page(&on.state, on.ctx, item, form, errors, status).await
        }
    }
}

/// A proposer's change came too late: changed by someone else, or no
/// longer open to them.
fn stale(item: &AgendaItem, what: &str) -> FieldErrors {
    if item.status.is_open_to_proposer() {
        write::stale_errors(THIS_ITEM)
    } else {
        let mut errors = FieldErrors::default();
        errors.add("form", closed(item, what));
        errors
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    version: Version,
}

pub async fn withdraw(on: OnItem, Form(form): Form<WithdrawForm>) -> Result<Response> {
    let on = own(on)?;
    let outcome = write::run(&on.state.db, async |tx| {
        operations::withdraw(tx, on.actor.id, &on.record, form.version.0).await
    })
    .await?;
    let errors = match outcome {
        Outcome::Done(()) => return Ok(to_item(on.record.id, "ingetrokken")),
        Outcome::Stale => stale(&on.record, "ingetrokken"),
        Outcome::Refused(errors) => errors,
    };
    let input = ReviewInput {
        errors,
        ..ReviewInput::default()
    };
    let upload = DocumentInput::default();
    item_page(
        &on.state,
        on.ctx,
        on.record,
        Default::default(),
        input,
        upload,
        StatusCode::CONFLICT,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    besluit: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: Version,
}

/// The secretariat's decision on a proposal (see `operations::review`).
pub async fn review(on: OnItem, Form(form): Form<ReviewForm>) -> Result<Response> {
    let item = &on.record;
    let decision = Review {
        decision: &form.besluit,
        meeting_id: &form.meeting_id,
        comment: &form.comment,
    };
    let site = Site::of(&on.ctx, &on.state.config);
    let outcome = write::run(&on.state.db, async |tx| {
        operations::review(tx, on.actor.id, item, form.version.0, &decision, &site).await
    })
    .await?;
    let (status, errors) = match outcome {
        Outcome::Done(()) => return Ok(to_item(item.id, "beoordeeld")),
        Outcome::Refused(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Outcome::Stale if !item.status.awaits_review() => {
            let mut errors = FieldErrors::default();
            errors.add(
                "form",
                format!(
                    "Dit agendapunt is {} en wacht niet op een beslissing.",
                    item.status.label()
                ),
            );
            (StatusCode::CONFLICT, errors)
        }
        Outcome::Stale => (StatusCode::CONFLICT, write::stale_errors(THIS_ITEM)),
    };
    let input = ReviewInput {
        errors,
        comment: form.comment.clone(),
        meeting_id: form.meeting_id.clone(),
    };
    let upload = DocumentInput::default();
    let after = Default::default();
    item_page(&on.state, on.ctx, on.record, after, input, upload, status).await
}

// --- the agenda builder ---

/// The builder after a change; again after a refused or stale one, with
/// what was typed.
async fn builder_again<T>(
    on: OnMeeting,
    outcome: Outcome<T>,
    input: BuilderInput,
) -> Result<Response> {
    let (status, errors) = match outcome.settle(write::stale_errors(THIS_ITEM)) {
        Ok(_) => return Ok(to_builder(on.record.id)),
        Err(refusal) => refusal,
    };
    let input = BuilderInput { errors, ..input };
    builder_page(&on.state, on.ctx, on.record, input, status).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    richting: String,
}

pub async fn move_item(
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(id): Id,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let meeting = crate::meetings::load(&state, id).await?;
    let item = parse_id(&form.item_id)?;
    let up = match form.richting.as_str() {
        "op" => true,
        "neer" => false,
        _ => return Err(AppError::bad_request("Kies omhoog of omlaag.")),
    };
    // Nothing to swap with (any more): the builder shows the order as it is.
    let _ = write::run(&state.db, async |tx| {
        queries::move_item(tx, user.id, meeting.id, item, up).await
    })
    .await?;
    Ok(to_builder(meeting.id))
}

#[derive(Debug, Default, Deserialize)]
pub struct PlaceForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    plaats: String,
    #[serde(default)]
    version: Version,
}

/// Moves an item straight to a place (see `operations::move_to_place`).
pub async fn move_to_place(on: OnMeeting, Form(form): Form<PlaceForm>) -> Result<Response> {
    let item = agenda_item(&on.state, on.record.id, &form.item_id).await?;
    let outcome = write::run(&on.state.db, async |tx| {
        let (seen, place) = (form.version.0, &form.plaats);
        operations::move_to_place(tx, on.actor.id, &on.record, item.id, seen, place).await
    })
    .await?;
    let input = BuilderInput {
        item_id: item.id,
        place: Some(form.plaats),
        ..BuilderInput::default()
    };
    builder_again(on, outcome, input).await
}

/// Sends the changed agenda of a convened meeting as its next version
/// (B, C…): the invitees get what changed that they may see, and the
/// agenda. Refused when nothing changed since the last version.
pub async fn send_version(on: OnMeeting) -> Result<Response> {
    let site = Site::of(&on.ctx, &on.state.config);
    let (actor, meeting) = (on.actor.id, &on.record);
    let outcome = write::run(&on.state.db, async |tx| {
        // Asked under the meeting's lock: a cancellation at the same moment
        // wins.
        let open: bool = sqlx::query_scalar(
            "SELECT status = 'convened' AND starts_at > now() FROM meeting WHERE id = $1 FOR UPDATE",
        )
        .bind(meeting.id)
        .fetch_one(&mut *tx)
        .await?;
        if !open {
            return Ok(Outcome::refused(
                "form",
                "Alleen de agenda van een bijeengeroepen vergadering die nog moet beginnen, \
                 wordt opnieuw verstuurd.",
            ));
        }
        Ok(match crate::agenda::freeze_version(tx, Some(actor), meeting.id).await? {
            crate::agenda::Frozen::New { letter, .. } => {
                let occasion = crate::meetings::convocation::Occasion::AgendaUpdate;
                crate::meetings::convocation::write(tx, Some(actor), meeting, occasion, &site)
                    .await?;
                Outcome::Done(letter)
            }
            crate::agenda::Frozen::Unchanged(letter) => Outcome::refused(
                "form",
                format!("De agenda is niet gewijzigd sinds versie {letter}: er is niets te versturen."),
            ),
            crate::agenda::Frozen::Full => Outcome::refused(
                "form",
                "Deze agenda heeft al 26 versies (A tot Z): verstuur wijzigingen voortaan met een bericht.",
            ),
        })
    })
    .await?;
    match outcome {
        Outcome::Done(letter) => Ok(Redirect::to(&format!(
            "/vergaderingen/{}/agenda?melding=versie&versie={letter}",
            meeting.id
        ))
        .into_response()),
        other => builder_again(on, other, BuilderInput::default()).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OwnItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    confidential: String,
    /// The earlier meeting whose minutes the item approves.
    #[serde(default)]
    approves: String,
}

/// The secretariat's own item (see `operations::add_own_item`).
pub async fn add_own_item(on: OnMeeting, Form(form): Form<OwnItemForm>) -> Result<Response> {
    let own = OwnItem {
        title: &form.title,
        explanation: &form.explanation,
        kind: &form.kind,
        confidential: !form.confidential.is_empty(),
        approves: &form.approves,
    };
    let outcome = write::run(&on.state.db, async |tx| {
        operations::add_own_item(tx, &on.actor, &on.record, &own).await
    })
    .await?;
    let input = BuilderInput {
        title: form.title.clone(),
        explanation: form.explanation.clone(),
        kind: form.kind.clone(),
        approves: form.approves.clone(),
        ..BuilderInput::default()
    };
    builder_again(on, outcome, input).await
}

/// An item of this meeting's agenda, or 404.
async fn agenda_item(state: &AppState, meeting: i64, item_id: &str) -> Result<AgendaItem> {
    queries::get(&state.db, parse_id(item_id)?)
        .await?
        .filter(|i| i.meeting_id == Some(meeting) && i.position.is_some())
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    decision_text: String,
    #[serde(default)]
    version: Version,
}

pub async fn record_outcome(on: OnMeeting, Form(form): Form<OutcomeForm>) -> Result<Response> {
    let (user, meeting) = (on.actor.id, &on.record);
    let item = agenda_item(&on.state, meeting.id, &form.item_id).await?;
    let site = Site::of(&on.ctx, &on.state.config);
    let decision = Decision {
        seen_version: form.version.0,
        outcome: &form.outcome,
        text: &form.decision_text,
    };
    let outcome = write::run(&on.state.db, async |tx| {
        operations::record_outcome(tx, user, &site, meeting, &item, decision).await
    })
    .await?;
    let input = BuilderInput {
        item_id: item.id,
        decision_text: form.decision_text.clone(),
        ..BuilderInput::default()
    };
    builder_again(on, outcome, input).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CarryOverForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    version: Version,
}

pub async fn carry_over(on: OnMeeting, Form(form): Form<CarryOverForm>) -> Result<Response> {
    let item = agenda_item(&on.state, on.record.id, &form.item_id).await?;
    let outcome = write::run(&on.state.db, async |tx| {
        let (seen, target) = (form.version.0, &form.meeting_id);
        operations::carry_over(tx, on.actor.id, &on.record, &item, seen, target).await
    })
    .await?;
    let input = BuilderInput {
        item_id: item.id,
        ..BuilderInput::default()
    };
    builder_again(on, outcome, input).await
}
