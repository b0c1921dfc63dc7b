//! The goals of an agreement.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};

use super::agreement::Button;
use super::editor::{Editing, Part, Sent, editor_url, optional_number, save_then};
use super::queries::agreement::{AgreementRecord, Change};
use super::queries::goals::GoalFields;
use super::queries::{self, Goal};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::{Check, FieldErrors, PageCtx, Version, dutch, page};

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
    fn from_goal(g: &GoalFields, version: i32) -> Self {
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
    ctx: PageCtx,
    agreement: AgreementRecord,
    goal: Option<Goal>,
    form: GoalForm,
    (status, errors): (StatusCode, FieldErrors),
) -> Result<Response> {
    let page = GoalPage {
        ctx,
        agreement,
        goal,
        form,
        errors,
    };
    Ok((status, page::render(&page)).into_response())
}

impl Part for Goal {
    async fn load(db: &PgPool, agreement: &AgreementRecord, raw: Option<String>) -> Result<Goal> {
        let id = parse_id(&raw.unwrap_or_default())?;
        queries::goals::goal(db, agreement.id, id)
            .await?
            .ok_or(AppError::NotFound)
    }
}

/// Where a saved goal leads: the goals of the editor.
fn saved<T>(agreement: &AgreementRecord) -> impl FnOnce(T) -> String {
    let done = editor_url(&agreement.slug, "opgeslagen", "doelstellingen");
    move |_| done
}

pub async fn new_goal(ctx: PageCtx, e: Editing) -> Result<Response> {
    let form = GoalForm {
        version: Version(e.agreement.version),
        ..GoalForm::default()
    };
    goal_page(
        ctx,
        e.agreement,
        None,
        form,
        (StatusCode::OK, FieldErrors::default()),
    )
}

pub async fn create_goal(ctx: PageCtx, e: Editing, sent: Sent<GoalForm>) -> Result<Response> {
    let (state, agreement, form) = (e.state, e.agreement, sent.form);
    let insert = async |tx: &mut PgConnection, fields: GoalFields| {
        let by = Change::new(sent.actor, agreement.id, form.version);
        queries::goals::insert_goal(tx, by, &fields).await
    };
    let again = async |status, errors| {
        goal_page(ctx, agreement.clone(), None, form.clone(), (status, errors))
    };
    save_then(&state, form.parse(), insert, saved(&agreement), again).await
}

pub async fn edit_goal(ctx: PageCtx, e: Editing<Goal>) -> Result<Response> {
    let form = GoalForm::from_goal(&e.part.fields, e.agreement.version);
    let shown = (StatusCode::OK, FieldErrors::default());
    goal_page(ctx, e.agreement, Some(e.part), form, shown)
}

pub async fn update_goal(ctx: PageCtx, e: Editing<Goal>, sent: Sent<GoalForm>) -> Result<Response> {
    let (agreement, goal, form) = (&e.agreement, &e.part, sent.form);
    let update = async |tx: &mut PgConnection, fields: GoalFields| {
        let by = Change::new(sent.actor, agreement.id, form.version);
        queries::goals::update_goal(tx, by, goal, &fields).await
    };
    let again = async |status, errors| {
        let (agreement, goal) = (agreement.clone(), Some(goal.clone()));
        goal_page(ctx, agreement, goal, form.clone(), (status, errors))
    };
    save_then(&e.state, form.parse(), update, saved(agreement), again).await
}

pub async fn delete_goal(button: Button<Goal>) -> Result<Response> {
    button
        .press(("verwijderd", "doelstellingen"), async |tx, by, goal| {
            queries::goals::delete_goal(tx, by, goal).await
        })
        .await
}
