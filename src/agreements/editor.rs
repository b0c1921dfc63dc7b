//! The agreement editor of the secretariat: the agreement itself, its goals,
//! the tree of action lines and the signatories.
//!
//! Every change, to the agreement or to one of its parts, claims the
//! agreement's version first: an agreement is edited as one document, so
//! two editors working from different versions never overwrite each other
//! (the second gets a 409 with what they typed).

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{
    self, AgreementFields, AgreementRecord, AgreementStatus, Choice, Goal, GoalFields, LineRecord,
    MeetingChoice, SignatoryFields, SignatoryRow,
};
use super::{TreeNode, flatten_tree};
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, dutch, page};
use crate::composition::Side;

const CONFLICT: &str = "Iemand anders heeft dit akkoord intussen gewijzigd. Uw invoer staat hieronder; er is niets overschreven. Herlaad de pagina om de nieuwe versie te zien en breng uw wijziging dan opnieuw aan.";

fn actor(ctx: &PageCtx) -> Result<i64> {
    ctx.user.as_ref().map(|u| u.id).ok_or(AppError::Forbidden)
}

fn parse_id(id: &str) -> Result<i64> {
    id.trim().parse().map_err(|_| AppError::NotFound)
}

async fn agreement(state: &AppState, slug: &str) -> Result<AgreementRecord> {
    queries::record_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

fn seen_version(v: &str) -> i32 {
    // A missing or garbled version can only be a stale or forged form: it
    // matches no row and is treated as a conflict.
    v.trim().parse().unwrap_or(-1)
}

fn editor_url(slug: &str, notice: &str, anchor: &str) -> String {
    format!("/beheer/akkoorden/{slug}?melding={notice}#{anchor}")
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// An optional date field: empty is `None`, anything else must be a date.
fn optional_date(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    message: &str,
) -> Option<time::Date> {
    if value.trim().is_empty() {
        return None;
    }
    let d = dutch::parse_date(value);
    if d.is_none() {
        errors.add(field, message);
    }
    d
}

fn optional_number(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let n = dutch::parse_nl_number(value);
    if n.is_none() {
        errors.add(
            field,
            "Vul een getal in zoals 120.000 of 80,5 (komma voor decimalen), of laat het veld leeg.",
        );
    }
    n
}

fn pick(value: &str, list: &[Choice]) -> std::result::Result<Option<i64>, ()> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let id: i64 = value.trim().parse().map_err(|_| ())?;
    list.iter()
        .any(|c| c.id == id)
        .then_some(Some(id))
        .ok_or(())
}

// ---------------------------------------------------------------------------
// The agreement
// ---------------------------------------------------------------------------

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
            bodies: queries::bodies(&state.db).await?,
            meetings: queries::formal_meetings(&state.db).await?,
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

impl SignatoryRow {
    pub fn side_label(&self) -> &'static str {
        self.side.label()
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
    let commitments: Vec<String> = queries::commitments(&state.db, agreement.id)
        .await?
        .into_iter()
        .map(|c| c.text)
        .collect();
    let form = form.unwrap_or_else(|| AgreementForm::from_record(&agreement, &commitments));
    let mut lines = flatten_tree(queries::action_lines(&state.db, agreement.id).await?);
    let names = queries::competence_names(&state.db, agreement.id).await?;
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
        goals: queries::goals(&state.db, agreement.id).await?,
        lines,
        signatories: queries::signatory_rows(&state.db, agreement.id).await?,
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
    while slug == "nieuw" || queries::slug_taken(&state.db, &slug).await? {
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
    queries::create(&mut tx, actor, &slug, &fields).await?;
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
    if !queries::update(
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

async fn conflict_page(
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

/// What the buttons of the editor send: the version they were shown.
#[derive(Debug, Default, Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
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
    if !queries::publish(&mut tx, actor, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "gepubliceerd", "inhoud")).into_response())
}

// ---------------------------------------------------------------------------
// Goals
// ---------------------------------------------------------------------------

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

fn conflict_errors() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("form", CONFLICT);
    errors
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
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
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
    queries::insert_goal(&mut tx, actor, agreement.id, &fields).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "opgeslagen", "doelstellingen")).into_response())
}

async fn goal_of(state: &AppState, agreement: &AgreementRecord, goal: &str) -> Result<Goal> {
    queries::goal(&state.db, agreement.id, parse_id(goal)?)
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
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
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
    queries::update_goal(&mut tx, actor, &goal, &fields).await?;
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
    if queries::measurement_count(&state.db, goal.id).await? > 0 {
        return refused(
            ctx,
            &state,
            agreement,
            "Deze doelstelling heeft al meetwaarden en kan niet meer verwijderd worden.",
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    queries::delete_goal(&mut tx, actor, &goal).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "doelstellingen")).into_response())
}

/// The editor again, with why an action was refused.
async fn refused(
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

// ---------------------------------------------------------------------------
// Action lines
// ---------------------------------------------------------------------------

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
        competences: queries::competences(&state.db).await?,
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
    queries::line(&state.db, parse_id(id)?)
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
    let competences = queries::competences(&state.db).await?;
    let (title, ids) = match form.parse(&competences) {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return line_page(status, ctx, &state, agreement, None, place, form, e).await;
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
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
    let id =
        queries::insert_line(&mut tx, actor, agreement.id, parent, after, &title, &ids).await?;
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
        competences: queries::line_competences(&state.db, line.id)
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
    let competences = queries::competences(&state.db).await?;
    let (title, ids) = match form.parse(&competences) {
        Ok(v) => v,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let place = String::new();
            return line_page(status, ctx, &state, agreement, Some(line), place, form, e).await;
        }
    };
    let mut tx = state.db.begin().await?;
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let (status, place, e) = (StatusCode::CONFLICT, String::new(), conflict_errors());
        return line_page(status, ctx, &state, agreement, Some(line), place, form, e).await;
    }
    queries::update_line(&mut tx, actor, &line, &title, &ids).await?;
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
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    if !queries::move_line(&mut tx, actor, &line, step).await? {
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
    if queries::child_count(&state.db, line.id).await? > 0 {
        let message = "Alleen een actielijn zonder onderliggende actielijnen kan verwijderd worden. Verwijder eerst de onderliggende.";
        return refused(ctx, &state, agreement, message).await;
    }
    if queries::follow_up_count(&state.db, line.id).await? > 0 {
        let message = "Deze actielijn heeft al opvolging en kan niet verwijderd worden: de geschiedenis blijft bewaard.";
        return refused(ctx, &state, agreement, message).await;
    }
    let mut tx = state.db.begin().await?;
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    queries::delete_line(&mut tx, actor, &line).await?;
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "actielijnen")).into_response())
}

// ---------------------------------------------------------------------------
// Signatories
// ---------------------------------------------------------------------------

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
            people: queries::people(&state.db).await?,
            organisations: queries::organisations(&state.db).await?,
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
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        let e = conflict_errors();
        return again(StatusCode::CONFLICT, form, e, ctx, agreement, choices);
    }
    match queries::insert_signatory(&mut tx, actor, agreement.id, &fields).await {
        Ok(_) => {}
        Err(e) if violated_constraint(&e) == Some(queries::SIGNATORY_PERSON_KEY) => {
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
    let exists = queries::signatory_rows(&state.db, agreement.id)
        .await?
        .iter()
        .any(|s| s.id == signatory);
    if !exists {
        return Err(AppError::NotFound);
    }
    let mut tx = state.db.begin().await?;
    if !queries::claim(&mut tx, agreement.id, seen_version(&form.version)).await? {
        tx.rollback().await?;
        return conflict_page(ctx, &state, agreement, None).await;
    }
    if !queries::delete_signatory(&mut tx, actor, agreement.id, signatory).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(Redirect::to(&editor_url(&slug, "verwijderd", "ondertekening")).into_response())
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
