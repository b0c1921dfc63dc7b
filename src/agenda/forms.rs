//! The forms: proposing, changing and withdrawing an item; the
//! secretariat's review; and the agenda builder's actions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{
    self, AgendaItem, ItemFields, ItemKind, ItemStatus, OPEN, Outcome, Proposer, REVIEWABLE, Saved,
    Transition,
};
use super::{BuilderInput, ReviewInput, builder_page, item_page, load_visible, owns};
use crate::auth::CurrentUser;
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, dutch, page};
use crate::meetings::MeetingStatus;

const MAX_TITLE: usize = 300;
const MAX_EXPLANATION: usize = 20_000;
const MAX_COMMENT: usize = 2_000;

const CONFLICT: &str = "Iemand anders heeft dit agendapunt intussen gewijzigd. Uw invoer staat hieronder; niets is overschreven. Herlaad de pagina om de nieuwe toestand te zien.";

fn actor(ctx: &PageCtx) -> Result<&CurrentUser> {
    ctx.user.as_ref().ok_or(AppError::Forbidden)
}

fn to_item(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/agendapunten/{id}?melding={melding}")).into_response()
}

fn to_builder(id: i64) -> Response {
    Redirect::to(&format!("/vergaderingen/{id}/agenda?melding=agenda")).into_response()
}

fn version(s: &str) -> i32 {
    s.trim().parse().unwrap_or(-1)
}

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
    pub version: String,
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
                "version" => f.version = v,
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
            version: item.version.to_string(),
        }
    }

    pub fn has_competence(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.competences.contains(&id)
    }

    async fn parse(
        &self,
        state: &AppState,
        user: &CurrentUser,
    ) -> Result<std::result::Result<ItemFields, FieldErrors>> {
        let mut e = FieldErrors::default();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            e.add("title", "Vul een titel in.");
        } else if title.chars().count() > MAX_TITLE {
            e.add("title", "De titel mag hoogstens 300 tekens lang zijn.");
        }
        let explanation = self.explanation.trim().to_string();
        if explanation.chars().count() > MAX_EXPLANATION {
            e.add(
                "explanation",
                "De toelichting mag hoogstens 20 000 tekens lang zijn.",
            );
        }
        let kind = ItemKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add(
                "kind",
                "Kies of het punt ter informatie, ter bespreking of ter beslissing is.",
            );
        }
        let bodies = crate::composition::body_choices(&state.db).await?;
        let body_id = self
            .body_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| bodies.iter().any(|(b, _, _)| b == id));
        match body_id {
            None => e.add("body_id", "Kies een orgaan."),
            Some(b) => {
                if !crate::composition::sits_in(&state.db, user, b, dutch::today()).await? {
                    e.add(
                        "body_id",
                        "Uw organisatie zetelt niet in dit orgaan en kan er geen punten voor agenderen.",
                    );
                }
            }
        }
        let mut meeting_id = None;
        if !self.meeting_id.trim().is_empty() {
            let open = queries::open_meetings(&state.db).await?;
            meeting_id = self.meeting_id.trim().parse::<i64>().ok().filter(|id| {
                open.iter()
                    .any(|m| m.id == *id && Some(m.body_id) == body_id)
            });
            if meeting_id.is_none() {
                e.add(
                    "meeting_id",
                    "Kies een geplande vergadering van dit orgaan, of laat het veld leeg.",
                );
            }
        }
        let known = queries::competences(&state.db).await?;
        let mut competences = Vec::new();
        for c in &self.competences {
            match c.trim().parse::<i64>() {
                Ok(id) if known.iter().any(|(k, _)| *k == id) => competences.push(id),
                _ => e.add("competence", "Kies bevoegdheden uit de lijst."),
            }
        }
        Ok(match (body_id, kind, e.is_empty()) {
            (Some(body_id), Some(kind), true) => Ok(ItemFields {
                body_id,
                meeting_id,
                title,
                explanation,
                kind,
                competences,
                confidential: self.confidential,
            }),
            _ => Err(e),
        })
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
    kinds: [ItemKind; 3],
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    item: Option<AgendaItem>,
    form: ProposalForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let page = FormPage {
        ctx,
        item,
        form,
        errors,
        bodies: crate::composition::body_choices(&state.db).await?,
        meetings: queries::open_meetings(&state.db).await?,
        competences: queries::competences(&state.db).await?,
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
    State(state): State<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let user = actor(&ctx)?.clone();
    let form = ProposalForm::from_pairs(pairs);
    let fields = match form.parse(&state, &user).await? {
        Ok(f) => f,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let by = Proposer {
        organisation: user.organisation_id,
        minister: user.minister_id,
        account: user.id,
    };
    let mut tx = state.db.begin().await?;
    let id = queries::create(&mut tx, by, &fields, false).await?;
    tx.commit().await?;
    Ok(to_item(id, "ingediend"))
}

/// The item, if this user proposed it (the secretariat reviews, it does not
/// edit someone else's proposal).
async fn load_own(state: &AppState, ctx: &PageCtx, id: &str) -> Result<AgendaItem> {
    let item = load_visible(state, ctx, id).await?;
    match &ctx.user {
        Some(u) if owns(u, &item) => Ok(item),
        _ => Err(AppError::NotFound),
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let item = load_own(&state, &ctx, &id).await?;
    if !item.status.is_open_to_proposer() {
        return Err(AppError::Conflict(format!(
            "Dit voorstel is {} en kan niet meer gewijzigd worden.",
            item.status.label()
        )));
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

pub async fn update(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let user = actor(&ctx)?.clone();
    let item = load_own(&state, &ctx, &id).await?;
    let form = ProposalForm::from_pairs(pairs);
    let fields = match form.parse(&state, &user).await? {
        Ok(f) => f,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                Some(item),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin().await?;
    match queries::update(&mut tx, user.id, &item, version(&form.version), &fields).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(to_item(item.id, "opgeslagen"))
        }
        Saved::Conflict => {
            let mut errors = FieldErrors::default();
            if item.status.is_open_to_proposer() {
                errors.add("form", CONFLICT);
            } else {
                errors.add(
                    "form",
                    format!(
                        "Dit voorstel is {} en kan niet meer gewijzigd worden.",
                        item.status.label()
                    ),
                );
            }
            form_page(&state, ctx, Some(item), form, errors, StatusCode::CONFLICT).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    version: String,
}

pub async fn withdraw(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let item = load_own(&state, &ctx, &id).await?;
    let t = Transition {
        from: &OPEN,
        to: ItemStatus::Withdrawn,
        meeting: item.meeting_id,
        place: false,
        answer: item.answer.as_deref(),
        comment: "Ingetrokken door de indiener",
    };
    let mut tx = state.db.begin().await?;
    match queries::transition(&mut tx, user, &item, version(&form.version), &t).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(to_item(item.id, "ingetrokken"))
        }
        Saved::Conflict => {
            let error = if item.status.is_open_to_proposer() {
                CONFLICT.to_string()
            } else {
                format!(
                    "Dit voorstel is {} en kan niet meer ingetrokken worden.",
                    item.status.label()
                )
            };
            let input = ReviewInput {
                error: Some(error),
                ..ReviewInput::default()
            };
            item_page(&state, ctx, item, None, input, StatusCode::CONFLICT).await
        }
    }
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
    version: String,
}

/// The secretariat's decision on a proposal: accept onto a meeting, return
/// for changes, defer, or reject. Each one lands in the item's history.
pub async fn review(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let item = load_visible(&state, &ctx, &id).await?;
    let comment = form.comment.trim();
    let open = queries::open_meetings(&state.db).await?;
    let meeting = form.meeting_id.trim().parse::<i64>().ok().and_then(|id| {
        open.iter()
            .find(|m| m.id == id && m.body_id == item.body_id)
    });
    let refuse = |message: String| ReviewInput {
        error: Some(message),
        comment: form.comment.clone(),
        meeting_id: form.meeting_id.clone(),
    };
    let mut problem = None;
    if !item.status.awaits_review() {
        let input = refuse(format!(
            "Dit agendapunt is {} en wacht niet op een beslissing.",
            item.status.label()
        ));
        return item_page(&state, ctx, item, None, input, StatusCode::CONFLICT).await;
    }
    if comment.chars().count() > MAX_COMMENT {
        problem = Some("De toelichting mag hoogstens 2 000 tekens lang zijn.".to_string());
    }
    if !form.meeting_id.trim().is_empty() && meeting.is_none() {
        problem = Some(
            "Kies een geplande of bijeengeroepen vergadering van hetzelfde orgaan.".to_string(),
        );
    }
    let decision = match form.besluit.as_str() {
        "accept" => {
            if meeting.is_none() {
                problem = Some("Kies de vergadering waarop het punt komt.".to_string());
            }
            ItemStatus::Accepted
        }
        "return" => {
            if comment.is_empty() {
                problem = Some(
                    "Schrijf wat de indiener moet aanpassen: die ziet uw opmerking.".to_string(),
                );
            }
            ItemStatus::Returned
        }
        "review" => {
            if item.status != ItemStatus::Submitted {
                problem = Some(
                    "Alleen een ingediend voorstel kan in behandeling genomen worden.".to_string(),
                );
            }
            ItemStatus::InReview
        }
        "defer" => ItemStatus::Deferred,
        "reject" => {
            if comment.is_empty() {
                problem = Some("Geef de reden van de afwijzing: de indiener ziet ze.".to_string());
            }
            ItemStatus::Rejected
        }
        _ => {
            problem = Some("Kies een beslissing.".to_string());
            ItemStatus::Submitted
        }
    };
    if let Some(message) = problem {
        let input = refuse(message);
        return item_page(
            &state,
            ctx,
            item,
            None,
            input,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let history = match (decision, meeting) {
        (ItemStatus::Accepted, Some(m)) => {
            format!("Aanvaard voor de vergadering van {}", m.label())
        }
        (ItemStatus::Deferred, Some(m)) => {
            format!("Uitgesteld naar de vergadering van {}", m.label())
        }
        (ItemStatus::Deferred, None) => "Uitgesteld, nog zonder vergadering".to_string(),
        (ItemStatus::Returned, _) => "Teruggestuurd voor aanpassing".to_string(),
        (ItemStatus::InReview, _) => "In behandeling genomen".to_string(),
        _ => "Afgewezen".to_string(),
    };
    let history = if comment.is_empty() {
        history
    } else {
        format!("{history}: {comment}")
    };
    let t = Transition {
        from: &REVIEWABLE,
        to: decision,
        // Deferring without a meeting leaves it undecided; otherwise the
        // proposer's wished-for meeting stays unless another is chosen.
        meeting: match (decision, meeting) {
            (_, Some(m)) => Some(m.id),
            (ItemStatus::Deferred, None) => None,
            (_, None) => item.meeting_id,
        },
        place: decision == ItemStatus::Accepted,
        answer: (!comment.is_empty()).then_some(comment),
        comment: &history,
    };
    let mut tx = state.db.begin().await?;
    match queries::transition(&mut tx, user, &item, version(&form.version), &t).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(to_item(item.id, "beoordeeld"))
        }
        Saved::Conflict => {
            let input = refuse(CONFLICT.to_string());
            item_page(&state, ctx, item, None, input, StatusCode::CONFLICT).await
        }
    }
}

// --- the agenda builder ---

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    richting: String,
}

pub async fn move_item(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let meeting = crate::meetings::load(&state, &id).await?;
    let item: i64 = form
        .item_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let up = match form.richting.as_str() {
        "op" => true,
        "neer" => false,
        _ => return Err(AppError::bad_request("Kies omhoog of omlaag.")),
    };
    let mut tx = state.db.begin().await?;
    if queries::move_item(&mut tx, user, meeting.id, item, up).await? {
        tx.commit().await?;
    }
    Ok(to_builder(meeting.id))
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
}

/// The secretariat's own item, e.g. the approval of the previous minutes:
/// straight onto the agenda, at the end.
pub async fn add_own_item(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<OwnItemForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.clone();
    let meeting = crate::meetings::load(&state, &id).await?;
    let title = form.title.trim();
    let kind = ItemKind::parse(form.kind.trim());
    let problem = if !matches!(
        meeting.status,
        MeetingStatus::Planned | MeetingStatus::Convened
    ) {
        Some("Op een gehouden of geannuleerde vergadering komen geen nieuwe punten.")
    } else if title.is_empty() {
        Some("Vul een titel in.")
    } else if title.chars().count() > MAX_TITLE {
        Some("De titel mag hoogstens 300 tekens lang zijn.")
    } else if form.explanation.trim().chars().count() > MAX_EXPLANATION {
        Some("De toelichting mag hoogstens 20 000 tekens lang zijn.")
    } else if kind.is_none() {
        Some("Kies of het punt ter informatie, ter bespreking of ter beslissing is.")
    } else {
        None
    };
    let Some(kind) = kind.filter(|_| problem.is_none()) else {
        let input = BuilderInput {
            error: problem.map(str::to_string),
            title: form.title.clone(),
            explanation: form.explanation.clone(),
            kind: form.kind.clone(),
            ..BuilderInput::default()
        };
        return builder_page(
            &state,
            ctx,
            meeting,
            None,
            input,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let fields = ItemFields {
        body_id: meeting.body_id,
        meeting_id: Some(meeting.id),
        title: title.to_string(),
        explanation: form.explanation.trim().to_string(),
        kind,
        competences: Vec::new(),
        confidential: !form.confidential.is_empty(),
    };
    let by = Proposer {
        organisation: user.organisation_id,
        minister: None,
        account: user.id,
    };
    let mut tx = state.db.begin().await?;
    queries::create(&mut tx, by, &fields, true).await?;
    tx.commit().await?;
    Ok(to_builder(meeting.id))
}

/// An item of this meeting's agenda, or 404.
async fn agenda_item(state: &AppState, meeting: i64, item_id: &str) -> Result<AgendaItem> {
    let id: i64 = item_id.trim().parse().map_err(|_| AppError::NotFound)?;
    queries::get(&state.db, id)
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
    version: String,
}

pub async fn record_outcome(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let meeting = crate::meetings::load(&state, &id).await?;
    let item = agenda_item(&state, meeting.id, &form.item_id).await?;
    let outcome = Outcome::parse(form.outcome.trim());
    let text = form.decision_text.trim();
    let problem = if meeting.status == MeetingStatus::Cancelled {
        Some("De vergadering is geannuleerd: er is geen uitkomst te noteren.".to_string())
    } else if meeting.starts_at > time::OffsetDateTime::now_utc() {
        Some("De uitkomst noteert u na de vergadering.".to_string())
    } else if item.status != ItemStatus::Accepted {
        Some(format!(
            "Dit punt is {}: er is geen uitkomst meer te noteren.",
            item.status.label()
        ))
    } else if outcome.is_none() {
        Some("Kies de uitkomst: kennisgenomen, besproken of beslist.".to_string())
    } else if outcome == Some(Outcome::Decided) && text.is_empty() {
        Some("Vul de tekst van de beslissing in.".to_string())
    } else if text.chars().count() > MAX_EXPLANATION {
        Some("De beslissing mag hoogstens 20 000 tekens lang zijn.".to_string())
    } else {
        None
    };
    let refuse = |message: String| BuilderInput {
        error: Some(message),
        item_id: item.id,
        decision_text: form.decision_text.clone(),
        ..BuilderInput::default()
    };
    let Some(outcome) = outcome.filter(|_| problem.is_none()) else {
        let input = refuse(problem.unwrap_or_default());
        return builder_page(
            &state,
            ctx,
            meeting,
            None,
            input,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let decision_text = (!text.is_empty()).then_some(text);
    let mut tx = state.db.begin().await?;
    match queries::record_outcome(
        &mut tx,
        user,
        &item,
        version(&form.version),
        outcome,
        decision_text,
    )
    .await?
    {
        Saved::Done => {
            tx.commit().await?;
            Ok(to_builder(meeting.id))
        }
        Saved::Conflict => {
            let input = refuse(CONFLICT.to_string());
            builder_page(&state, ctx, meeting, None, input, StatusCode::CONFLICT).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CarryOverForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    version: String,
}

pub async fn carry_over(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<CarryOverForm>,
) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let meeting = crate::meetings::load(&state, &id).await?;
    let item = agenda_item(&state, meeting.id, &form.item_id).await?;
    let open = queries::open_meetings(&state.db).await?;
    let target = form.meeting_id.trim().parse::<i64>().ok().and_then(|t| {
        open.into_iter()
            .find(|m| m.id == t && m.body_id == meeting.body_id && m.starts_at > meeting.starts_at)
    });
    let problem = if item.status != ItemStatus::Accepted {
        Some(format!(
            "Dit punt is {} en kan niet meer doorgeschoven worden.",
            item.status.label()
        ))
    } else if target.is_none() {
        Some("Kies een latere vergadering van hetzelfde orgaan.".to_string())
    } else {
        None
    };
    let refuse = |message: String| BuilderInput {
        error: Some(message),
        item_id: item.id,
        ..BuilderInput::default()
    };
    let Some(target) = target.filter(|_| problem.is_none()) else {
        let input = refuse(problem.unwrap_or_default());
        return builder_page(
            &state,
            ctx,
            meeting,
            None,
            input,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let note = format!("Doorgeschoven naar de vergadering van {}", target.label());
    let mut tx = state.db.begin().await?;
    match queries::carry_over(
        &mut tx,
        user,
        &item,
        version(&form.version),
        target.id,
        &note,
    )
    .await?
    {
        Some(_) => {
            tx.commit().await?;
            Ok(to_builder(meeting.id))
        }
        None => {
            let input = refuse(CONFLICT.to_string());
            builder_page(&state, ctx, meeting, None, input, StatusCode::CONFLICT).await
        }
    }
}
