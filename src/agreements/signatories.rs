//! The signatories of an agreement.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::agreement::Button;
use super::editor::{Editing, Sent, editor_url, pick_required, save_then};
use super::queries::agreement::{AgreementRecord, Change};
use super::queries::signatories::{SignatoryFields, SignatoryRow};
use super::queries::{self, Choice, Choices};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::Result;
use crate::base::{AppState, Check, FieldErrors, PageCtx, Version, page};
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
            people: queries::choices(&state.db, Choices::People).await?,
            organisations: queries::choices(&state.db, Choices::Organisations).await?,
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

impl SignatoryPage {
    async fn shown(
        ctx: PageCtx,
        Editing {
            state, agreement, ..
        }: Editing,
        form: SignatoryForm,
        (status, errors): (StatusCode, FieldErrors),
    ) -> Result<Response> {
        let choices = People::load(&state).await?;
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

pub async fn new_signatory(ctx: PageCtx, e: Editing) -> Result<Response> {
    let form = SignatoryForm {
        version: Version(e.agreement.version),
        ..SignatoryForm::default()
    };
    SignatoryPage::shown(ctx, e, form, (StatusCode::OK, FieldErrors::default())).await
}

pub async fn create_signatory(
    ctx: PageCtx,
    e: Editing,
    sent: Sent<SignatoryForm>,
) -> Result<Response> {
    let (actor, form) = (sent.actor, sent.form);
    let by = Change::new(actor, e.agreement.id, form.version);
    let checked = form.parse(&People::load(&e.state).await?);
    let insert = async |tx: &mut PgConnection, fields: SignatoryFields| {
        queries::signatories::insert_signatory(tx, by, &fields).await
    };
    let done = editor_url(&e.agreement.slug, "opgeslagen", "ondertekening");
    let state = e.state.clone();
    let again = async |status, errors| SignatoryPage::shown(ctx, e, form, (status, errors)).await;
    save_then(&state, checked, insert, |_| done, again).await
}

pub async fn delete_signatory(button: Button<i64>) -> Result<Response> {
    button
        .press(
            ("verwijderd", "ondertekening"),
            async |tx, by, &signatory| {
                queries::signatories::delete_signatory(tx, by, signatory).await
            },
        )
        .await
}

impl SignatoryRow {
    pub fn side_label(&self) -> &'static str {
        self.side.label()
    }
}
