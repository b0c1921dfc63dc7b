//! Follow-up: dated status entries per action line (cabinets within their
//! minister's competences, and the secretariat), and measured values per
//! goal (the secretariat).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::Date;

use super::editor::{Notice, save_then};
use super::queries::action_lines::LineRecord;
use super::queries::follow_up::{
    EntryFields, FollowUpEntry, FollowUpStatus, Measurement, MeasurementFields,
};
use super::queries::{self, Goal};
use crate::auth::{CurrentUser, Role};
use crate::base::error::{AppError, Result};
use crate::base::{Actor, AppState, Check, FieldErrors, Id, PageCtx, dutch, page};

/// Whether this user may record follow-up on this line: the secretariat
/// always; a cabinet when the line or an ancestor is linked to a competence
/// its minister holds today. A refusal says why, and what can be done.
async fn may_follow_up(state: &AppState, user: &CurrentUser, line: i64) -> Result<()> {
    match (user.role, user.minister_id) {
        (Role::Secretariat, _) => Ok(()),
        (Role::Cabinet, Some(m)) => {
            let within =
                queries::follow_up::line_within_competence(&state.db, line, m, dutch::today())
                    .await?;
            if within {
                Ok(())
            } else {
                Err(outside_competence(user.minister_name.as_deref()))
            }
        }
        (Role::Cabinet, None) => Err(AppError::forbidden(
            "Uw kabinetsaccount is aan geen minister gekoppeld. De beheerder koppelt het aan een minister in het accountbeheer.",
        )),
        _ => Err(AppError::forbidden(
            "Opvolging bij actielijnen geven de kabinetten en het secretariaat.",
        )),
    }
}

/// The refusal of a cabinet on a line outside its minister's competences.
fn outside_competence(minister: Option<&str>) -> AppError {
    let minister = minister.map_or_else(|| "uw minister".to_string(), |m| format!("minister {m}"));
    AppError::forbidden(format!(
        "Deze actielijn valt niet onder de bevoegdheden van {minister} vandaag. \
         Het secretariaat koppelt actielijnen aan bevoegdheden in de akkoordeditor."
    ))
}

/// The date of what happened: today or earlier (`future` when it is not).
fn past_date(
    check: &mut Check,
    (field, value): (&'static str, &str),
    future: &str,
) -> Option<Date> {
    let date = check.date(field, value);
    if date.is_some_and(|d| d > dutch::today()) {
        check.add(field, future);
    }
    date
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
    fn parse(&self) -> std::result::Result<EntryFields, FieldErrors> {
        let mut check = Check::default();
        let recorded_on = past_date(
            &mut check,
            ("recorded_on", &self.recorded_on),
            "Opvolging beschrijft wat er gebeurd is: de datum kan niet in de toekomst liggen.",
        );
        let status = check.choice::<FollowUpStatus>("status", &self.status, "Kies een status.");
        let note = check.optional_text("note", &self.note, 5000);
        match (recorded_on, status, check.is_ok()) {
            (Some(recorded_on), Some(status), true) => Ok(EntryFields {
                recorded_on,
                status,
                note,
            }),
            _ => Err(check.errors()),
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
    /// The action points that feed the line, with their notes.
    points: Vec<crate::actions::LinePoint>,
}

async fn line_context(state: &AppState, line: i64) -> Result<(LineRecord, String, String)> {
    let line = queries::action_lines::line(&state.db, line)
        .await?
        .ok_or(AppError::NotFound)?;
    let (slug, title) = queries::agreement::slug_and_title(&state.db, line.agreement_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((line, slug, title))
}

/// How a follow-up page is shown: afresh, with the notice a save left, or
/// again with the status and messages of a refused form.
struct Shown {
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl Shown {
    fn afresh(notice: Option<&'static str>) -> Self {
        let (status, errors) = (StatusCode::OK, FieldErrors::default());
        Shown {
            status,
            errors,
            notice,
        }
    }

    fn again(status: StatusCode, errors: FieldErrors) -> Self {
        let notice = None;
        Shown {
            status,
            errors,
            notice,
        }
    }
}

async fn line_page(
    ctx: PageCtx,
    state: &AppState,
    (line, slug, agreement_title): (LineRecord, String, String),
    form: EntryForm,
    Shown {
        status,
        errors,
        notice,
    }: Shown,
) -> Result<Response> {
    let reader = crate::auth::Reader::of(ctx.user.as_ref());
    let points = crate::actions::on_lines(&state.db, None, Some(line.id), reader).await?;
    let page = LinePage {
        points,
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
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(line): Id,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let context = line_context(&state, line).await?;
    may_follow_up(&state, &user, context.0.id).await?;
    let form = EntryForm {
        recorded_on: dutch::iso_date(dutch::today()),
        ..EntryForm::default()
    };
    let shown = Shown::afresh(q.saved("De opvolging is opgeslagen."));
    line_page(ctx, &state, context, form, shown).await
}

pub async fn create_entry(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(line): Id,
    Form(form): Form<EntryForm>,
) -> Result<Response> {
    let context = line_context(&state, line).await?;
    if let Err(refused) = may_follow_up(&state, &user, line).await {
        tracing::warn!(
            line,
            actor = user.id,
            "follow-up outside competence refused"
        );
        return Err(refused);
    }
    let insert = async |tx: &mut PgConnection, fields: EntryFields| {
        queries::follow_up::insert_follow_up(tx, user.id, line, &fields).await
    };
    let done = |_| format!("/opvolging/actielijnen/{line}?melding=opgeslagen");
    let again = async |status, errors| {
        let shown = Shown::again(status, errors);
        line_page(ctx, &state, context, form.clone(), shown).await
    };
    save_then(&state, form.parse(), insert, done, again).await
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
    fn parse(&self) -> std::result::Result<MeasurementFields, FieldErrors> {
        let mut check = Check::default();
        let measured_on = past_date(
            &mut check,
            ("measured_on", &self.measured_on),
            "Een meetwaarde is gemeten: de datum kan niet in de toekomst liggen.",
        );
        let value = dutch::parse_nl_number(&self.value);
        if value.is_none() {
            check.add(
                "value",
                "Vul de gemeten waarde in als getal, zoals 120.000 of 75,3 (komma voor decimalen).",
            );
        }
        let note = check.optional_text("note", &self.note, 2000);
        match (measured_on, value, check.is_ok()) {
            (Some(measured_on), Some(value), true) => Ok(MeasurementFields {
                measured_on,
                value,
                note,
            }),
            _ => Err(check.errors()),
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
    ctx: PageCtx,
    state: &AppState,
    goal_id: i64,
    form: MeasurementForm,
    Shown {
        status,
        errors,
        notice,
    }: Shown,
) -> Result<Response> {
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
    Id(goal): Id,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let form = MeasurementForm {
        measured_on: dutch::iso_date(dutch::today()),
        ..MeasurementForm::default()
    };
    let shown = Shown::afresh(q.saved("De meetwaarde is opgeslagen."));
    goal_page(ctx, &state, goal, form, shown).await
}

pub async fn create_measurement(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Id(goal): Id,
    Form(form): Form<MeasurementForm>,
) -> Result<Response> {
    queries::goals::goal_with_agreement(&state.db, goal)
        .await?
        .ok_or(AppError::NotFound)?;
    let insert = async |tx: &mut PgConnection, fields: MeasurementFields| {
        queries::follow_up::insert_measurement(tx, actor.id, goal, &fields).await
    };
    let done = |_| format!("/opvolging/doelstellingen/{goal}?melding=opgeslagen");
    let again = async |status, errors| {
        let shown = Shown::again(status, errors);
        goal_page(ctx, &state, goal, form.clone(), shown).await
    };
    save_then(&state, form.parse(), insert, done, again).await
}
