//! The tree of action lines: adding a line at its place, editing, moving
//! it among its siblings and deleting it.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::agreement::{conflict_page, refused};
use super::editor::{
    VersionForm, actor, agreement, conflict_errors, editor_url, parse_id, pick, seen_version,
    too_long,
};
use super::queries::action_lines::LineRecord;
use super::queries::agreement::AgreementRecord;
use super::queries::{self, Choice};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, page};

pub(super) fn routes() -> Routes {
    const LINE: &str = "/beheer/akkoorden/{slug}/actielijnen/{line}";
    Routes::new()
        .get(
            "/beheer/akkoorden/{slug}/actielijnen/nieuw",
            SECRETARIAT,
            new_line,
        )
        .post(
            "/beheer/akkoorden/{slug}/actielijnen",
            SECRETARIAT,
            create_line,
        )
        .get(LINE, SECRETARIAT, edit_line)
        .post(LINE, SECRETARIAT, update_line)
        .post(
            "/beheer/akkoorden/{slug}/actielijnen/{line}/omhoog",
            SECRETARIAT,
            move_up,
        )
        .post(
            "/beheer/akkoorden/{slug}/actielijnen/{line}/omlaag",
            SECRETARIAT,
            move_down,
        )
        .post(
            "/beheer/akkoorden/{slug}/actielijnen/{line}/verwijderen",
            SECRETARIAT,
            delete_line,
        )
}

/// The action-line form as typed. Read from the raw body, because the
/// competences are a repeated field.
#[derive(Debug, Default, Clone)]
pub struct LineForm {
    pub title: String,
    pub competences: Vec<String>,
    pub parent_id: String,
    pub after_id: String,
    pub version: String,
}

impl LineForm {
    fn from_body(body: &[u8]) -> Self {
        let mut f = LineForm::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "title" => f.title = v.into_owned(),
                "competence" => f.competences.push(v.into_owned()),
                "parent_id" => f.parent_id = v.into_owned(),
                "after_id" => f.after_id = v.into_owned(),
                "version" => f.version = v.into_owned(),
                _ => {}
            }
        }
        f
    }

    fn parse(
        &self,
        competences: &[Choice],
    ) -> std::result::Result<(String, Vec<i64>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            errors.add("title", "Vul de tekst van de actielijn in.");
        } else if too_long(&title, 1000) {
            errors.add("title", "De actielijn mag hoogstens 1000 tekens lang zijn.");
        }
        let mut ids = Vec::new();
        for c in &self.competences {
            match pick(c, competences) {
                Ok(Some(id)) if !ids.contains(&id) => ids.push(id),
                Ok(_) => {}
                Err(()) => errors.add("competences", "Kies bevoegdheden uit de lijst."),
            }
        }
        if errors.is_empty() {
            Ok((title, ids))
        } else {
            Err(errors)
        }
    }

    fn has(&self, id: &i64) -> bool {
        self.competences.iter().any(|c| c.trim() == id.to_string())
    }
}

#[derive(Template)]
#[template(path = "agreements/line_form.html")]
struct LinePage {
    ctx: PageCtx,
    agreement: AgreementRecord,
    line: Option<LineRecord>,
    /// Where a new line goes, in words.
    place: String,
    form: LineForm,
    errors: FieldErrors,
    competences: Vec<Choice>,
}

#[expect(clippy::too_many_arguments)]
async fn line_page(
    status: StatusCode,
    ctx: PageCtx,
    state: &AppState,
    agreement: AgreementRecord,
    line: Option<LineRecord>,
    place: String,
    form: LineForm,
    errors: FieldErrors,
) -> Result<Response> {
    let page = LinePage {
        ctx,
        agreement,
        line,
        place,
        form,
        errors,
        competences: queries::action_lines::competences(&state.db).await?,
    };
    Ok((status, page::render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NewLineQuery {
    /// Add a child under this line.
    #[serde(default)]
    onder: String,
    /// Add a sibling right after this line.
    #[serde(default)]
    na: String,
}

async fn line_of(state: &AppState, agreement: &AgreementRecord, id: &str) -> Result<LineRecord> {
    queries::action_lines::line(&state.db, parse_id(id)?)
        .await?
        .filter(|l| l.agreement_id == agreement.id)
        .ok_or(AppError::NotFound)
}

fn line_name(l: &LineRecord) -> String {
    if l.label.is_empty() {
        format!("“{}”", l.title)
    } else {
        format!("{} “{}”", l.label, l.title)
    }
}

/// Where a new line goes: its parent and the sibling it follows, in words.
async fn placement(
    state: &AppState,
    agreement: &AgreementRecord,
    parent: &str,
    after: &str,
) -> Result<(Option<i64>, Option<i64>, String)> {
    if !after.trim().is_empty() {
        let after = line_of(state, agreement, after).await?;
        let text = format!("na {}", line_name(&after));
        return Ok((after.parent_id, Some(after.id), text));
    }
    if !parent.trim().is_empty() {
        let parent = line_of(state, agreement, parent).await?;
        let text = format!("als laatste onder {}", line_name(&parent));
        return Ok((Some(parent.id), None, text));
    }
    Ok((None, None, "als laatste thema".to_string()))
}

pub async fn new_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<NewLineQuery>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let (_, _, place) = placement(&state, &agreement, &q.onder, &q.na).await?;
    let form = LineForm {
        parent_id: q.onder.trim().to_string(),
        after_id: q.na.trim().to_string(),
        version: agreement.version.to_string(),
        ..LineForm::default()
    };
    let errors = FieldErrors::default();
    line_page(
        StatusCode::OK,
        ctx,
        &state,
        agreement,
        None,
        place,
        form,
        errors,
    )
    .await
}

pub async fn create_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let form = LineForm::from_body(&body);
    let (parent, after, place) = match placement(
        &state,
        &agreement,
        &form.parent_id,
        &form.after_id,
    )
    .await
    {
        Ok(p) => p,
        Err(AppError::NotFound) => {
            return Err(AppError::bad_request(
                "De plaats voor de nieuwe actielijn bestaat niet (meer). Ga terug naar het akkoord en probeer opnieuw.",
            ));
        }
        Err(e) => return Err(e),
    };
    let competences = queries::action_lines::competences(&state.db).await?;
    let (title, ids) = match form.parse(&competences) {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return line_page(status, ctx, &state, agreement, None, place, form, e).await;
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let e = conflict_errors();
        return line_page(
            StatusCode::CONFLICT,
            ctx,
            &state,
            agreement,
            None,
            place,
            form,
            e,
        )
        .await;
    }
    let id = queries::action_lines::insert_line(
        &mut tx,
        actor,
        agreement.id,
        parent,
        after,
        &title,
        &ids,
    )
    .await?;
    tx.commit().await?;
    let anchor = format!("lijn-{id}");
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", &anchor)).into_response())
}

pub async fn edit_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, line)): Path<(String, String)>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let line = line_of(&state, &agreement, &line).await?;
    let form = LineForm {
        title: line.title.clone(),
        competences: queries::action_lines::line_competences(&state.db, line.id)
            .await?
            .iter()
            .map(i64::to_string)
            .collect(),
        version: agreement.version.to_string(),
        ..LineForm::default()
    };
    let place = String::new();
    let errors = FieldErrors::default();
    line_page(
        StatusCode::OK,
        ctx,
        &state,
        agreement,
        Some(line),
        place,
        form,
        errors,
    )
    .await
}

pub async fn update_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, line)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let line = line_of(&state, &agreement, &line).await?;
    let form = LineForm::from_body(&body);
    let competences = queries::action_lines::competences(&state.db).await?;
    let (title, ids) = match form.parse(&competences) {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let place = String::new();
            return line_page(status, ctx, &state, agreement, Some(line), place, form, e).await;
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let (status, place, e) = (StatusCode::CONFLICT, String::new(), conflict_errors());
        return line_page(status, ctx, &state, agreement, Some(line), place, form, e).await;
    }
    queries::action_lines::update_line(&mut tx, actor, &line, &title, &ids).await?;
    tx.commit().await?;
    let anchor = format!("lijn-{}", line.id);
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", &anchor)).into_response())
}

pub async fn move_up(
    ctx: PageCtx,
    state: State<AppState>,
    path: Path<(String, String)>,
    form: Form<VersionForm>,
) -> Result<Response> {
    move_line(ctx, state, path, form, -1).await
}

pub async fn move_down(
    ctx: PageCtx,
    state: State<AppState>,
    path: Path<(String, String)>,
    form: Form<VersionForm>,
) -> Result<Response> {
    move_line(ctx, state, path, form, 1).await
}

async fn move_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, line)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
    step: isize,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let line = line_of(&state, &agreement, &line).await?;
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    if !queries::action_lines::move_line(&mut tx, actor, &line, step).await? {
        tx.rollback().await?;
        let message = if step < 0 {
            "Deze actielijn staat al bovenaan."
        } else {
            "Deze actielijn staat al onderaan."
        };
        return refused(ctx, &state, agreement, message).await;
    }
    tx.commit().await?;
    let anchor = format!("lijn-{}", line.id);
    Ok(Redirect::to(&editor_url(&slug, "verplaatst", &anchor)).into_response())
}

pub async fn delete_line(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, line)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let line = line_of(&state, &agreement, &line).await?;
    if queries::action_lines::child_count(&state.db, line.id).await? > 0 {
        let message = "Alleen een actielijn zonder onderliggende actielijnen kan verwijderd worden. Verwijder eerst de onderliggende.";
        return refused(ctx, &state, agreement, message).await;
    }
    if queries::action_lines::follow_up_count(&state.db, line.id).await? > 0 {
        let message = "Deze actielijn heeft al opvolging en kan niet verwijderd worden: de geschiedenis blijft bewaard.";
        return refused(ctx, &state, agreement, message).await;
    }
    let mut tx = state.db.begin().await?;
    if !queries::agreement::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    queries::action_lines::delete_line(&mut tx, actor, &line).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "actielijnen")).into_response())
}
