//! The agreement itself: creating a draft, editing its text, publishing.
//! Its edit page is the editor's home, where the other parts are listed.

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;

use super::editor::{
    Editing, Notice, Part, Sent, editor_url, optional, pick_required, save_then, settled,
};
use super::queries::agreement::{
    AgreementFields, AgreementRecord, AgreementStatus, Change, MeetingChoice,
};
use super::queries::signatories::SignatoryRow;
use super::queries::{self, AgreementText, Choice, Goal};
use super::{TreeNode, flatten_tree};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::{AppState, Check, FieldErrors, Outcome, PageCtx, Version, dutch, page, write};
use crate::cache::stored::Kind;

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
    pub version: Version,
}

#[derive(serde::Serialize, Deserialize)]
pub struct Choices {
    bodies: Vec<Choice>,
    meetings: Vec<MeetingChoice>,
}

impl Choices {
    async fn load(state: &AppState) -> Result<Choices> {
        Ok(Choices {
            bodies: queries::choices(&state.db, queries::Choices::Bodies).await?,
            meetings: queries::agreement::formal_meetings(&state.db).await?,
        })
    }
}

impl MeetingChoice {
    /// The day of the meeting, as its option in the editor names it.
    pub fn day(&self) -> dutch::NlDate {
        dutch::NlDate(self.starts_on)
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
        let t = &a.text;
        AgreementForm {
            title: t.title.clone(),
            subtitle: t.subtitle.clone(),
            kind_label: t.kind_label.clone(),
            concluded_on: t.concluded_on.map(dutch::iso_date).unwrap_or_default(),
            meeting_id: a.meeting_id.map(|i| i.to_string()).unwrap_or_default(),
            body_id: a.body_id.to_string(),
            period_from: opt(t.period_from),
            period_until: opt(t.period_until),
            introduction: t.introduction.clone(),
            commitments: commitments.join("\n\n"),
            version: Version(a.version),
        }
    }

    fn parse(&self, choices: &Choices) -> std::result::Result<AgreementFields, FieldErrors> {
        let mut check = Check::default();
        let title = check.text(
            "title",
            &self.title,
            300,
            "Vul de titel van het akkoord in.",
        );
        let subtitle = check.optional_text("subtitle", &self.subtitle, 300);
        let kind_label = check.optional_text("kind_label", &self.kind_label, 300);
        let concluded_on = check
            .optional_date("concluded_on", &self.concluded_on)
            .flatten();
        let body_id = pick_required(
            &mut check,
            "body_id",
            &self.body_id,
            &choices.bodies,
            "Kies het orgaan waarin het akkoord gesloten is.",
            "Kies een orgaan uit de lijst.",
        );
        let listed = |v: &str| {
            let id: i64 = v.parse().ok()?;
            choices.meetings.iter().find(|m| m.id == id)
        };
        let wrong = "Kies een formele vergadering uit de lijst.";
        let meeting = optional(&mut check, "meeting_id", &self.meeting_id, listed, wrong);
        if let (Some(m), Some(b)) = (meeting, body_id)
            && m.body_id != b
        {
            check.add(
                "meeting_id",
                "Deze vergadering hoort bij een ander orgaan dan het gekozen orgaan.",
            );
        }
        let period_from = optional_year(&mut check, "period_from", &self.period_from);
        let period_until = optional_year(&mut check, "period_until", &self.period_until);
        if let (Some(f), Some(u)) = (period_from, period_until)
            && u < f
        {
            check.add("period_until", "Het eindjaar ligt vóór het beginjaar.");
        }
        let introduction = check.optional_text("introduction", &self.introduction, 5000);
        let commitments = split_commitments(&self.commitments);
        if commitments.len() > 50 {
            check.add(
                "commitments",
                "Een akkoord kan hoogstens 50 engagementen hebben.",
            );
        } else if commitments.iter().any(|c| c.chars().count() > 5000) {
            check.add(
                "commitments",
                "Een engagement mag hoogstens 5000 tekens lang zijn.",
            );
        }
        match (body_id, check.is_ok()) {
            (Some(body_id), true) => Ok(AgreementFields {
                body_id,
                meeting_id: meeting.map(|m| m.id),
                text: AgreementText {
                    title,
                    subtitle,
                    kind_label,
                    concluded_on,
                    period_from,
                    period_until,
                    introduction,
                },
                commitments,
            }),
            _ => Err(check.errors()),
        }
    }
}

/// A year of the agreement's period, or nothing.
fn optional_year(check: &mut Check, field: &'static str, value: &str) -> Option<i32> {
    let year = |v: &str| v.parse().ok().filter(|y| (1970..=2100).contains(y));
    let wrong = "Vul een jaartal in, bijvoorbeeld 2024, of laat het veld leeg.";
    optional(check, field, value, year, wrong)
}

#[derive(Template)]
#[template(path = "agreements/edit.html")]
struct EditPage<'a> {
    ctx: PageCtx,
    /// `None` for a new agreement.
    agreement: Option<AgreementRecord>,
    form: AgreementForm,
    errors: FieldErrors,
    choices: &'a Choices,
    goals: &'a [Goal],
    lines: &'a [TreeNode],
    signatories: &'a [SignatoryRow],
    notice: Option<&'static str>,
}

impl EditPage<'_> {
    /// Whether the field holds `id` as typed: compared as text, as the
    /// form sent it, without a string per option.
    fn selected(&self, field: &str, id: &i64) -> bool {
        let current = match field {
            "body_id" => &self.form.body_id,
            _ => &self.form.meeting_id,
        };
        current.trim() == itoa::Buffer::new().format(*id)
    }

    /// Lines no cabinet can follow up: no competence on them or above them.
    fn unlinked_count(&self) -> usize {
        self.lines.iter().filter(|n| !n.linked).count()
    }

    fn published(&self) -> bool {
        self.agreement
            .as_ref()
            .is_some_and(|a| a.status == AgreementStatus::Published)
    }
}

/// What the editor shows of an agreement: the record and seven queries,
/// read once per change and stored (`EDITOR`). A refused form shows the
/// record its write loaded, with the rest.
#[derive(serde::Serialize, Deserialize)]
struct EditorData {
    #[serde(with = "stored_record")]
    agreement: AgreementRecord,
    commitments: Vec<String>,
    choices: Choices,
    #[serde(with = "stored_goals")]
    goals: Vec<Goal>,
    lines: Vec<TreeNode>,
    signatories: Vec<SignatoryRow>,
}

/// The editor's data for the agreement `slug`; an unknown one is "not
/// found" (and not stored).
async fn edit_data(state: &AppState, slug: &str) -> Result<std::sync::Arc<EditorData>> {
    let read = async {
        let record = queries::agreement::record_by_slug(&state.db, slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let agreement = record.id;
        let commitments = queries::agreement::commitments(&state.db, agreement)
            .await?
            .into_iter()
            .map(|c| c.text)
            .collect();
        let mut lines =
            flatten_tree(queries::action_lines::action_lines(&state.db, agreement).await?);
        let names = queries::action_lines::competence_names(&state.db, agreement).await?;
        for n in &mut lines {
            n.competences = names
                .iter()
                .filter(|(l, _)| *l == n.id)
                .map(|(_, name)| name.clone())
                .collect();
        }
        super::mark_linked(&mut lines);
        Ok::<_, AppError>(EditorData {
            agreement: record,
            commitments,
            choices: Choices::load(state).await?,
            goals: queries::goals::goals(&state.db, agreement).await?,
            lines,
            signatories: queries::signatories::signatory_rows(&state.db, agreement).await?,
        })
    };
    state
        .cache
        .stored(&state.db, &EDITOR, slug.to_string(), read)
        .await
}

/// The record as a read model keeps it: it flattens its text, which only
/// self-describing formats (JSON) read back.
mod stored_record {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::AgreementRecord;
    use crate::agreements::queries::AgreementText;
    use crate::agreements::queries::agreement::AgreementStatus;

    type Fields = (
        i64,
        String,
        i64,
        Option<i64>,
        AgreementText,
        AgreementStatus,
        i32,
    );

    pub fn serialize<S: Serializer>(r: &AgreementRecord, s: S) -> Result<S::Ok, S::Error> {
        (
            r.id,
            &r.slug,
            r.body_id,
            r.meeting_id,
            &r.text,
            r.status,
            r.version,
        )
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AgreementRecord, D::Error> {
        let (id, slug, body_id, meeting_id, text, status, version) = Fields::deserialize(d)?;
        Ok(AgreementRecord {
            id,
            slug,
            body_id,
            meeting_id,
            text,
            status,
            version,
        })
    }
}

/// Goals as a read model keeps them: a [`Goal`] flattens its fields, which
/// only self-describing formats (JSON) read back.
mod stored_goals {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Goal;
    use crate::agreements::queries::goals::GoalFields;

    pub fn serialize<S: Serializer>(goals: &[Goal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(goals.iter().map(|g| (g.id, g.position, &g.fields)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Goal>, D::Error> {
        let goals = Vec::<(i64, i32, GoalFields)>::deserialize(d)?;
        Ok(goals
            .into_iter()
            .map(|(id, position, fields)| Goal {
                id,
                position,
                fields,
            })
            .collect())
    }
}

/// The agreement editor's read model, per agreement.
pub static EDITOR: Kind = Kind {
    name: "agreement editor",
    tables: &[
        "action_line",
        "action_line_competence",
        "action_point",
        "agreement",
        "agreement_commitment",
        "body",
        "competence",
        "goal",
        "meeting",
        "organisation",
        "person",
        "signatory",
    ],
    clock: false,
    most: None,
};

fn edit_page<'a>(
    ctx: PageCtx,
    data: &'a EditorData,
    agreement: AgreementRecord,
    form: Option<AgreementForm>,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> EditPage<'a> {
    let form = form.unwrap_or_else(|| AgreementForm::from_record(&agreement, &data.commitments));
    EditPage {
        ctx,
        form,
        errors,
        choices: &data.choices,
        goals: &data.goals,
        lines: &data.lines,
        signatories: &data.signatories,
        notice,
        agreement: Some(agreement),
    }
}

/// The editor again, with what was typed (`None`: the agreement as stored)
/// and why nothing was done.
async fn edit_again(
    ctx: PageCtx,
    state: &AppState,
    agreement: AgreementRecord,
    form: Option<AgreementForm>,
    (status, errors): (StatusCode, FieldErrors),
) -> Result<Response> {
    let data = edit_data(state, &agreement.slug).await?;
    let page = edit_page(ctx, &data, agreement, form, errors, None);
    Ok((status, page::render(&page)).into_response())
}

/// The form for a new agreement.
fn new_page(
    ctx: PageCtx,
    choices: &Choices,
    form: AgreementForm,
    errors: FieldErrors,
) -> EditPage<'_> {
    EditPage {
        ctx,
        agreement: None,
        form,
        errors,
        choices,
        goals: &[],
        lines: &[],
        signatories: &[],
        notice: None,
    }
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let choices = Choices::load(&state).await?;
    // The agreements are concluded in the (in)formal VESOC: preselect it.
    let body_id = choices
        .bodies
        .first()
        .map(|b| b.id.to_string())
        .unwrap_or_default();
    let form = AgreementForm {
        body_id,
        ..AgreementForm::default()
    };
    let page = new_page(ctx, &choices, form, FieldErrors::default());
    Ok(page::render(&page))
}

pub async fn create(
    ctx: PageCtx,
    State(state): State<AppState>,
    sent: Sent<AgreementForm>,
) -> Result<Response> {
    let (actor, form) = (sent.actor, sent.form);
    let choices = Choices::load(&state).await?;
    let checked = form.parse(&choices);
    let create = async |tx: &mut PgConnection, fields: AgreementFields| {
        queries::agreement::create(tx, actor, &fields).await
    };
    let again = async |status, errors| {
        let page = new_page(ctx, &choices, form, errors);
        Ok((status, page::render(&page)).into_response())
    };
    let done = |slug: String| editor_url(&slug, "aangemaakt", "inhoud");
    save_then(&state, checked, create, done, again).await
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
    let notice = notice_text(q.melding.as_deref());
    let errors = FieldErrors::default();
    // The record comes with the rest of the stored model (never stale).
    let data = edit_data(&state, &slug).await?;
    let page = edit_page(ctx, &data, data.agreement.clone(), None, errors, notice);
    Ok(page::render(&page))
}

pub async fn update(ctx: PageCtx, e: Editing, sent: Sent<AgreementForm>) -> Result<Response> {
    let (state, agreement, form) = (e.state, e.agreement, sent.form);
    let choices = Choices::load(&state).await?;
    let done = editor_url(&agreement.slug, "opgeslagen", "inhoud");
    let checked = form.parse(&choices);
    save_then(
        &state,
        checked,
        async |tx, fields| {
            queries::agreement::update(tx, sent.actor, &agreement, form.version, &fields).await
        },
        |()| done,
        async |status, errors| {
            let form = Some(form.clone());
            edit_again(ctx, &state, agreement.clone(), form, (status, errors)).await
        },
    )
    .await
}

/// A button of the editor page (publish, move, delete) as pressed: the
/// page, the agreement and the part its address names, and who pressed it
/// with the version they were shown.
pub struct Button<P> {
    ctx: PageCtx,
    pub editing: Editing<P>,
    sent: Sent,
}

impl<P: Part + Send> FromRequest<AppState> for Button<P> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> std::result::Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(ctx) = PageCtx::from_request_parts(&mut parts, state).await;
        let editing = Editing::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = Sent::from_request(Request::from_parts(parts, body), state).await?;
        Ok(Button { ctx, editing, sent })
    }
}

impl<P> Button<P> {
    /// Runs `operation` as the change of who pressed the button, on the
    /// part, then on to the editor with `notice` at `anchor`, or the editor
    /// again with why nothing was done.
    pub(super) async fn press(
        self,
        (notice, anchor): (&str, &str),
        operation: impl AsyncFnOnce(&mut PgConnection, Change, &P) -> Result<Outcome>,
    ) -> Result<Response> {
        let Button { ctx, editing, sent } = self;
        let Editing {
            state,
            agreement,
            part,
        } = editing;
        let by = Change::new(sent.actor, agreement.id, sent.form.version);
        let run = async |tx: &mut PgConnection| operation(tx, by, &part).await;
        match settled(write::run(&state.db, run).await?) {
            Ok(()) => {
                let to = editor_url(&agreement.slug, notice, anchor);
                Ok(Redirect::to(&to).into_response())
            }
            Err(why) => edit_again(ctx, &state, agreement, None, why).await,
        }
    }
}

pub async fn publish(button: Button<()>) -> Result<Response> {
    button
        .press(("gepubliceerd", "inhoud"), async |tx, by, ()| {
            queries::agreement::publish(tx, by).await
        })
        .await
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
}
