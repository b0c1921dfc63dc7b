//! The signatories of an agreement.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::agreement::conflict_page;
use super::editor::{
    VersionForm, actor, agreement, conflict_errors, editor_url, parse_id, pick, seen_version,
    too_long,
};
use super::queries::agreement::AgreementRecord;
use super::queries::signatories::{SignatoryFields, SignatoryRow};
use super::queries::{self, Choice};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, page};
use crate::composition::Side;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get(
            "/beheer/akkoorden/{slug}/ondertekenaars/nieuw",
            SECRETARIAT,
            new_signatory,
        )
        .post(
            "/beheer/akkoorden/{slug}/ondertekenaars",
            SECRETARIAT,
            create_signatory,
        )
        .post(
            "/beheer/akkoorden/{slug}/ondertekenaars/{signatory}/verwijderen",
            SECRETARIAT,
            delete_signatory,
        )
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SignatoryForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub side: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub version: String,
}

pub struct People {
    people: Vec<Choice>,
    organisations: Vec<Choice>,
    sides: [Side; 4],
}

impl People {
    async fn load(state: &AppState) -> Result<People> {
        Ok(People {
            people: queries::signatories::people(&state.db).await?,
            organisations: queries::signatories::organisations(&state.db).await?,
            sides: Side::ALL,
        })
    }
}

impl SignatoryForm {
    fn parse(&self, choices: &People) -> std::result::Result<SignatoryFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let person_id = pick(&self.person_id, &choices.people).unwrap_or_else(|()| {
            errors.add("person_id", "Kies een persoon uit de lijst.");
            None
        });
        if person_id.is_none() && errors.get("person_id").is_none() {
            errors.add("person_id", "Kies wie ondertekende.");
        }
        let organisation_id =
            pick(&self.organisation_id, &choices.organisations).unwrap_or_else(|()| {
                errors.add("organisation_id", "Kies een organisatie uit de lijst.");
                None
            });
        if organisation_id.is_none() && errors.get("organisation_id").is_none() {
            errors.add(
                "organisation_id",
                "Kies namens welke organisatie ondertekend werd.",
            );
        }
        let side = Side::ALL.into_iter().find(|s| s.code() == self.side.trim());
        if side.is_none() {
            errors.add("side", "Kies de zijde.");
        }
        let capacity = self.capacity.trim().to_string();
        if capacity.is_empty() {
            errors.add(
                "capacity",
                "Vul de hoedanigheid in zoals ze op het document staat, bijvoorbeeld \"Voor UNIZO\".",
            );
        } else if too_long(&capacity, 500) {
            errors.add(
                "capacity",
                "De hoedanigheid mag hoogstens 500 tekens lang zijn.",
            );
        }
        match (person_id, organisation_id, side, errors.is_empty()) {
            (Some(person_id), Some(organisation_id), Some(side), true) => Ok(SignatoryFields {
                person_id,
                organisation_id,
                side,
                capacity,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "agreements/signatory_form.html")]
struct SignatoryPage {
    ctx: PageCtx,
    agreement: AgreementRecord,
    form: SignatoryForm,
    errors: FieldErrors,
    choices: People,
}

impl SignatoryPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "person_id" => &self.form.person_id,
            "organisation_id" => &self.form.organisation_id,
            _ => &self.form.side,
        };
        current.trim() == value
    }
}

pub async fn new_signatory(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let page = SignatoryPage {
        ctx,
        form: SignatoryForm {
            version: agreement.version.to_string(),
            ..SignatoryForm::default()
        },
        agreement,
        errors: FieldErrors::default(),
        choices: People::load(&state).await?,
    };
    Ok(page::render(&page))
}

pub async fn create_signatory(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<SignatoryForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let choices = People::load(&state).await?;
    let again = |status, form, errors, ctx, agreement, choices| {
        let page = SignatoryPage {
            ctx,
            agreement,
            form,
            errors,
            choices,
        };
        Ok((status, page::render(&page)).into_response())
    };
    let fields = match form.parse(&choices) {
        Ok(f) => f,
        Err(e) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                e,
                ctx,
                agreement,
                choices,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let e = conflict_errors();
        return again(StatusCode::CONFLICT, form, e, ctx, agreement, choices);
    }
    match queries::signatories::insert_signatory(&mut tx, actor, agreement.id, &fields).await {
        Ok(_) => {}
        Err(e) if violated_constraint(&e) == Some(queries::signatories::SIGNATORY_PERSON_KEY) => {
            tx.rollback().await?;
            let mut errors = FieldErrors::default();
            errors.add("person_id", "Deze persoon staat al bij de ondertekenaars.");
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
                ctx,
                agreement,
                choices,
            );
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "ondertekening")).into_response())
}

pub async fn delete_signatory(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, signatory)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let signatory = parse_id(&signatory)?;
    let exists = queries::signatories::signatory_rows(&state.db, agreement.id)
        .await?
        .iter()
        .any(|s| s.id == signatory);
    if !exists {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    if !queries::signatories::delete_signatory(&mut tx, actor, agreement.id, signatory).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "ondertekening")).into_response())
}

impl SignatoryRow {
    pub fn side_label(&self) -> &'static str {
        self.side.label()
    }
}
