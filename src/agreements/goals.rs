//! The goals of an agreement.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::agreement::after_button;
use super::editor::{VersionForm, agreement, editor_url, optional_number, save};
use super::queries::agreement::AgreementRecord;
use super::queries::goals::GoalFields;
use super::queries::{self, Goal};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::{Actor, AppState, Check, FieldErrors, PageCtx, Version, dutch, page, write};

pub(super) fn routes() -> Routes {
    const GOALS: &str = "/beheer/akkoorden/{slug}/doelstellingen";
    const GOAL: &str = "/beheer/akkoorden/{slug}/doelstellingen/{goal}";
    Routes::new()
        .get(
            "/beheer/akkoorden/{slug}/doelstellingen/nieuw",
            SECRETARIAT,
            new_goal,
        )
        .post(GOALS, SECRETARIAT, create_goal)
        .get(GOAL, SECRETARIAT, edit_goal)
        .post(GOAL, SECRETARIAT, update_goal)
        .post(
            "/beheer/akkoorden/{slug}/doelstellingen/{goal}/verwijderen",
            SECRETARIAT,
            delete_goal,
        )
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub target_value: String,
    #[serde(default)]
    pub target_unit: String,
    #[serde(default)]
    pub baseline_value: String,
    #[serde(default)]
    pub baseline_on: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub version: Version,
}

impl GoalForm {
    fn from_goal(g: &Goal, version: i32) -> Self {
        let num = |v: &Option<String>| v.as_deref().map(dutch::nl_number).unwrap_or_default();
        GoalForm {
            text: g.text.clone(),
            target_value: num(&g.target_value),
            target_unit: g.target_unit.clone().unwrap_or_default(),
            baseline_value: num(&g.baseline_value),
            baseline_on: g.baseline_on.map(dutch::iso_date).unwrap_or_default(),
            deadline: g.deadline.map(dutch::iso_date).unwrap_or_default(),
            version: Version(version),
        }
    }

    fn parse(&self) -> std::result::Result<GoalFields, FieldErrors> {
        let mut check = Check::default();
        let text = check.text("text", &self.text, 2000, "Beschrijf de doelstelling.");
        let target_value = optional_number(&mut check, "target_value", &self.target_value);
        let unit = check.optional_text("target_unit", &self.target_unit, 100);
        let target_unit = (!unit.is_empty()).then_some(unit);
        if target_value.is_some() && target_unit.is_none() {
            check.add(
                "target_unit",
                "Geef bij de streefwaarde ook de eenheid, bijvoorbeeld \"personen\" of \"%\".",
            );
        }
        if self.target_value.trim().is_empty() && target_unit.is_some() {
            check.add(
                "target_value",
                "Geef bij deze eenheid ook een streefwaarde.",
            );
        }
        let baseline_value = optional_number(&mut check, "baseline_value", &self.baseline_value);
        let baseline_on = check
            .optional_date("baseline_on", &self.baseline_on)
            .flatten();
        let deadline = check.optional_date("deadline", &self.deadline).flatten();
        if check.is_ok() {
            Ok(GoalFields {
                text,
                target_value,
                target_unit,
                baseline_value,
                baseline_on,
                deadline,
            })
        } else {
            Err(check.errors())
        }
    }
}

#[derive(Template)]
#[template(path = "agreements/goal_form.html")]
struct GoalPage {
    ctx: PageCtx,
    agreement: AgreementRecord,
    goal: Option<Goal>,
    form: GoalForm,
    errors: FieldErrors,
}

fn goal_page(
    status: StatusCode,
    ctx: PageCtx,
    agreement: AgreementRecord,
    goal: Option<Goal>,
    form: GoalForm,
    errors: FieldErrors,
) -> Response {
    let page = GoalPage {
        ctx,
        agreement,
        goal,
        form,
        errors,
    };
    (status, page::render(&page)).into_response()
}

pub async fn new_goal(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let form = GoalForm {
        version: Version(agreement.version),
        ..GoalForm::default()
    };
    Ok(goal_page(
        StatusCode::OK,
        ctx,
        agreement,
        None,
        form,
        FieldErrors::default(),
    ))
}

pub async fn create_goal(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let saved = save(&state, form.parse(), async |tx, fields| {
        queries::goals::insert_goal(tx, actor.id, agreement.id, form.version, &fields).await
    })
    .await?;
    match saved {
        Ok(_) => {
            Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "doelstellingen")).into_response())
        }
        Err((status, errors)) => Ok(goal_page(status, ctx, agreement, None, form, errors)),
    }
}

async fn goal_of(state: &AppState, agreement: &AgreementRecord, goal: &str) -> Result<Goal> {
    queries::goals::goal(&state.db, agreement.id, parse_id(goal)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_goal(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, goal)): Path<(String, String)>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let goal = goal_of(&state, &agreement, &goal).await?;
    let form = GoalForm::from_goal(&goal, agreement.version);
    Ok(goal_page(
        StatusCode::OK,
        ctx,
        agreement,
        Some(goal),
        form,
        FieldErrors::default(),
    ))
}

pub async fn update_goal(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path((slug, goal)): Path<(String, String)>,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let goal = goal_of(&state, &agreement, &goal).await?;
    let saved = save(&state, form.parse(), async |tx, fields| {
        let (id, seen) = (agreement.id, form.version);
        queries::goals::update_goal(tx, actor.id, id, seen, &goal, &fields).await
    })
    .await?;
    match saved {
        Ok(()) => {
            Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "doelstellingen")).into_response())
        }
        Err((status, errors)) => Ok(goal_page(status, ctx, agreement, Some(goal), form, errors)),
    }
}

pub async fn delete_goal(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path((slug, goal)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let goal = goal_of(&state, &agreement, &goal).await?;
    let outcome = write::run(&state.db, async |tx| {
        queries::goals::delete_goal(tx, actor.id, agreement.id, form.version, &goal).await
    })
    .await?;
    let done = editor_url(&slug, "verwijderd", "doelstellingen");
    after_button(ctx, &state, agreement, outcome, done).await
}
