//! The secretariat's composition editor: new mandates, departures,
//! substitutes, a change of chair, a new government, corrections, and the
//! seat rules. History is never overwritten: a change ends one membership
//! and starts another; a mistake is superseded and, if needed, corrected by
//! a new row that says which one it corrects and why.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::Date;

use super::queries::{
    self, Body, Choice, MembershipRole, MembershipRow, NewMembership, Seat, SeatRuleRow, Side,
};
use super::rules;
use crate::audit;
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, dutch, page};

const OVERLAP: &str = "Deze persoon heeft in dit orgaan al een mandaat met dezelfde rol in (een deel van) deze periode. Beëindig of corrigeer dat mandaat eerst, of kies andere data.";
const CONFLICT: &str = "Iemand anders heeft dit intussen gewijzigd. Uw invoer staat hieronder; er is niets opgeslagen. Herlaad de pagina om de nieuwe toestand te zien.";
const MAX_TEXT: usize = 300;
const MAX_NOTE: usize = 2000;
/// Rows on the "new government" form: the four VESOC ministers and room
/// for cabinet representatives.
pub const GOV_ROWS: usize = 8;

fn actor(ctx: &PageCtx) -> Result<i64> {
    ctx.user.as_ref().map(|u| u.id).ok_or(AppError::Forbidden)
}

async fn body(state: &AppState, slug: &str) -> Result<Body> {
    queries::body_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

fn parse_id(s: &str) -> Result<i64> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// Checks a text field: trimmed, at most `max` characters.
fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        if let Some(msg) = required {
            errors.add(field, msg);
        }
    } else if v.chars().count() > max {
        errors.add(field, format!("Hoogstens {max} tekens."));
    }
    v
}

/// A required (or optional) date field in the form JJJJ-MM-DD.
fn date(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
) -> Option<Date> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            errors.add(field, "Vul een datum in (JJJJ-MM-DD).");
        }
        return None;
    }
    let d = dutch::parse_date(v);
    if d.is_none() {
        errors.add(
            field,
            format!("\u{201c}{v}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD."),
        );
    }
    d
}

/// An id picked from a list on offer; anything else is refused.
fn pick(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    ids: &[i64],
    required: Option<&str>,
) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() {
        if let Some(msg) = required {
            errors.add(field, msg);
        }
        return None;
    }
    match v.parse::<i64>() {
        Ok(id) if ids.contains(&id) => Some(id),
        _ => {
            errors.add(field, "Kies een waarde uit de lijst.");
            None
        }
    }
}

/// What the editor's select lists offer.
pub struct Choices {
    pub people: Vec<Choice>,
    pub organisations: Vec<Choice>,
    /// Memberships of the body that count, for substitutes and replacements.
    pub counting: Vec<MembershipRow>,
    pub government: Option<i64>,
}

impl Choices {
    async fn load(state: &AppState, body_id: i64) -> Result<Choices> {
        Ok(Choices {
            people: queries::person_choices(&state.db).await?,
            organisations: queries::organisation_choices(&state.db).await?,
            counting: queries::counting_memberships(&state.db, body_id).await?,
            government: queries::government_organisation(&state.db).await?,
        })
    }

    fn person_ids(&self) -> Vec<i64> {
        self.people.iter().map(|c| c.id).collect()
    }

    fn organisation_ids(&self) -> Vec<i64> {
        self.organisations.iter().map(|c| c.id).collect()
    }

    fn counting(&self, id: i64) -> Option<&MembershipRow> {
        self.counting.iter().find(|m| m.id == id)
    }
}

/// The membership form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MembershipForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub side: String,
    #[serde(default)]
    pub function_title: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub substitute_for_id: String,
    #[serde(default)]
    pub replaces_id: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: String,
}

impl MembershipForm {
    fn from_row(m: &MembershipRow) -> Self {
        MembershipForm {
            person_id: m.person_id.to_string(),
            organisation_id: m.organisation_id.to_string(),
            role: m.role.code().to_string(),
            side: m.side.code().to_string(),
            function_title: m.function_title.clone().unwrap_or_default(),
            valid_from: dutch::iso_date(m.valid_from),
            valid_until: m.valid_until.map(dutch::iso_date).unwrap_or_default(),
            substitute_for_id: m
                .substitute_for_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            replaces_id: String::new(),
            note: String::new(),
            version: m.version.to_string(),
        }
    }

    /// Checks the form; `correcting` is the membership a correction replaces
    /// (a correction needs a note and cannot replace another mandate).
    fn parse(
        &self,
        body_id: i64,
        choices: &Choices,
        correcting: Option<&MembershipRow>,
    ) -> std::result::Result<(NewMembership, Option<MembershipRow>), FieldErrors> {
        let mut e = FieldErrors::default();
        let person = pick(
            &mut e,
            "person_id",
            &self.person_id,
            &choices.person_ids(),
            Some("Kies een persoon."),
        );
        let organisation = pick(
            &mut e,
            "organisation_id",
            &self.organisation_id,
            &choices.organisation_ids(),
            Some("Kies de organisatie die deze persoon vertegenwoordigt."),
        );
        let role = MembershipRole::parse(self.role.trim());
        if role.is_none() {
            e.add("role", "Kies een rol.");
        }
        let side = Side::parse(self.side.trim());
        if side.is_none() {
            e.add("side", "Kies een zijde.");
        }
        let title = text(
            &mut e,
            "function_title",
            &self.function_title,
            MAX_TEXT,
            None,
        );
        let from = date(&mut e, "valid_from", &self.valid_from, true);
        let until = date(&mut e, "valid_until", &self.valid_until, false);
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            e.add("valid_until", "De einddatum valt vóór de begindatum.");
        }
        let counting_ids: Vec<i64> = choices
            .counting
            .iter()
            .filter(|m| Some(m.id) != correcting.map(|c| c.id))
            .map(|m| m.id)
            .collect();
        let substitute_for = pick(
            &mut e,
            "substitute_for_id",
            &self.substitute_for_id,
            &counting_ids,
            None,
        );
        match (role, substitute_for) {
            (Some(MembershipRole::Substitute), None) if e.get("substitute_for_id").is_none() => e.add(
                "substitute_for_id",
                "Een plaatsvervanger vervangt iemand: kies wie.",
            ),
            (Some(r), Some(_)) if r != MembershipRole::Substitute => e.add(
                "substitute_for_id",
                "Alleen een plaatsvervanger vervangt iemand. Kies de rol plaatsvervanger of laat dit veld leeg.",
            ),
            _ => {}
        }
        let replaces = if correcting.is_some() {
            None
        } else {
            pick(
                &mut e,
                "replaces_id",
                &self.replaces_id,
                &counting_ids,
                None,
            )
            .and_then(|id| choices.counting(id).cloned())
        };
        if let (Some(r), Some(f)) = (&replaces, from) {
            if r.valid_from >= f {
                e.add(
                    "replaces_id",
                    "Het mandaat dat u vervangt begint niet vóór het nieuwe: kies een latere begindatum.",
                );
            } else if r
                .valid_until
                .is_some_and(|u| u < f.previous_day().unwrap_or(f))
            {
                e.add(
                    "replaces_id",
                    "Het mandaat dat u vervangt liep al af vóór de begindatum van het nieuwe.",
                );
            }
        }
        let note = text(
            &mut e,
            "note",
            &self.note,
            MAX_NOTE,
            correcting
                .map(|_| "Schrijf waarom u dit mandaat corrigeert; de nota blijft zichtbaar."),
        );
        match (person, organisation, role, side, from, e.is_empty()) {
            (
                Some(person_id),
                Some(organisation_id),
                Some(role),
                Some(side),
                Some(valid_from),
                true,
            ) => Ok((
                NewMembership {
                    body_id,
                    person_id,
                    organisation_id,
                    role,
                    side,
                    function_title: (!title.is_empty()).then_some(title),
                    valid_from,
                    valid_until: until,
                    substitute_for_id: substitute_for,
                    corrects_id: correcting.map(|c| c.id),
                    note,
                },
                replaces,
            )),
            _ => Err(e),
        }
    }
}

/// The "new government" form: a date and the new government-side members.
#[derive(Debug, Default, Clone)]
pub struct GovForm {
    pub date: String,
    pub organisation_id: String,
    pub rows: Vec<GovRow>,
}

#[derive(Debug, Default, Clone)]
pub struct GovRow {
    pub person_id: String,
    pub role: String,
    pub function_title: String,
}

const GOV_PERSON: [&str; GOV_ROWS] = [
    "person_0", "person_1", "person_2", "person_3", "person_4", "person_5", "person_6", "person_7",
];
const GOV_ROLE: [&str; GOV_ROWS] = [
    "role_0", "role_1", "role_2", "role_3", "role_4", "role_5", "role_6", "role_7",
];
const GOV_TITLE: [&str; GOV_ROWS] = [
    "title_0", "title_1", "title_2", "title_3", "title_4", "title_5", "title_6", "title_7",
];

/// The roles a member of a new government can take.
pub const GOV_ROLES: [MembershipRole; 3] = [
    MembershipRole::Chair,
    MembershipRole::Member,
    MembershipRole::AttendsWhenCompetent,
];

impl GovForm {
    fn empty(government: Option<i64>) -> Self {
        GovForm {
            date: String::new(),
            organisation_id: government.map(|g| g.to_string()).unwrap_or_default(),
            rows: vec![GovRow::default(); GOV_ROWS],
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        GovForm {
            date: get("date"),
            organisation_id: get("organisation_id"),
            rows: (0..GOV_ROWS)
                .map(|i| GovRow {
                    person_id: get(GOV_PERSON[i]),
                    role: get(GOV_ROLE[i]),
                    function_title: get(GOV_TITLE[i]),
                })
                .collect(),
        }
    }

    fn parse(&self, choices: &Choices) -> std::result::Result<GovChange, FieldErrors> {
        let mut e = FieldErrors::default();
        let on = date(&mut e, "date", &self.date, true);
        let organisation = pick(
            &mut e,
            "organisation_id",
            &self.organisation_id,
            &choices.organisation_ids(),
            Some("Kies de organisatie van de regering."),
        );
        let people = choices.person_ids();
        let mut members = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let empty = row.person_id.trim().is_empty() && row.function_title.trim().is_empty();
            if empty {
                continue;
            }
            let person = pick(
                &mut e,
                GOV_PERSON[i],
                &row.person_id,
                &people,
                Some("Kies een persoon of maak de rij leeg."),
            );
            let role = MembershipRole::parse(row.role.trim()).filter(|r| GOV_ROLES.contains(r));
            if role.is_none() {
                e.add(GOV_ROLE[i], "Kies een rol.");
            }
            let title = text(&mut e, GOV_TITLE[i], &row.function_title, MAX_TEXT, None);
            if let (Some(p), Some(r)) = (person, role) {
                if members.iter().any(|(q, s, _)| *q == p && *s == r) {
                    e.add(
                        GOV_PERSON[i],
                        "Deze persoon staat al met dezelfde rol op de lijst.",
                    );
                }
                members.push((p, r, (!title.is_empty()).then_some(title)));
            }
        }
        if members.is_empty() && e.is_empty() {
            e.add(
                GOV_PERSON[0],
                "Vul minstens één lid van de nieuwe regering in.",
            );
        }
        match (on, organisation, e.is_empty()) {
            (Some(on), Some(organisation_id), true) => Ok(GovChange {
                on,
                organisation_id,
                members,
            }),
            _ => Err(e),
        }
    }
}

struct GovChange {
    on: Date,
    organisation_id: i64,
    members: Vec<(i64, MembershipRole, Option<String>)>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    pub seat_count: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Deserialize)]
pub struct EditorQuery {
    op: Option<String>,
    melding: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "mandaat" => Some("Het mandaat is opgeslagen."),
        "regering" => Some(
            "De nieuwe regering is ingevoerd: de vorige mandaten van de regeringszijde zijn beëindigd en de nieuwe zijn gestart.",
        ),
        "regel" => Some("De samenstellingsregel is opgeslagen."),
        "einde" => Some("Het mandaat is beëindigd."),
        "correctie" => {
            Some("De correctie is opgeslagen. Het gecorrigeerde mandaat telt niet meer mee.")
        }
        "ingetrokken" => Some(
            "Het mandaat is ingetrokken. Het telt niet meer mee, maar blijft in de geschiedenis.",
        ),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "composition/editor.html")]
struct EditorPage {
    ctx: PageCtx,
    body: Body,
    on: Date,
    date_input: String,
    date_error: Option<String>,
    warnings: Vec<String>,
    seats: Vec<Seat>,
    history: Vec<MembershipRow>,
    choices: Choices,
    member: MembershipForm,
    member_errors: FieldErrors,
    gov: GovForm,
    gov_errors: FieldErrors,
    rules: Vec<SeatRuleRow>,
    rule_edit: Option<(i64, RuleForm, FieldErrors)>,
    notice: Option<&'static str>,
    roles: [MembershipRole; 6],
    gov_roles: [MembershipRole; 3],
    sides: [Side; 4],
}

impl EditorPage {
    fn on_label(&self) -> String {
        dutch::nl_date(self.on)
    }

    fn is(&self, value: &str, id: &i64) -> bool {
        value.trim() == id.to_string()
    }

    fn rule_value(&self, r: &SeatRuleRow, field: &str) -> String {
        match &self.rule_edit {
            Some((id, form, _)) if *id == r.id => match field {
                "seat_count" => form.seat_count.clone(),
                "label" => form.label.clone(),
                _ => form.version.clone(),
            },
            _ => match field {
                "seat_count" => r.seat_count.map(|c| c.to_string()).unwrap_or_default(),
                "label" => r.label.clone(),
                _ => r.version.to_string(),
            },
        }
    }

    fn rule_error(&self, r: &SeatRuleRow, field: &str) -> Option<String> {
        match &self.rule_edit {
            Some((id, _, errors)) if *id == r.id => errors.get(field).map(str::to_string),
            _ => None,
        }
    }

    fn gov_error(&self, kind: &str, i: &usize) -> Option<&str> {
        let field = match kind {
            "person" => GOV_PERSON.get(*i),
            "role" => GOV_ROLE.get(*i),
            _ => GOV_TITLE.get(*i),
        };
        field.and_then(|f| self.gov_errors.get(f))
    }
}

struct Edits {
    member: MembershipForm,
    member_errors: FieldErrors,
    gov: Option<GovForm>,
    gov_errors: FieldErrors,
    rule_edit: Option<(i64, RuleForm, FieldErrors)>,
}

impl Edits {
    fn none() -> Self {
        Edits {
            member: MembershipForm::default(),
            member_errors: FieldErrors::default(),
            gov: None,
            gov_errors: FieldErrors::default(),
            rule_edit: None,
        }
    }
}

async fn editor_page(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    op: Option<&str>,
    notice: Option<&'static str>,
    edits: Edits,
) -> Result<EditorPage> {
    let today = dutch::today();
    let requested = op.map(str::trim).filter(|s| !s.is_empty());
    let (on, date_error) = match requested.map(|s| (s, dutch::parse_date(s))) {
        None => (today, None),
        Some((_, Some(d))) => (d, None),
        Some((s, None)) => (
            today,
            Some(format!(
                "\u{201c}{s}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD. Hieronder ziet u de toestand van vandaag."
            )),
        ),
    };
    let rule_list = queries::seat_rules(&state.db, body.id).await?;
    let seats = queries::composition_on(&state.db, body.id, on).await?;
    let choices = Choices::load(state, body.id).await?;
    let mut member = edits.member;
    if member.valid_from.is_empty() && edits.member_errors.is_empty() {
        member.valid_from = dutch::iso_date(today);
    }
    Ok(EditorPage {
        date_input: match (&date_error, requested) {
            (Some(_), Some(s)) => s.to_string(),
            _ => dutch::iso_date(on),
        },
        warnings: rules::warnings(&rule_list, &seats),
        history: queries::memberships_of_body(&state.db, body.id).await?,
        rules: queries::seat_rule_rows(&state.db, body.id).await?,
        gov: edits
            .gov
            .unwrap_or_else(|| GovForm::empty(choices.government)),
        gov_errors: edits.gov_errors,
        member,
        member_errors: edits.member_errors,
        rule_edit: edits.rule_edit,
        choices,
        seats,
        on,
        date_error,
        notice,
        ctx,
        body,
        roles: MembershipRole::ALL,
        gov_roles: GOV_ROLES,
        sides: Side::ALL,
    })
}

pub async fn editor(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<EditorQuery>,
) -> Result<Response> {
    let body = body(&state, &slug).await?;
    let page = editor_page(
        ctx,
        &state,
        body,
        q.op.as_deref(),
        notice_text(q.melding.as_deref()),
        Edits::none(),
    )
    .await?;
    let status = if page.date_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, page::render(&page)).into_response())
}

async fn editor_again(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    status: StatusCode,
    edits: Edits,
) -> Result<Response> {
    let page = editor_page(ctx, state, body, None, None, edits).await?;
    Ok((status, page::render(&page)).into_response())
}

fn to_editor(slug: &str, melding: &str) -> Response {
    Redirect::to(&format!("/beheer/organen/{slug}?melding={melding}")).into_response()
}

/// A new mandate: a member taking a seat, a substitute, a new chair; when it
/// replaces a running mandate, that one ends the day before, in the same
/// transaction.
pub async fn add_membership(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<MembershipForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let choices = Choices::load(&state, body.id).await?;
    let (new, replaces) = match form.parse(body.id, &choices, None) {
        Ok(v) => v,
        Err(errors) => {
            let edits = Edits {
                member: form,
                member_errors: errors,
                ..Edits::none()
            };
            return editor_again(ctx, &state, body, StatusCode::UNPROCESSABLE_ENTITY, edits).await;
        }
    };
    let mut tx = state.db.begin().await?;
    queries::lock_body(&mut tx, body.id).await?;
    if let Some(old) = &replaces {
        // Re-read under the lock: what the form offered may have changed.
        let fresh = queries::membership(&mut *tx, old.id).await?;
        if fresh.as_ref().map(|m| m.version) != Some(old.version) {
            let mut errors = FieldErrors::default();
            errors.add("form", CONFLICT);
            let edits = Edits {
                member: form,
                member_errors: errors,
                ..Edits::none()
            };
            return editor_again(ctx, &state, body, StatusCode::CONFLICT, edits).await;
        }
        let until = new.valid_from.previous_day().unwrap_or(new.valid_from);
        queries::end_membership_locked(&mut tx, old.id, until).await?;
        let after = queries::membership(&mut *tx, old.id).await?;
        audit::record(
            &mut tx,
            Some(actor),
            "end",
            "membership",
            Some(old.id.to_string()),
            Some(old.snapshot()),
            after.map(|a| a.snapshot()),
        )
        .await?;
    }
    let id = match queries::insert_membership(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if violated_constraint(&e) == Some("membership_no_overlap") => {
            let mut errors = FieldErrors::default();
            errors.add("valid_from", OVERLAP);
            let edits = Edits {
                member: form,
                member_errors: errors,
                ..Edits::none()
            };
            return editor_again(ctx, &state, body, StatusCode::UNPROCESSABLE_ENTITY, edits).await;
        }
        Err(e) => return Err(e.into()),
    };
    let after = queries::membership(&mut *tx, id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "create",
        "membership",
        Some(id.to_string()),
        None,
        after.map(|a| a.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(to_editor(&body.slug, "mandaat"))
}

/// A new government takes office on a date: every government-side mandate
/// of the body still running ends the day before, and the new ones start,
/// all in one transaction.
pub async fn government_change(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let form = GovForm::from_pairs(&pairs);
    let choices = Choices::load(&state, body.id).await?;
    let again = |form: GovForm, errors: FieldErrors| Edits {
        gov: Some(form),
        gov_errors: errors,
        ..Edits::none()
    };
    let change = match form.parse(&choices) {
        Ok(c) => c,
        Err(errors) => {
            return editor_again(
                ctx,
                &state,
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
                again(form, errors),
            )
            .await;
        }
    };
    let mut tx = state.db.begin().await?;
    queries::lock_body(&mut tx, body.id).await?;
    let running = queries::government_memberships_from(&mut tx, body.id, change.on).await?;
    if let Some(late) = running.iter().find(|m| m.valid_from >= change.on) {
        let mut errors = FieldErrors::default();
        errors.add(
            "date",
            format!(
                "{} heeft al een mandaat aan regeringszijde dat begint op {}. Kies een latere datum of corrigeer dat mandaat eerst.",
                late.person_name,
                dutch::nl_date(late.valid_from)
            ),
        );
        return editor_again(
            ctx,
            &state,
            body,
            StatusCode::UNPROCESSABLE_ENTITY,
            again(form, errors),
        )
        .await;
    }
    let until = change.on.previous_day().unwrap_or(change.on);
    for m in &running {
        queries::end_membership_locked(&mut tx, m.id, until).await?;
    }
    let mut created = Vec::new();
    for (person_id, role, function_title) in &change.members {
        let new = NewMembership {
            body_id: body.id,
            person_id: *person_id,
            organisation_id: change.organisation_id,
            role: *role,
            side: Side::Government,
            function_title: function_title.clone(),
            valid_from: change.on,
            valid_until: None,
            substitute_for_id: None,
            corrects_id: None,
            note: String::new(),
        };
        match queries::insert_membership(&mut tx, &new).await {
            Ok(id) => created.push(id),
            Err(e) if violated_constraint(&e) == Some("membership_no_overlap") => {
                let mut errors = FieldErrors::default();
                errors.add("date", OVERLAP);
                return editor_again(
                    ctx,
                    &state,
                    body,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    again(form, errors),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut after = Vec::new();
    for id in created.iter().chain(running.iter().map(|m| &m.id)) {
        if let Some(m) = queries::membership(&mut *tx, *id).await? {
            after.push(m.snapshot());
        }
    }
    audit::record(
        &mut tx,
        Some(actor),
        "government_change",
        "body",
        Some(body.id.to_string()),
        Some(json!({ "ended": running.iter().map(MembershipRow::snapshot).collect::<Vec<_>>() })),
        Some(json!({ "from": dutch::iso_date(change.on), "memberships": after })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_editor(&body.slug, "regering"))
}

pub async fn update_rule(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, rule)): Path<(String, String)>,
    Form(form): Form<RuleForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let rule_id = parse_id(&rule)?;
    let rules = queries::seat_rule_rows(&state.db, body.id).await?;
    let before = rules
        .iter()
        .find(|r| r.id == rule_id)
        .ok_or(AppError::NotFound)?;
    let mut e = FieldErrors::default();
    let label = text(
        &mut e,
        "label",
        &form.label,
        MAX_TEXT,
        Some("Vul een omschrijving in."),
    );
    let count = form.seat_count.trim();
    let seat_count = if count.is_empty() {
        None
    } else {
        match count.parse::<i32>() {
            Ok(n) if (1..=500).contains(&n) => Some(n),
            _ => {
                e.add("seat_count", "Vul een aantal zetels in tussen 1 en 500, of laat het veld leeg als de bronnen geen aantal geven.");
                None
            }
        }
    };
    if !e.is_empty() {
        let edits = Edits {
            rule_edit: Some((rule_id, form, e)),
            ..Edits::none()
        };
        return editor_again(ctx, &state, body, StatusCode::UNPROCESSABLE_ENTITY, edits).await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !queries::update_seat_rule(&mut tx, rule_id, seen, seat_count, &label).await? {
        let mut e = FieldErrors::default();
        e.add("label", CONFLICT);
        let edits = Edits {
            rule_edit: Some((rule_id, form, e)),
            ..Edits::none()
        };
        return editor_again(ctx, &state, body, StatusCode::CONFLICT, edits).await;
    }
    audit::record(
        &mut tx,
        Some(actor),
        "update",
        "seat_rule",
        Some(rule_id.to_string()),
        Some(json!({ "seat_count": before.seat_count, "label": before.label, "version": before.version })),
        Some(json!({ "seat_count": seat_count, "label": label, "version": before.version + 1 })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_editor(&body.slug, "regel"))
}

// ---------------------------------------------------------------------------
// One membership: end, correct, withdraw
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Template)]
#[template(path = "composition/membership.html")]
struct MembershipPage {
    ctx: PageCtx,
    body: Body,
    m: MembershipRow,
    corrections: Vec<MembershipRow>,
    corrects: Option<MembershipRow>,
    choices: Choices,
    end: EndForm,
    end_errors: FieldErrors,
    correct: MembershipForm,
    correct_errors: FieldErrors,
    withdraw: WithdrawForm,
    withdraw_errors: FieldErrors,
    notice: Option<&'static str>,
    roles: [MembershipRole; 6],
    sides: [Side; 4],
}

impl MembershipPage {
    fn is(&self, value: &str, id: &i64) -> bool {
        value.trim() == id.to_string()
    }
}

struct MembershipEdits {
    end: Option<(EndForm, FieldErrors)>,
    correct: Option<(MembershipForm, FieldErrors)>,
    withdraw: Option<(WithdrawForm, FieldErrors)>,
}

async fn load_membership(state: &AppState, body: &Body, id: &str) -> Result<MembershipRow> {
    let id = parse_id(id)?;
    queries::membership(&state.db, id)
        .await?
        .filter(|m| m.body_id == body.id)
        .ok_or(AppError::NotFound)
}

async fn membership_page(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    m: MembershipRow,
    notice: Option<&'static str>,
    edits: MembershipEdits,
) -> Result<MembershipPage> {
    let version = m.version.to_string();
    let (end, end_errors) = edits.end.unwrap_or_else(|| {
        (
            EndForm {
                valid_until: String::new(),
                version: version.clone(),
            },
            FieldErrors::default(),
        )
    });
    let (correct, correct_errors) = edits
        .correct
        .unwrap_or_else(|| (MembershipForm::from_row(&m), FieldErrors::default()));
    let (withdraw, withdraw_errors) = edits.withdraw.unwrap_or_else(|| {
        (
            WithdrawForm {
                note: String::new(),
                version,
            },
            FieldErrors::default(),
        )
    });
    let corrects = match m.corrects_id {
        Some(id) => queries::membership(&state.db, id).await?,
        None => None,
    };
    Ok(MembershipPage {
        corrections: queries::corrections_of(&state.db, m.id).await?,
        corrects,
        choices: Choices::load(state, body.id).await?,
        ctx,
        body,
        m,
        end,
        end_errors,
        correct,
        correct_errors,
        withdraw,
        withdraw_errors,
        notice,
        roles: MembershipRole::ALL,
        sides: Side::ALL,
    })
}

pub async fn show_membership(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<EditorQuery>,
) -> Result<Response> {
    let body = body(&state, &slug).await?;
    let m = load_membership(&state, &body, &id).await?;
    let edits = MembershipEdits {
        end: None,
        correct: None,
        withdraw: None,
    };
    let page = membership_page(
        ctx,
        &state,
        body,
        m,
        notice_text(q.melding.as_deref()),
        edits,
    )
    .await?;
    Ok(page::render(&page))
}

async fn membership_again(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    m: MembershipRow,
    status: StatusCode,
    edits: MembershipEdits,
) -> Result<Response> {
    let page = membership_page(ctx, state, body, m, None, edits).await?;
    Ok((status, page::render(&page)).into_response())
}

fn to_membership(slug: &str, id: i64, melding: &str) -> Response {
    Redirect::to(&format!(
        "/beheer/organen/{slug}/mandaten/{id}?melding={melding}"
    ))
    .into_response()
}

/// A member leaves: the last day of the mandate is set, once.
pub async fn end_membership(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<EndForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let m = load_membership(&state, &body, &id).await?;
    let mut e = FieldErrors::default();
    let until = date(&mut e, "valid_until", &form.valid_until, true);
    if let Some(u) = until
        && u < m.valid_from
    {
        e.add(
            "valid_until",
            format!(
                "Het mandaat begon op {}: de laatste dag kan niet vroeger vallen.",
                dutch::nl_date(m.valid_from)
            ),
        );
    }
    if !m.counts() {
        e.add(
            "valid_until",
            "Dit mandaat is ingetrokken en telt niet meer mee.",
        );
    } else if let Some(u) = m.valid_until {
        e.add(
            "valid_until",
            format!(
                "Dit mandaat eindigt al op {}. Is die datum fout, gebruik dan een correctie.",
                dutch::nl_date(u)
            ),
        );
    }
    let Some(until) = until.filter(|_| e.is_empty()) else {
        let edits = MembershipEdits {
            end: Some((form, e)),
            correct: None,
            withdraw: None,
        };
        return membership_again(
            ctx,
            &state,
            body,
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
            edits,
        )
        .await;
    };
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !queries::end_membership(&mut tx, m.id, seen, until).await? {
        let mut e = FieldErrors::default();
        e.add("valid_until", CONFLICT);
        let edits = MembershipEdits {
            end: Some((form, e)),
            correct: None,
            withdraw: None,
        };
        return membership_again(ctx, &state, body, m, StatusCode::CONFLICT, edits).await;
    }
    let after = queries::membership(&mut *tx, m.id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "end",
        "membership",
        Some(m.id.to_string()),
        Some(m.snapshot()),
        after.map(|a| a.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(to_membership(&body.slug, m.id, "einde"))
}

/// A mistake corrected: the membership stops counting and a new one, which
/// names it and says why, takes its place.
pub async fn correct_membership(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<MembershipForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let m = load_membership(&state, &body, &id).await?;
    let choices = Choices::load(&state, body.id).await?;
    let parsed = form.parse(body.id, &choices, Some(&m)).and_then(|v| {
        if m.counts() {
            Ok(v)
        } else {
            let mut e = FieldErrors::default();
            e.add(
                "form",
                "Dit mandaat telt al niet meer mee: corrigeer de correctie ervan.",
            );
            Err(e)
        }
    });
    let new = match parsed {
        Ok((new, _)) => new,
        Err(e) => {
            let edits = MembershipEdits {
                end: None,
                correct: Some((form, e)),
                withdraw: None,
            };
            return membership_again(
                ctx,
                &state,
                body,
                m,
                StatusCode::UNPROCESSABLE_ENTITY,
                edits,
            )
            .await;
        }
    };
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    queries::lock_body(&mut tx, body.id).await?;
    if !queries::supersede(
        &mut tx,
        m.id,
        seen,
        actor,
        &format!("Gecorrigeerd: {}", new.note),
    )
    .await?
    {
        let mut e = FieldErrors::default();
        e.add("form", CONFLICT);
        let edits = MembershipEdits {
            end: None,
            correct: Some((form, e)),
            withdraw: None,
        };
        return membership_again(ctx, &state, body, m, StatusCode::CONFLICT, edits).await;
    }
    let new_id = match queries::insert_membership(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if violated_constraint(&e) == Some("membership_no_overlap") => {
            let mut e = FieldErrors::default();
            e.add("valid_from", OVERLAP);
            let edits = MembershipEdits {
                end: None,
                correct: Some((form, e)),
                withdraw: None,
            };
            return membership_again(
                ctx,
                &state,
                body,
                m,
                StatusCode::UNPROCESSABLE_ENTITY,
                edits,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let repointed = queries::repoint_substitutes(&mut tx, m.id, new_id).await?;
    let after = queries::membership(&mut *tx, new_id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "correct",
        "membership",
        Some(m.id.to_string()),
        Some(m.snapshot()),
        Some(json!({ "correction": after.map(|a| a.snapshot()), "substitutes_repointed": repointed })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_membership(&body.slug, new_id, "correctie"))
}

/// A mandate recorded by mistake, with nothing to put in its place.
pub async fn withdraw_membership(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let body = body(&state, &slug).await?;
    let m = load_membership(&state, &body, &id).await?;
    let mut e = FieldErrors::default();
    let note = text(
        &mut e,
        "note",
        &form.note,
        MAX_NOTE,
        Some("Schrijf waarom dit mandaat wordt ingetrokken; de nota blijft zichtbaar."),
    );
    if !m.counts() {
        e.add("note", "Dit mandaat is al ingetrokken of gecorrigeerd.");
    }
    if !e.is_empty() {
        let edits = MembershipEdits {
            end: None,
            correct: None,
            withdraw: Some((form, e)),
        };
        return membership_again(
            ctx,
            &state,
            body,
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
            edits,
        )
        .await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !queries::supersede(&mut tx, m.id, seen, actor, &note).await? {
        let mut e = FieldErrors::default();
        e.add("note", CONFLICT);
        let edits = MembershipEdits {
            end: None,
            correct: None,
            withdraw: Some((form, e)),
        };
        return membership_again(ctx, &state, body, m, StatusCode::CONFLICT, edits).await;
    }
    let after = queries::membership(&mut *tx, m.id).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "withdraw",
        "membership",
        Some(m.id.to_string()),
        Some(m.snapshot()),
        after.map(|a| a.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(to_membership(&body.slug, m.id, "ingetrokken"))
}
