//! The agreement itself: creating a draft, editing its text, publishing.
//! Its edit page is the editor's home, where the other parts are listed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::editor::{
    CONFLICT, VersionForm, actor, agreement, editor_url, optional_date, pick, seen_version,
    too_long,
};
use super::queries::agreement::{AgreementFields, AgreementRecord, AgreementStatus, MeetingChoice};
use super::queries::signatories::SignatoryRow;
use super::queries::{self, Choice, Goal};
use super::{TreeNode, flatten_tree};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::Result;
use crate::base::{FieldErrors, PageCtx, dutch, page};

pub(super) fn routes() -> Routes {
    const ED: &str = "/beheer/akkoorden/{slug}";
    Routes::new()
        .get("/beheer/akkoorden/nieuw", SECRETARIAT, new_form)
        .post("/beheer/akkoorden", SECRETARIAT, create)
        .get(ED, SECRETARIAT, edit_form)
        .post(ED, SECRETARIAT, update)
        .post("/beheer/akkoorden/{slug}/publiceren", SECRETARIAT, publish)
}

/// The agreement form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    #[serde(default)]
    pub kind_label: String,
    #[serde(default)]
    pub concluded_on: String,
    #[serde(default)]
    pub meeting_id: String,
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub period_from: String,
    #[serde(default)]
    pub period_until: String,
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub commitments: String,
    #[serde(default)]
    pub version: String,
}

pub struct Choices {
    bodies: Vec<Choice>,
    meetings: Vec<MeetingChoice>,
}

impl Choices {
    async fn load(state: &AppState) -> Result<Choices> {
        Ok(Choices {
            bodies: queries::agreement::bodies(&state.db).await?,
            meetings: queries::agreement::formal_meetings(&state.db).await?,
        })
    }
}

impl MeetingChoice {
    pub fn label(&self) -> String {
        format!(
            "Formeel VESOC-overleg van {} ({})",
            dutch::nl_date(self.starts_on),
            self.body_name
        )
    }
}

/// Commitments are typed as paragraphs, separated by an empty line. A
/// leading "1." is dropped: the number is the paragraph's place.
fn split_commitments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                let joined = current.join(" ");
                out.push(strip_number(joined.trim()).to_string());
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    out
}

fn strip_number(s: &str) -> &str {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &s[digits..];
        for sep in [". ", ") "] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r.trim_start();
            }
        }
    }
    s
}

impl AgreementForm {
    fn from_record(a: &AgreementRecord, commitments: &[String]) -> Self {
        let opt = |v: Option<i32>| v.map(|i| i.to_string()).unwrap_or_default();
        AgreementForm {
            title: a.title.clone(),
            subtitle: a.subtitle.clone(),
            kind_label: a.kind_label.clone(),
            concluded_on: a.concluded_on.map(dutch::iso_date).unwrap_or_default(),
            meeting_id: a.meeting_id.map(|i| i.to_string()).unwrap_or_default(),
            body_id: a.body_id.to_string(),
            period_from: opt(a.period_from),
            period_until: opt(a.period_until),
            introduction: a.introduction.clone(),
            commitments: commitments.join("\n\n"),
            version: a.version.to_string(),
        }
    }

    fn parse(&self, choices: &Choices) -> std::result::Result<AgreementFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.add("title", "Vul de titel van het akkoord in.");
        } else if too_long(&title, 300) {
            errors.add("title", "De titel mag hoogstens 300 tekens lang zijn.");
        }
        let subtitle = self.subtitle.trim().to_string();
        if too_long(&subtitle, 300) {
            errors.add(
                "subtitle",
                "De ondertitel mag hoogstens 300 tekens lang zijn.",
            );
        }
        let kind_label = self.kind_label.trim().to_string();
        if too_long(&kind_label, 300) {
            errors.add("kind_label", "De soort mag hoogstens 300 tekens lang zijn.");
        }
        let concluded_on = optional_date(
            &mut errors,
            "concluded_on",
            &self.concluded_on,
            "Gebruik een datum in de vorm JJJJ-MM-DD, of laat het veld leeg als de datum niet gekend is.",
        );
        let body_id = pick(&self.body_id, &choices.bodies).unwrap_or_else(|()| {
            errors.add("body_id", "Kies een orgaan uit de lijst.");
            None
        });
        if body_id.is_none() && errors.get("body_id").is_none() {
            errors.add("body_id", "Kies het orgaan waarin het akkoord gesloten is.");
        }
        let meeting = if self.meeting_id.trim().is_empty() {
            None
        } else {
            let found = self
                .meeting_id
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| choices.meetings.iter().find(|m| m.id == id));
            if found.is_none() {
                errors.add("meeting_id", "Kies een formele vergadering uit de lijst.");
            }
            found
        };
        if let (Some(m), Some(b)) = (meeting, body_id)
            && m.body_id != b
        {
            errors.add(
                "meeting_id",
                "Deze vergadering hoort bij een ander orgaan dan het gekozen orgaan.",
            );
        }
        let mut year = |field: &'static str, value: &str| -> Option<i32> {
            if value.trim().is_empty() {
                return None;
            }
            match value.trim().parse::<i32>() {
                Ok(y) if (1970..=2100).contains(&y) => Some(y),
                _ => {
                    errors.add(
                        field,
                        "Vul een jaartal in, bijvoorbeeld 2024, of laat het veld leeg.",
                    );
                    None
                }
            }
        };
        let period_from = year("period_from", &self.period_from);
        let period_until = year("period_until", &self.period_until);
        if let (Some(f), Some(u)) = (period_from, period_until)
            && u < f
        {
            errors.add("period_until", "Het eindjaar ligt vóór het beginjaar.");
        }
        let introduction = self.introduction.trim().to_string();
        if too_long(&introduction, 5000) {
            errors.add(
                "introduction",
                "De inleiding mag hoogstens 5000 tekens lang zijn.",
            );
        }
        let commitments = split_commitments(&self.commitments);
        if commitments.len() > 50 {
            errors.add(
                "commitments",
                "Een akkoord kan hoogstens 50 engagementen hebben.",
            );
        } else if commitments.iter().any(|c| too_long(c, 5000)) {
            errors.add(
                "commitments",
                "Een engagement mag hoogstens 5000 tekens lang zijn.",
            );
        }
        match (body_id, errors.is_empty()) {
            (Some(body_id), true) => Ok(AgreementFields {
                body_id,
                title,
                subtitle,
                kind_label,
                concluded_on,
                meeting_id: meeting.map(|m| m.id),
                period_from,
                period_until,
                introduction,
                commitments,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "agreements/edit.html")]
struct EditPage {
    ctx: PageCtx,
    /// `None` for a new agreement.
    agreement: Option<AgreementRecord>,
    form: AgreementForm,
    errors: FieldErrors,
    choices: Choices,
    goals: Vec<Goal>,
    lines: Vec<TreeNode>,
    signatories: Vec<SignatoryRow>,
    notice: Option<&'static str>,
}

impl EditPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "body_id" => &self.form.body_id,
            _ => &self.form.meeting_id,
        };
        current.trim() == value
    }

    /// The version the buttons of the page send along.
    fn version(&self) -> String {
        self.agreement
            .as_ref()
            .map(|a| a.version.to_string())
            .unwrap_or_default()
    }

    fn published(&self) -> bool {
        self.agreement
            .as_ref()
            .is_some_and(|a| a.status == AgreementStatus::Published)
    }
}

async fn edit_page(
    ctx: PageCtx,
    state: &AppState,
    agreement: AgreementRecord,
    form: Option<AgreementForm>,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<EditPage> {
    let commitments: Vec<String> = queries::agreement::commitments(&state.db, agreement.id)
        .await?
        .into_iter()
        .map(|c| c.text)
        .collect();
    let form = form.unwrap_or_else(|| AgreementForm::from_record(&agreement, &commitments));
    let mut lines =
        flatten_tree(queries::action_lines::action_lines(&state.db, agreement.id).await?);
    let names = queries::action_lines::competence_names(&state.db, agreement.id).await?;
    for n in &mut lines {
        n.competences = names
            .iter()
            .filter(|(l, _)| *l == n.id)
            .map(|(_, name)| name.clone())
            .collect();
    }
    Ok(EditPage {
        ctx,
        form,
        errors,
        choices: Choices::load(state).await?,
        goals: queries::goals::goals(&state.db, agreement.id).await?,
        lines,
        signatories: queries::signatories::signatory_rows(&state.db, agreement.id).await?,
        notice,
        agreement: Some(agreement),
    })
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let choices = Choices::load(&state).await?;
    // The agreements are concluded in the (in)formal VESOC: preselect it.
    let body_id = choices
        .bodies
        .first()
        .map(|b| b.id.to_string())
        .unwrap_or_default();
    let page = EditPage {
        ctx,
        agreement: None,
        form: AgreementForm {
            body_id,
            ..AgreementForm::default()
        },
        errors: FieldErrors::default(),
        choices,
        goals: Vec::new(),
        lines: Vec::new(),
        signatories: Vec::new(),
        notice: None,
    };
    Ok(page::render(&page))
}

/// A readable address from the title: "Iedereen aan boord" → "iedereen-aan-boord".
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "akkoord".to_string()
    } else {
        slug
    }
}

async fn free_slug(state: &AppState, f: &AgreementFields) -> Result<String> {
    let mut base = slugify(&f.title);
    if let Some(year) = f.concluded_on.map(|d| d.year()).or(f.period_from) {
        base = format!("{base}-{year}");
    }
    let mut slug = base.clone();
    let mut n = 2;
    // "nieuw" is the address of the form for a new agreement.
    while slug == "nieuw" || queries::agreement::slug_taken(&state.db, &slug).await? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

pub async fn create(
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<AgreementForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let choices = Choices::load(&state).await?;
    let fields = match form.parse(&choices) {
        Ok(f) => f,
        Err(errors) => {
            let page = EditPage {
                ctx,
                agreement: None,
                form,
                errors,
                choices,
                goals: Vec::new(),
                lines: Vec::new(),
                signatories: Vec::new(),
                notice: None,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response());
        }
    };
    let slug = free_slug(&state, &fields).await?;
    let mut tx = state.db.begin().await?;
    queries::agreement::create(&mut tx, actor, &slug, &fields).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "aangemaakt", "inhoud")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    melding: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "aangemaakt" => Some(
            "Het akkoord is aangemaakt als ontwerp. Vul nu doelstellingen, actielijnen en ondertekenaars aan.",
        ),
        "opgeslagen" => Some("De wijzigingen zijn opgeslagen."),
        "gepubliceerd" => Some("Het akkoord is gepubliceerd: iedereen kan het nu lezen."),
        "verplaatst" => Some("De actielijn is verplaatst."),
        "verwijderd" => Some("Het is verwijderd."),
        _ => None,
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let agreement = agreement(&state, &slug).await?;
    let page = edit_page(
        ctx,
        &state,
        agreement,
        None,
        FieldErrors::default(),
        notice_text(q.melding.as_deref()),
    )
    .await?;
    Ok(page::render(&page))
}

pub async fn update(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<AgreementForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let choices = Choices::load(&state).await?;
    let fields = match form.parse(&choices) {
        Ok(f) => f,
        Err(errors) => {
            let page = edit_page(ctx, &state, agreement, Some(form), errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::agreement::update(
        &mut tx,
        actor,
        &agreement,
        seen_version(&form.version),
        &fields,
    )
    .await?
    {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, Some(form)).await;
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "inhoud")).into_response())
}

pub(super) async fn conflict_page(
    ctx: PageCtx,
    state: &AppState,
    agreement: AgreementRecord,
    form: Option<AgreementForm>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    errors.add("form", CONFLICT);
    let page = edit_page(ctx, state, agreement, form, errors, None).await?;
    Ok((StatusCode::CONFLICT, page::render(&page)).into_response())
}

pub async fn publish(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<VersionForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let agreement = agreement(&state, &slug).await?;
    let mut tx = state.db.begin().await?;
    if !queries::agreement::publish(&mut tx, actor, agreement.id, seen_version(&form.version))
        .await?
    {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "gepubliceerd", "inhoud")).into_response())
}

/// The editor again, with why an action was refused.
pub(super) async fn refused(
    ctx: PageCtx,
    state: &AppState,
    agreement: AgreementRecord,
    message: &str,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    errors.add("form", message);
    let page = edit_page(ctx, state, agreement, None, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_are_paragraphs_without_their_numbers() {
        let typed = "1. Eerste engagement\nloopt door.\n\n\n2) Tweede\n\n120.000 mensen extra";
        assert_eq!(
            split_commitments(typed),
            vec![
                "Eerste engagement loopt door.",
                "Tweede",
                "120.000 mensen extra"
            ]
        );
        assert!(split_commitments("  \n\n ").is_empty());
    }

    #[test]
    fn slugs_are_readable() {
        assert_eq!(
            slugify("Iedereen aan boord – samen!"),
            "iedereen-aan-boord-samen"
        );
        assert_eq!(slugify("Één akkoord"), "een-akkoord");
        assert_eq!(slugify("???"), "akkoord");
    }
}
