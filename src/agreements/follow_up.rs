//! Follow-up: dated status entries per action line (cabinets within their
//! minister's competences, and the secretariat), and measured values per
//! goal (the secretariat).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::action_lines::LineRecord;
use super::queries::follow_up::{FollowUpEntry, FollowUpStatus, Measurement};
use super::queries::{self, Goal};
use crate::auth::{CurrentUser, Role};
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, dutch, page};

fn user(ctx: &PageCtx) -> Result<&CurrentUser> {
    ctx.user.as_ref().ok_or(AppError::Forbidden)
}

fn parse_id(id: &str) -> Result<i64> {
    id.trim().parse().map_err(|_| AppError::NotFound)
}

/// Whether this user may record follow-up on this line: the secretariat
/// always; a cabinet when the line or an ancestor is linked to a competence
/// its minister holds today.
async fn may_follow_up(state: &AppState, user: &CurrentUser, line: i64) -> Result<bool> {
    Ok(match (user.role, user.minister_id) {
        (Role::Secretariat, _) => true,
        (Role::Cabinet, Some(m)) => {
            queries::follow_up::line_within_competence(&state.db, line, m, dutch::today()).await?
        }
        _ => false,
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    pub recorded_on: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
}

impl EntryForm {
    fn parse(&self) -> std::result::Result<(time::Date, FollowUpStatus, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = dutch::parse_date(&self.recorded_on);
        match date {
            None => errors.add("recorded_on", "Vul een datum in de vorm JJJJ-MM-DD in."),
            Some(d) if d > dutch::today() => errors.add(
                "recorded_on",
                "Opvolging beschrijft wat er gebeurd is: de datum kan niet in de toekomst liggen.",
            ),
            Some(_) => {}
        }
        let status = FollowUpStatus::parse(self.status.trim());
        if status.is_none() {
            errors.add("status", "Kies een status.");
        }
        let note = self.note.trim().to_string();
        if note.chars().count() > 5000 {
            errors.add(
                "note",
                "De toelichting mag hoogstens 5000 tekens lang zijn.",
            );
        }
        match (date, status, errors.is_empty()) {
            (Some(d), Some(s), true) => Ok((d, s, note)),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "agreements/follow_up.html")]
struct LinePage {
    ctx: PageCtx,
    slug: String,
    agreement_title: String,
    line: LineRecord,
    history: Vec<FollowUpEntry>,
    form: EntryForm,
    errors: FieldErrors,
    statuses: [FollowUpStatus; 5],
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    melding: Option<String>,
}

async fn line_context(state: &AppState, line: &str) -> Result<(LineRecord, String, String)> {
    let line = queries::action_lines::line(&state.db, parse_id(line)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let (slug, title) = queries::agreement::slug_and_title(&state.db, line.agreement_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((line, slug, title))
}

async fn line_page(
    status: StatusCode,
    ctx: PageCtx,
    state: &AppState,
    (line, slug, agreement_title): (LineRecord, String, String),
    form: EntryForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response> {
    let page = LinePage {
        ctx,
        slug,
        agreement_title,
        history: queries::follow_up::line_follow_ups(&state.db, line.id).await?,
        line,
        form,
        errors,
        statuses: FollowUpStatus::ALL,
        notice,
    };
    Ok((status, page::render(&page)).into_response())
}

pub async fn line_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(line): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let context = line_context(&state, &line).await?;
    if !may_follow_up(&state, user(&ctx)?, context.0.id).await? {
        return Err(AppError::Forbidden);
    }
    let form = EntryForm {
        recorded_on: dutch::iso_date(dutch::today()),
        ..EntryForm::default()
    };
    let notice =
        (q.melding.as_deref() == Some("opgeslagen")).then_some("De opvolging is opgeslagen.");
    let errors = FieldErrors::default();
    line_page(StatusCode::OK, ctx, &state, context, form, errors, notice).await
}

pub async fn create_entry(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(line): Path<String>,
    Form(form): Form<EntryForm>,
) -> Result<Response> {
    let context = line_context(&state, &line).await?;
    let user = user(&ctx)?;
    let actor = user.id;
    if !may_follow_up(&state, user, context.0.id).await? {
        tracing::warn!(
            line = context.0.id,
            actor,
            "follow-up outside competence refused"
        );
        return Err(AppError::Forbidden);
    }
    let (date, status, note) = match form.parse() {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return line_page(status, ctx, &state, context, form, e, None).await;
        }
    };
    let line_id = context.0.id;
    let mut tx = state.db.begin().await?;
    match queries::follow_up::insert_follow_up(&mut tx, actor, line_id, date, status, &note).await {
        Ok(_) => {}
        Err(e) if violated_constraint(&e) == Some(queries::follow_up::FOLLOW_UP_DUPLICATE) => {
            tx.rollback().await?;
            let mut errors = FieldErrors::default();
            errors.add(
                "form",
                "Deze opvolging (zelfde datum, status en toelichting) is al geregistreerd.",
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return line_page(status, ctx, &state, context, form, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/opvolging/actielijnen/{line_id}?melding=opgeslagen"
    ))
    .into_response())
}

// Goal measurements ---------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeasurementForm {
    #[serde(default)]
    pub measured_on: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub note: String,
}

impl MeasurementForm {
    fn parse(&self) -> std::result::Result<(time::Date, String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = dutch::parse_date(&self.measured_on);
        match date {
            None => errors.add("measured_on", "Vul een datum in de vorm JJJJ-MM-DD in."),
            Some(d) if d > dutch::today() => errors.add(
                "measured_on",
                "Een meetwaarde is gemeten: de datum kan niet in de toekomst liggen.",
            ),
            Some(_) => {}
        }
        let value = dutch::parse_nl_number(&self.value);
        if value.is_none() {
            errors.add(
                "value",
                "Vul de gemeten waarde in als getal, zoals 120.000 of 75,3 (komma voor decimalen).",
            );
        }
        let note = self.note.trim().to_string();
        if note.chars().count() > 2000 {
            errors.add(
                "note",
                "De toelichting mag hoogstens 2000 tekens lang zijn.",
            );
        }
        match (date, value, errors.is_empty()) {
            (Some(d), Some(v), true) => Ok((d, v, note)),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "agreements/measurement_form.html")]
struct GoalPage {
    ctx: PageCtx,
    slug: String,
    goal: Goal,
    measurements: Vec<Measurement>,
    form: MeasurementForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

async fn goal_page(
    status: StatusCode,
    ctx: PageCtx,
    state: &AppState,
    goal: &str,
    form: MeasurementForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response> {
    let goal_id = parse_id(goal)?;
    let (agreement, slug) = queries::goals::goal_with_agreement(&state.db, goal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let goal = queries::goals::goal(&state.db, agreement, goal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let measurements = queries::follow_up::measurements(&state.db, agreement)
        .await?
        .into_iter()
        .filter(|m| m.goal_id == goal_id)
        .collect();
    let page = GoalPage {
        ctx,
        slug,
        goal,
        measurements,
        form,
        errors,
        notice,
    };
    Ok((status, page::render(&page)).into_response())
}

pub async fn goal_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(goal): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let form = MeasurementForm {
        measured_on: dutch::iso_date(dutch::today()),
        ..MeasurementForm::default()
    };
    let notice =
        (q.melding.as_deref() == Some("opgeslagen")).then_some("De meetwaarde is opgeslagen.");
    let errors = FieldErrors::default();
    goal_page(StatusCode::OK, ctx, &state, &goal, form, errors, notice).await
}

pub async fn create_measurement(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(goal): Path<String>,
    Form(form): Form<MeasurementForm>,
) -> Result<Response> {
    let actor = user(&ctx)?.id;
    let goal_id = parse_id(&goal)?;
    queries::goals::goal_with_agreement(&state.db, goal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (date, value, note) = match form.parse() {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return goal_page(status, ctx, &state, &goal, form, e, None).await;
        }
    };
    let mut tx = state.db.begin().await?;
    match queries::follow_up::insert_measurement(&mut tx, actor, goal_id, date, &value, &note).await
    {
        Ok(_) => {}
        Err(e) if violated_constraint(&e) == Some(queries::follow_up::MEASUREMENT_PER_DATE) => {
            tx.rollback().await?;
            let mut errors = FieldErrors::default();
            errors.add(
                "measured_on",
                "Voor deze datum is al een meetwaarde geregistreerd.",
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return goal_page(status, ctx, &state, &goal, form, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/opvolging/doelstellingen/{goal_id}?melding=opgeslagen"
    ))
    .into_response())
}
