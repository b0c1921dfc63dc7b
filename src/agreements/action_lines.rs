//! The tree of action lines: adding a line at its place, editing, moving
//! it among its siblings and deleting it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};

use super::agreement::Button;
use super::editor::{Editing, Part, editor_url, pick, save_then};
use super::queries::action_lines::{LineFields, LineRecord, Place};
use super::queries::agreement::{AgreementRecord, Change};
use super::queries::{self, Choice, Choices};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::{Actor, AppState, Check, FieldErrors, PageCtx, Version, page};

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
            move_line::<-1>,
        )
        .post(
            "/beheer/akkoorden/{slug}/actielijnen/{line}/omlaag",
            SECRETARIAT,
            move_line::<1>,
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
    pub version: Version,
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
                "version" => f.version = Version::parse(&v),
                _ => {}
            }
        }
        f
    }

    fn parse(&self, competences: &[Choice]) -> std::result::Result<LineFields, FieldErrors> {
        let mut check = Check::default();
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = check.text("title", &title, 1000, "Vul de tekst van de actielijn in.");
        let mut ids = Vec::new();
        for c in &self.competences {
            let unknown = "Kies bevoegdheden uit de lijst.";
            if let Some(id) = pick(&mut check, "competences", c, competences, unknown)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        if check.is_ok() {
            Ok(LineFields {
                title,
                competences: ids,
            })
        } else {
            Err(check.errors())
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
    /// The competences of the lines above this one, which it inherits.
    inherited: Vec<String>,
}

/// The form for a line: of this agreement, this line (none for a new one)
/// and, for a new one, its place in words.
type Target = (AgreementRecord, Option<LineRecord>, String);

async fn line_page(
    ctx: PageCtx,
    state: &AppState,
    (agreement, line, place): Target,
    form: LineForm,
    (status, errors): (StatusCode, FieldErrors),
) -> Result<Response> {
    // The line above: the stored line's parent, or where a new one goes
    // (under `parent_id`, or next to `after_id`).
    let parent = match &line {
        Some(l) => l.parent_id,
        None => match form.after_id.trim().parse::<i64>() {
            Ok(after) => queries::action_lines::line(&state.db, after)
                .await?
                .filter(|l| l.agreement_id == agreement.id)
                .and_then(|l| l.parent_id),
            Err(_) => form.parent_id.trim().parse::<i64>().ok(),
        },
    };
    let inherited = match parent {
        Some(p) => queries::action_lines::inherited_competences(&state.db, p).await?,
        None => Vec::new(),
    };
    let page = LinePage {
        ctx,
        agreement,
        line,
        place,
        form,
        errors,
        competences: queries::choices(&state.db, Choices::Competences).await?,
        inherited,
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
    LineRecord::load(&state.db, agreement, Some(id.to_string())).await
}

impl Part for LineRecord {
    async fn load(db: &PgPool, agreement: &AgreementRecord, raw: Option<String>) -> Result<Self> {
        let id = parse_id(&raw.unwrap_or_default())?;
        queries::action_lines::line(db, id)
            .await?
            .filter(|l| l.agreement_id == agreement.id)
            .ok_or(AppError::NotFound)
    }
}

/// Where a saved line leads: the line in the editor.
fn saved(slug: &str) -> impl FnOnce(i64) -> String {
    move |id| editor_url(slug, "opgeslagen", &format!("lijn-{id}"))
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
) -> Result<(Place, String)> {
    if !after.trim().is_empty() {
        let after = line_of(state, agreement, after).await?;
        let text = format!("na {}", line_name(&after));
        let place = Place {
            parent: after.parent_id,
            after: Some(after.id),
        };
        return Ok((place, text));
    }
    if !parent.trim().is_empty() {
        let parent = line_of(state, agreement, parent).await?;
        let text = format!("als laatste onder {}", line_name(&parent));
        let place = Place {
            parent: Some(parent.id),
            after: None,
        };
        return Ok((place, text));
    }
    let place = Place {
        parent: None,
        after: None,
    };
    Ok((place, "als laatste thema".to_string()))
}

pub async fn new_line(
    ctx: PageCtx,
    Editing {
        state, agreement, ..
    }: Editing,
    Query(q): Query<NewLineQuery>,
) -> Result<Response> {
    let (_, place) = placement(&state, &agreement, &q.onder, &q.na).await?;
    let form = LineForm {
        parent_id: q.onder.trim().to_string(),
        after_id: q.na.trim().to_string(),
        version: Version(agreement.version),
        ..LineForm::default()
    };
    let shown = (StatusCode::OK, FieldErrors::default());
    line_page(ctx, &state, (agreement, None, place), form, shown).await
}

pub async fn create_line(
    ctx: PageCtx,
    Actor(actor): Actor,
    Editing {
        state, agreement, ..
    }: Editing,
    body: Bytes,
) -> Result<Response> {
    let form = LineForm::from_body(&body);
    let (at, place) = match placement(&state, &agreement, &form.parent_id, &form.after_id).await {
        Ok(p) => p,
        Err(AppError::NotFound) => {
            return Err(AppError::bad_request(
                "De plaats voor de nieuwe actielijn bestaat niet (meer). Ga terug naar het akkoord en probeer opnieuw.",
            ));
        }
        Err(e) => return Err(e),
    };
    let competences = queries::choices(&state.db, Choices::Competences).await?;
    let insert = async |tx: &mut PgConnection, fields: LineFields| {
        let by = Change::new(actor.id, agreement.id, form.version);
        queries::action_lines::insert_line(tx, by, at, &fields).await
    };
    let again = async |status, errors| {
        let target = (agreement.clone(), None, place);
        line_page(ctx, &state, target, form.clone(), (status, errors)).await
    };
    let checked = form.parse(&competences);
    save_then(&state, checked, insert, saved(&agreement.slug), again).await
}

pub async fn edit_line(ctx: PageCtx, e: Editing<LineRecord>) -> Result<Response> {
    let form = LineForm {
        title: e.part.title.clone(),
        competences: queries::action_lines::line_competences(&e.state.db, e.part.id)
            .await?
            .iter()
            .map(i64::to_string)
            .collect(),
        version: Version(e.agreement.version),
        ..LineForm::default()
    };
    let target = (e.agreement, Some(e.part), String::new());
    let shown = (StatusCode::OK, FieldErrors::default());
    line_page(ctx, &e.state, target, form, shown).await
}

pub async fn update_line(
    ctx: PageCtx,
    Actor(actor): Actor,
    e: Editing<LineRecord>,
    body: Bytes,
) -> Result<Response> {
    let (state, line) = (&e.state, &e.part);
    let form = LineForm::from_body(&body);
    let competences = queries::choices(&state.db, Choices::Competences).await?;
    let update = async |tx: &mut PgConnection, fields: LineFields| {
        let by = Change::new(actor.id, e.agreement.id, form.version);
        queries::action_lines::update_line(tx, by, line, &fields).await
    };
    let again = async |status, errors| {
        let target = (e.agreement.clone(), Some(line.clone()), String::new());
        line_page(ctx, state, target, form.clone(), (status, errors)).await
    };
    let done = saved(&e.agreement.slug);
    save_then(
        state,
        form.parse(&competences),
        update,
        |()| done(line.id),
        again,
    )
    .await
}

/// Moves a line one place up (`STEP` -1) or down (1) among its siblings.
pub async fn move_line<const STEP: isize>(button: Button<LineRecord>) -> Result<Response> {
    let anchor = format!("lijn-{}", button.editing.part.id);
    button
        .press(("verplaatst", &anchor), async |tx, by, line| {
            queries::action_lines::move_line(tx, by, line, STEP).await
        })
        .await
}

pub async fn delete_line(button: Button<LineRecord>) -> Result<Response> {
    button
        .press(("verwijderd", "actielijnen"), async |tx, by, line| {
            queries::action_lines::delete_line(tx, by, line).await
        })
        .await
}
