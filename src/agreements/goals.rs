//! The goals of an agreement.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::agreement::{conflict_page, refused};
use super::editor::{
    VersionForm, actor, agreement, conflict_errors, editor_url, optional_date, optional_number,
    parse_id, seen_version, too_long,
};
use super::queries::agreement::AgreementRecord;
use super::queries::goals::GoalFields;
use super::queries::{self, Goal};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, dutch, page};

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
    pub version: String,
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
            version: version.to_string(),
        }
    }

    fn parse(&self) -> std::result::Result<GoalFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = self.text.trim().to_string();
        if text.is_empty() {
            errors.add("text", "Beschrijf de doelstelling.");
        } else if too_long(&text, 2000) {
            errors.add(
                "text",
                "De doelstelling mag hoogstens 2000 tekens lang zijn.",
            );
        }
        let target_value = optional_number(&mut errors, "target_value", &self.target_value);
        let unit = self.target_unit.trim().to_string();
        if too_long(&unit, 100) {
            errors.add(
                "target_unit",
                "De eenheid mag hoogstens 100 tekens lang zijn.",
            );
        }
        let target_unit = (!unit.is_empty()).then_some(unit);
        if target_value.is_some() && target_unit.is_none() {
            errors.add(
                "target_unit",
                "Geef bij de streefwaarde ook de eenheid, bijvoorbeeld \"personen\" of \"%\".",
            );
        }
        if target_value.is_none() && target_unit.is_some() && errors.get("target_value").is_none() {
            errors.add(
                "target_value",
                "Geef bij deze eenheid ook een streefwaarde.",
            );
        }
        let baseline_value = optional_number(&mut errors, "baseline_value", &self.baseline_value);
        let date_message = "Gebruik een datum in de vorm JJJJ-MM-DD, of laat het veld leeg.";
        let baseline_on =
            optional_date(&mut errors, "baseline_on", &self.baseline_on, date_message);
        let deadline = optional_date(&mut errors, "deadline", &self.deadline, date_message);
        if errors.is_empty() {
            Ok(GoalFields {
                text,
                target_value,
                target_unit,
                baseline_value,
                baseline_on,
                deadline,
            })
        } else {
            Err(errors)
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
        version: agreement.version.to_string(),
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
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let fields = match form.parse() {
        Ok(f) => f,
        Err(e) => {
            return Ok(goal_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx,
                agreement,
                None,
                form,
                e,
            ));
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return Ok(goal_page(
            StatusCode::CONFLICT,
            ctx,
            agreement,
            None,
            form,
            conflict_errors(),
        ));
    }
    queries::goals::insert_goal(&mut tx, actor, agreement.id, &fields).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "doelstellingen")).into_response())
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
    State(state): State<AppState>,
    Path((slug, goal)): Path<(String, String)>,
    Form(form): Form<GoalForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let goal = goal_of(&state, &agreement, &goal).await?;
    let fields = match form.parse() {
        Ok(f) => f,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(goal_page(status, ctx, agreement, Some(goal), form, e));
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let errors = conflict_errors();
        return Ok(goal_page(
            StatusCode::CONFLICT,
            ctx,
            agreement,
            Some(goal),
            form,
            errors,
        ));
    }
    queries::goals::update_goal(&mut tx, actor, &goal, &fields).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "doelstellingen")).into_response())
}

pub async fn delete_goal(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, goal)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let goal = goal_of(&state, &agreement, &goal).await?;
    if queries::goals::measurement_count(&state.db, goal.id).await? > 0 {
        return refused(
            ctx,
            &state,
            agreement,
            "Deze doelstelling heeft al meetwaarden en kan niet meer verwijderd worden.",
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    queries::goals::delete_goal(&mut tx, actor, &goal).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "doelstellingen")).into_response())
}
