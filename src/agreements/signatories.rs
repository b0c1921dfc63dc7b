//! The signatories of an agreement.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::agreement::after_button;
use super::editor::{VersionForm, agreement, editor_url, pick_required, save};
use super::queries::agreement::AgreementRecord;
use super::queries::signatories::{SignatoryFields, SignatoryRow};
use super::queries::{self, Choice};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::Result;
use crate::base::extract::parse_id;
use crate::base::{Actor, AppState, Check, FieldErrors, PageCtx, Version, page, write};
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
    pub version: Version,
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
        let mut check = Check::default();
        let person_id = pick_required(
            &mut check,
            "person_id",
            &self.person_id,
            &choices.people,
            "Kies wie ondertekende.",
            "Kies een persoon uit de lijst.",
        );
        let organisation_id = pick_required(
            &mut check,
            "organisation_id",
            &self.organisation_id,
            &choices.organisations,
            "Kies namens welke organisatie ondertekend werd.",
            "Kies een organisatie uit de lijst.",
        );
        let side = Side::ALL.into_iter().find(|s| s.code() == self.side.trim());
        if side.is_none() {
            check.add("side", "Kies de zijde.");
        }
        let capacity = check.text(
            "capacity",
            &self.capacity,
            500,
            "Vul de hoedanigheid in zoals ze op het document staat, bijvoorbeeld \"Voor UNIZO\".",
        );
        match (person_id, organisation_id, side, check.is_ok()) {
            (Some(person_id), Some(organisation_id), Some(side), true) => Ok(SignatoryFields {
                person_id,
                organisation_id,
                side,
                capacity,
            }),
            _ => Err(check.errors()),
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
            version: Version(agreement.version),
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
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<SignatoryForm>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let choices = People::load(&state).await?;
    let saved = save(&state, form.parse(&choices), async |tx, fields| {
        let (id, seen) = (agreement.id, form.version);
        queries::signatories::insert_signatory(tx, actor.id, id, seen, &fields).await
    })
    .await?;
    match saved {
        Ok(_) => {
            Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "ondertekening")).into_response())
        }
        Err((status, errors)) => {
            let page = SignatoryPage {
                ctx,
                agreement,
                form,
                errors,
                choices,
            };
            Ok((status, page::render(&page)).into_response())
        }
    }
}

pub async fn delete_signatory(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path((slug, signatory)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let signatory = parse_id(&signatory)?;
    let outcome = write::run(&state.db, async |tx| {
        let (id, seen) = (agreement.id, form.version);
        queries::signatories::delete_signatory(tx, actor.id, id, seen, signatory).await
    })
    .await?;
    let done = editor_url(&slug, "verwijderd", "ondertekening");
    after_button(ctx, &state, agreement, outcome, done).await
}

impl SignatoryRow {
    pub fn side_label(&self) -> &'static str {
        self.side.label()
    }
}
