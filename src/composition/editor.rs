//! The secretariat's composition editor: new mandates, departures,
//! substitutes, a change of chair, a new government, corrections, and the
//! seat rules. The handlers read the forms; what they change is done by the
//! area's operations (`operations.rs`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use time::Date;

use super::forms::{IdErrors, Picks};
use super::operations::{self, GovChange};
use super::queries::{
    self, Body, Choice, MembershipRole, MembershipRow, NewMembership, OrganisationKind, Seat,
    SeatRule, Side,
};
use super::{body, rules};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::write;
use crate::base::{AppState, Check, FieldErrors, PageCtx, Pager, Version, dutch, page};
use crate::cache::stored::{Days, Kind};

const MAX_TEXT: usize = 300;
const MAX_NOTE: usize = 2000;
/// Rows on the "new government" form: the four VESOC ministers and room
/// for cabinet representatives.
pub const GOV_ROWS: usize = 8;

/// What the editor's select lists offer.
pub struct Choices {
    pub people: Vec<Choice>,
    pub organisations: Vec<Choice>,
    /// Memberships of the body that count, for substitutes and replacements.
    pub counting: Vec<MembershipRow>,
    pub government: Option<i64>,
    /// Each organisation's kind, which decides the side where it can.
    pub kinds: Vec<(i64, OrganisationKind)>,
}

impl Choices {
    async fn load(state: &AppState, body_id: i64) -> Result<Choices> {
        Ok(Choices {
            people: queries::person_choices(&state.db).await?,
            organisations: queries::organisation_choices(&state.db).await?,
            counting: queries::counting_memberships(&state.db, body_id).await?,
            government: queries::government_organisation(&state.db).await?,
            kinds: queries::organisation_kinds(&state.db).await?,
        })
    }

    fn person_ids(&self) -> Vec<i64> {
        self.people.iter().map(|c| c.id).collect()
    }

    fn organisation_ids(&self) -> Vec<i64> {
        self.organisations.iter().map(|c| c.id).collect()
    }

    /// The side the organisation's kind decides, if it does.
    fn side_of(&self, organisation: i64) -> Option<Side> {
        self.kinds
            .iter()
            .find(|(id, _)| *id == organisation)
            .and_then(|(_, kind)| kind.side())
    }

    fn counting(&self, id: i64) -> Option<&MembershipRow> {
        self.counting.iter().find(|m| m.id == id)
    }
}

/// The membership form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MembershipForm {
    pub person_id: String,
    pub organisation_id: String,
    pub role: String,
    pub side: String,
    pub function_title: String,
    pub valid_from: String,
    pub valid_until: String,
    pub substitute_for_id: String,
    pub replaces_id: String,
    pub note: String,
    pub version: Version,
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
            version: Version(m.version),
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
        let mut check = Check::default();
        let c = &mut check;
        let person = c.pick(
            "person_id",
            &self.person_id,
            &choices.person_ids(),
            Some("Kies een persoon."),
        );
        let organisation = c.pick(
            "organisation_id",
            &self.organisation_id,
            &choices.organisation_ids(),
            Some("Kies de organisatie die deze persoon vertegenwoordigt."),
        );
        let role = c.choice::<MembershipRole>("role", &self.role, "Kies een rol.");
        // No side chosen: the organisation's kind decides it where it can;
        // a side chosen overrides it.
        let side = if self.side.trim().is_empty() {
            match organisation.map(|o| choices.side_of(o)) {
                Some(Some(side)) => Some(side),
                Some(None) => {
                    c.add(
                        "side",
                        "De soort van deze organisatie bepaalt de zijde niet: kies een zijde.",
                    );
                    None
                }
                None => None,
            }
        } else {
            c.choice::<Side>("side", &self.side, "Kies een zijde.")
        };
        let title = c.optional_text("function_title", &self.function_title, MAX_TEXT);
        let from = c.date("valid_from", &self.valid_from);
        let until = c.optional_date("valid_until", &self.valid_until).flatten();
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            c.add("valid_until", "De einddatum valt vóór de begindatum.");
        }
        let counting_ids: Vec<i64> = choices
            .counting
            .iter()
            .filter(|m| Some(m.id) != correcting.map(|c| c.id))
            .map(|m| m.id)
            .collect();
        let substitute_for = c.pick(
            "substitute_for_id",
            &self.substitute_for_id,
            &counting_ids,
            None,
        );
        // A field keeps its first message: a bad pick above stays.
        match (role, substitute_for) {
            (Some(MembershipRole::Substitute), None) => c.add(
                "substitute_for_id",
                "Een plaatsvervanger vervangt iemand: kies wie.",
            ),
            (Some(r), Some(_)) if r != MembershipRole::Substitute => c.add(
                "substitute_for_id",
                "Alleen een plaatsvervanger vervangt iemand. Kies de rol plaatsvervanger of laat dit veld leeg.",
            ),
            _ => {}
        }
        let replaces = if correcting.is_some() {
            None
        } else {
            c.pick("replaces_id", &self.replaces_id, &counting_ids, None)
                .and_then(|id| choices.counting(id).cloned())
        };
        if let (Some(r), Some(f)) = (&replaces, from) {
            if r.valid_from >= f {
                c.add(
                    "replaces_id",
                    "Het mandaat dat u vervangt begint niet vóór het nieuwe: kies een latere begindatum.",
                );
            } else if r
                .valid_until
                .is_some_and(|u| u < f.previous_day().unwrap_or(f))
            {
                c.add(
                    "replaces_id",
                    "Het mandaat dat u vervangt liep al af vóór de begindatum van het nieuwe.",
                );
            }
        }
        let note = match correcting {
            Some(_) => c.text(
                "note",
                &self.note,
                MAX_NOTE,
                "Schrijf waarom u dit mandaat corrigeert; de nota blijft zichtbaar.",
            ),
            None => c.optional_text("note", &self.note, MAX_NOTE),
        };
        let new = match (person, organisation, role, side, from) {
            (Some(person_id), Some(organisation_id), Some(role), Some(side), Some(valid_from)) => {
                Some(NewMembership {
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
                })
            }
            _ => None,
        };
        check.finish(new.map(|new| (new, replaces)))
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
        let mut check = Check::default();
        let c = &mut check;
        let on = c.date("date", &self.date);
        let organisation = c.pick(
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
            let person = c.pick(
                GOV_PERSON[i],
                &row.person_id,
                &people,
                Some("Kies een persoon of maak de rij leeg."),
            );
            let role = MembershipRole::parse(row.role.trim()).filter(|r| GOV_ROLES.contains(r));
            if role.is_none() {
                c.add(GOV_ROLE[i], "Kies een rol.");
            }
            let title = c.optional_text(GOV_TITLE[i], &row.function_title, MAX_TEXT);
            if let (Some(p), Some(r)) = (person, role) {
                if members.iter().any(|(q, s, _)| *q == p && *s == r) {
                    c.add(
                        GOV_PERSON[i],
                        "Deze persoon staat al met dezelfde rol op de lijst.",
                    );
                }
                members.push((p, r, (!title.is_empty()).then_some(title)));
            }
        }
        if members.is_empty() && c.is_ok() {
            c.add(
                GOV_PERSON[0],
                "Vul minstens één lid van de nieuwe regering in.",
            );
        }
        let change = on.zip(organisation).map(|(on, organisation_id)| GovChange {
            on,
            organisation_id,
            members,
        });
        check.finish(change)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub seat_count: String,
    pub label: String,
    pub version: Version,
}

impl RuleForm {
    fn parse(&self) -> std::result::Result<(Option<i32>, String), FieldErrors> {
        let mut check = Check::default();
        let label = check.text("label", &self.label, MAX_TEXT, "Vul een omschrijving in.");
        let count = self.seat_count.trim();
        let seat_count = if count.is_empty() {
            Some(None)
        } else {
            match count.parse::<i32>() {
                Ok(n) if (1..=500).contains(&n) => Some(Some(n)),
                _ => {
                    check.add("seat_count", "Vul een aantal zetels in tussen 1 en 500, of laat het veld leeg als de bronnen geen aantal geven.");
                    None
                }
            }
        };
        check.finish(seat_count.map(|n| (n, label)))
    }
}

#[derive(Debug, Deserialize)]
pub struct EditorQuery {
    op: Option<String>,
    melding: Option<String>,
    /// The mandate just added, to warn of earlier ones left running.
    nieuw: Option<String>,
    /// A person just added in the register, to preselect on the new mandate.
    persoon: Option<String>,
    /// The page of the mandates' history.
    pagina: Option<String>,
}

/// Mandates per page of the editor's history, newest first.
const HISTORY_PAGE: usize = 100;

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

/// The parts of the editor, each on its own page: (path after the body's,
/// label). The sub-navigation (`editor_base.html`) lists them.
pub const PARTS: [(&str, &str); 4] = [
    ("", "Huidige leden"),
    ("/mandaten/nieuw", "Nieuw mandaat"),
    ("/regeringswissel", "Nieuwe regering"),
    ("/zetels", "Samenstellingsregels"),
];

/// The editor's first part: who sits on a date, the checks, and every
/// mandate of the body.
#[derive(Template)]
#[template(path = "composition/editor.html")]
struct EditorPage<'a> {
    ctx: PageCtx,
    body: &'a Body,
    part: &'static str,
    notice: Option<&'static str>,
    /// Earlier mandates the one just added leaves running without an end.
    still_open: Vec<MembershipRow>,
    added: Option<MembershipRow>,
    on: Date,
    date_input: String,
    date_error: Option<String>,
    warnings: &'a [String],
    seats: &'a page::Rendered,
    /// The page of the history shown, and where it is in the whole.
    history: &'a page::Rendered,
    pager: Pager,
}

/// Who sits on the date, as `composition/editor_seats.html` writes them.
#[derive(Template)]
#[template(path = "composition/editor_seats.html")]
struct SeatRows<'a> {
    slug: &'a str,
    seats: &'a [Seat],
}

/// A page of the history, as `composition/editor_history.html` writes it.
#[derive(Template)]
#[template(path = "composition/editor_history.html")]
struct HistoryRows<'a> {
    slug: &'a str,
    history: &'a [MembershipRow],
}

/// What the editor's first part shows of a body on a date, read once per
/// change and stored (`EDITOR`) for all the days the composition stays the
/// same: the seats, their warnings and a page of the history (a thousand
/// mandates in the generated history: decoding them all to show a hundred
/// was most of a request). The seats and the history are kept as their
/// table rows, rendered when the model is built: they are pictures of the
/// rows alone (links, no forms), the same for every reader of the editor.
#[derive(Serialize, Deserialize)]
struct EditorView {
    body: Body,
    warnings: Vec<String>,
    seats: page::Rendered,
    /// The page of the history shown (the last when a later one was asked
    /// for), its mandates' rows, and how many the body has had.
    page: usize,
    history: page::Rendered,
    history_total: usize,
}

/// The composition editor's read model, per body, page of the history and
/// period; the body itself with it (one read, not two).
pub static EDITOR: Kind = Kind {
    name: "composition editor",
    tables: &["body", "membership", "organisation", "person", "seat_rule"],
    clock: false,
    // Dates and page numbers are typed by the reader.
    most: Some(500),
};

impl EditorPage<'_> {
    fn on_label(&self) -> String {
        dutch::nl_date(self.on)
    }

    /// Page `n` of the history, for the same date.
    fn history_link(&self, n: usize) -> String {
        format!(
            "/beheer/organen/{}?op={}&pagina={n}#geschiedenis",
            self.body.slug,
            dutch::iso_date(self.on)
        )
    }
}

/// A new mandate.
#[derive(Template)]
#[template(path = "composition/editor_mandate.html")]
struct MandatePage {
    ctx: PageCtx,
    body: Body,
    part: &'static str,
    notice: Option<&'static str>,
    choices: Choices,
    member: MembershipForm,
    member_errors: IdErrors,
    roles: [MembershipRole; 6],
    sides: [Side; 4],
}

impl Picks for MandatePage {}

impl MandatePage {
    /// Where the register's "new person" comes back to.
    fn new_person_href(&self) -> String {
        format!(
            "/beheer/personen/nieuw?terug=/beheer/organen/{}/mandaten/nieuw",
            self.body.slug
        )
    }
}

/// A new government.
#[derive(Template)]
#[template(path = "composition/editor_government.html")]
struct GovernmentPage {
    ctx: PageCtx,
    body: Body,
    part: &'static str,
    notice: Option<&'static str>,
    choices: Choices,
    gov: GovForm,
    gov_errors: IdErrors,
    gov_roles: [MembershipRole; 3],
}

impl Picks for GovernmentPage {}

/// The seat rules.
#[derive(Template)]
#[template(path = "composition/editor_rules.html")]
struct RulesPage {
    ctx: PageCtx,
    body: Body,
    part: &'static str,
    notice: Option<&'static str>,
    rules: Vec<SeatRule>,
    rule_edit: Option<(i64, RuleForm, FieldErrors)>,
}

impl RulesPage {
    fn rule_value(&self, r: &SeatRule, field: &str) -> String {
        match &self.rule_edit {
            Some((id, form, _)) if *id == r.id => match field {
                "seat_count" => form.seat_count.clone(),
                "label" => form.label.clone(),
                _ => form.version.to_string(),
            },
            _ => match field {
                "seat_count" => r.seat_count.map(|c| c.to_string()).unwrap_or_default(),
                "label" => r.label.clone(),
                _ => r.version.to_string(),
            },
        }
    }

    /// The messages of one rule's form, by its ids ("r2-seat_count").
    fn rule_errors(&self, r: &SeatRule) -> IdErrors {
        match &self.rule_edit {
            Some((id, _, errors)) if *id == r.id => IdErrors::new(&format!("r{id}-"), errors),
            _ => IdErrors::default(),
        }
    }
}

/// The mandates of the body that `added` may have been meant to replace but
/// that still run without an end: the same seat (organisation, side and
/// role), begun earlier.
fn left_running(added: &MembershipRow, counting: &[MembershipRow]) -> Vec<MembershipRow> {
    if !added.counts() || !added.role.holds_seat() {
        return Vec::new();
    }
    counting
        .iter()
        .filter(|m| {
            m.id != added.id
                && m.organisation_id == added.organisation_id
                && m.side == added.side
                && m.role == added.role
                && m.valid_until.is_none()
                && m.valid_from < added.valid_from
        })
        .cloned()
        .collect()
}

pub async fn editor(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<EditorQuery>,
) -> Result<Response> {
    let today = dutch::today();
    let requested = q.op.as_deref().map(str::trim).filter(|s| !s.is_empty());
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
    let asked = Pager::asked(q.pagina.as_deref());
    let read = async {
        // The body with the rest: an unknown one is "not found", not stored.
        let body = super::body(&state, &slug).await?;
        let rule_list = queries::seat_rules(&state.db, body.id).await?;
        let seats = queries::composition_on(&state.db, body.id, on).await?;
        let (from, until) = queries::unchanged_around(&state.db, body.id, on).await?;
        let days = Days {
            from: from.unwrap_or(Days::ALL.from),
            until: until.unwrap_or(Days::ALL.until),
        };
        let history = queries::memberships_of_body(&state.db, body.id).await?;
        let pager = Pager::at(asked, HISTORY_PAGE, history.len());
        let view = EditorView {
            warnings: rules::warnings(&rule_list, &seats),
            seats: page::Rendered::of(&SeatRows {
                slug: &body.slug,
                seats: &seats,
            })?,
            page: pager.page,
            history_total: history.len(),
            history: page::Rendered::of(&HistoryRows {
                slug: &body.slug,
                history: &history[pager.range()],
            })?,
            body,
        };
        Ok::<_, AppError>((view, days))
    };
    let view = state
        .cache
        .stored_on(&state.db, &EDITOR, format!("{slug} {asked}"), on, read)
        .await?;
    let body = &view.body;
    // The mandate just added, if the link names one of this body.
    let added = match q
        .nieuw
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        Some(id) => queries::membership(&state.db, id)
            .await?
            .filter(|m| m.body_id == body.id),
        None => None,
    };
    let still_open = match &added {
        Some(m) => left_running(m, &queries::counting_memberships(&state.db, body.id).await?),
        None => Vec::new(),
    };
    let pager = Pager::at(view.page, HISTORY_PAGE, view.history_total);
    let page = EditorPage {
        date_input: match (&date_error, requested) {
            (Some(_), Some(s)) => s.to_string(),
            _ => dutch::iso_date(on),
        },
        warnings: &view.warnings,
        history: &view.history,
        pager,
        seats: &view.seats,
        on,
        date_error,
        notice: notice_text(q.melding.as_deref()),
        still_open,
        added,
        ctx,
        body,
        part: PARTS[0].0,
    };
    let status = if page.date_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, page::render(&page)).into_response())
}

async fn mandate_page(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    member: MembershipForm,
    errors: FieldErrors,
) -> Result<MandatePage> {
    let choices = Choices::load(state, body.id).await?;
    Ok(MandatePage {
        ctx,
        body,
        part: PARTS[1].0,
        notice: None,
        choices,
        member,
        member_errors: IdErrors::new("m-", &errors),
        roles: MembershipRole::ALL,
        sides: Side::ALL,
    })
}

/// The form for a new mandate; `persoon` (a person's slug, as the register
/// sends it back) is preselected.
pub async fn new_membership(on: On<Body>, Query(q): Query<EditorQuery>) -> Result<Response> {
    let (ctx, state, body) = (on.ctx, on.state, on.record);
    let mut member = MembershipForm {
        valid_from: dutch::iso_date(dutch::today()),
        ..MembershipForm::default()
    };
    if let Some(person) = q.persoon.as_deref().filter(|s| !s.is_empty())
        && let Some(p) = queries::person_by_slug(&state.db, person, dutch::today()).await?
    {
        member.person_id = p.id.to_string();
    }
    let mut page = mandate_page(ctx, &state, body, member, FieldErrors::default()).await?;
    page.notice = notice_text(q.melding.as_deref());
    Ok(page::render(&page))
}

fn government_page(
    ctx: PageCtx,
    body: Body,
    choices: Choices,
    gov: Option<GovForm>,
    errors: FieldErrors,
) -> GovernmentPage {
    GovernmentPage {
        gov: gov.unwrap_or_else(|| GovForm::empty(choices.government)),
        gov_errors: IdErrors::new("g-", &errors),
        choices,
        ctx,
        body,
        part: PARTS[2].0,
        notice: None,
        gov_roles: GOV_ROLES,
    }
}

pub async fn government_form(on: On<Body>) -> Result<Response> {
    let choices = Choices::load(&on.state, on.record.id).await?;
    let page = government_page(on.ctx, on.record, choices, None, FieldErrors::default());
    Ok(page::render(&page))
}

async fn rules_page(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    notice: Option<&'static str>,
    rule_edit: Option<(i64, RuleForm, FieldErrors)>,
) -> Result<RulesPage> {
    Ok(RulesPage {
        rules: queries::seat_rules(&state.db, body.id).await?,
        ctx,
        body,
        part: PARTS[3].0,
        notice,
        rule_edit,
    })
}

pub async fn rules_form(on: On<Body>, Query(q): Query<EditorQuery>) -> Result<Response> {
    let notice = notice_text(q.melding.as_deref());
    let page = rules_page(on.ctx, &on.state, on.record, notice, None).await?;
    Ok(page::render(&page))
}

/// A new mandate: a member taking a seat, a substitute, a new chair; when it
/// replaces a running mandate, that one ends the day before. Saved, the
/// editor shows it, and warns of a mandate of the same seat left running.
pub async fn add_membership(on: On<Body>, Form(form): Form<MembershipForm>) -> Result<Response> {
    let (ctx, actor, state, body) = (on.ctx, on.actor, on.state, on.record);
    let choices = Choices::load(&state, body.id).await?;
    let outcome = write::run_form(
        &state.db,
        form.parse(body.id, &choices, None),
        async |tx, (new, replaces)| {
            operations::add_membership(tx, actor.id, &new, replaces.as_ref()).await
        },
    )
    .await?;
    match outcome.settle(write::stale_errors("het mandaat dat u vervangt")) {
        Ok(id) => Ok(Redirect::to(&format!(
            "/beheer/organen/{}?melding=mandaat&nieuw={id}",
            body.slug
        ))
        .into_response()),
        Err((status, errors)) => {
            let page = mandate_page(ctx, &state, body, form, errors).await?;
            Ok((status, page::render(&page)).into_response())
        }
    }
}

/// A new government takes office on a date: every government-side mandate
/// of the body still running ends the day before, and the new ones start.
pub async fn government_change(
    on: On<Body>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let (ctx, actor, state, body) = (on.ctx, on.actor, on.state, on.record);
    let form = GovForm::from_pairs(&pairs);
    let choices = Choices::load(&state, body.id).await?;
    let outcome = write::run_form(&state.db, form.parse(&choices), async |tx, change| {
        operations::government_change(tx, actor.id, body.id, &change).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze samenstelling")) {
        Ok(()) => Ok(
            Redirect::to(&format!("/beheer/organen/{}?melding=regering", body.slug))
                .into_response(),
        ),
        Err((status, errors)) => {
            let page = government_page(ctx, body, choices, Some(form), errors);
            Ok((status, page::render(&page)).into_response())
        }
    }
}

pub async fn update_rule(
    on: On<Body>,
    Path((_, rule)): Path<(String, String)>,
    Form(form): Form<RuleForm>,
) -> Result<Response> {
    let (ctx, actor, state, body) = (on.ctx, on.actor, on.state, on.record);
    let rule_id = parse_id(&rule)?;
    let rules = queries::seat_rules(&state.db, body.id).await?;
    let before = rules
        .iter()
        .find(|r| r.id == rule_id)
        .ok_or(AppError::NotFound)?;
    let outcome = write::run_form(&state.db, form.parse(), async |tx, (seat_count, label)| {
        operations::update_rule(tx, actor.id, before, form.version, seat_count, &label).await
    })
    .await?;
    match outcome.settle(write::stale_errors_on("label", "deze regel")) {
        Ok(()) => Ok(Redirect::to(&format!(
            "/beheer/organen/{}/zetels?melding=regel",
            body.slug
        ))
        .into_response()),
        Err((status, errors)) => {
            let edit = Some((rule_id, form, errors));
            let page = rules_page(ctx, &state, body, None, edit).await?;
            Ok((status, page::render(&page)).into_response())
        }
    }
}

// ---------------------------------------------------------------------------
// One membership: end, correct, withdraw
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EndForm {
    pub valid_until: String,
    pub version: Version,
}

impl EndForm {
    /// The last day, checked against the mandate as it is.
    fn parse(&self, m: &MembershipRow) -> std::result::Result<Date, FieldErrors> {
        let mut check = Check::default();
        let until = check.date("valid_until", &self.valid_until);
        if let Some(u) = until
            && u < m.valid_from
        {
            check.add(
                "valid_until",
                format!(
                    "Het mandaat begon op {}: de laatste dag kan niet vroeger vallen.",
                    dutch::nl_date(m.valid_from)
                ),
            );
        }
        if !m.counts() {
            check.add(
                "valid_until",
                "Dit mandaat is ingetrokken en telt niet meer mee.",
            );
        } else if let Some(u) = m.valid_until {
            check.add(
                "valid_until",
                format!(
                    "Dit mandaat eindigt al op {}. Is die datum fout, gebruik dan een correctie.",
                    dutch::nl_date(u)
                ),
            );
        }
        check.finish(until)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    pub note: String,
    pub version: Version,
}

impl WithdrawForm {
    fn parse(&self, m: &MembershipRow) -> std::result::Result<String, FieldErrors> {
        let mut check = Check::default();
        let note = check.text(
            "note",
            &self.note,
            MAX_NOTE,
            "Schrijf waarom dit mandaat wordt ingetrokken; de nota blijft zichtbaar.",
        );
        if !m.counts() {
            check.add("note", "Dit mandaat is al ingetrokken of gecorrigeerd.");
        }
        check.finish(Some(note))
    }
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
    end_errors: IdErrors,
    correct: MembershipForm,
    correct_errors: IdErrors,
    withdraw: WithdrawForm,
    withdraw_errors: IdErrors,
    notice: Option<&'static str>,
    roles: [MembershipRole; 6],
    sides: [Side; 4],
}

impl Picks for MembershipPage {}

/// The form of the membership page shown again, as typed, with why it was
/// refused.
#[derive(Default)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per request, built to render a page"
)]
enum MembershipEdit {
    #[default]
    None,
    End(EndForm, FieldErrors),
    Correct(MembershipForm, FieldErrors),
    Withdraw(WithdrawForm, FieldErrors),
}

/// A mandate as its path names it: the body, and the membership of it.
pub struct Mandate {
    body: Body,
    m: MembershipRow,
}

impl Named for Mandate {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        let body = body(state, param(path, 0)).await?;
        let m = queries::membership(&state.db, parse_id(param(path, 1))?)
            .await?
            .filter(|m| m.body_id == body.id)
            .ok_or(AppError::NotFound)?;
        Ok(Mandate { body, m })
    }
}

async fn membership_page(
    ctx: PageCtx,
    state: &AppState,
    body: Body,
    m: MembershipRow,
    notice: Option<&'static str>,
    edit: MembershipEdit,
) -> Result<MembershipPage> {
    let version = Version(m.version);
    let none = FieldErrors::default;
    let (mut end, mut end_errors) = (
        EndForm {
            version,
            ..EndForm::default()
        },
        none(),
    );
    let (mut correct, mut correct_errors) = (MembershipForm::from_row(&m), none());
    let withdraw = WithdrawForm {
        version,
        ..WithdrawForm::default()
    };
    let (mut withdraw, mut withdraw_errors) = (withdraw, none());
    match edit {
        MembershipEdit::None => {}
        MembershipEdit::End(form, errors) => (end, end_errors) = (form, errors),
        MembershipEdit::Correct(form, errors) => (correct, correct_errors) = (form, errors),
        MembershipEdit::Withdraw(form, errors) => (withdraw, withdraw_errors) = (form, errors),
    }
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
        end_errors: IdErrors::new("e-", &end_errors),
        correct,
        correct_errors: IdErrors::new("c-", &correct_errors),
        withdraw,
        withdraw_errors: IdErrors::new("w-", &withdraw_errors),
        notice,
        roles: MembershipRole::ALL,
        sides: Side::ALL,
    })
}

pub async fn show_membership(on: On<Mandate>, Query(q): Query<EditorQuery>) -> Result<Response> {
    let notice = notice_text(q.melding.as_deref());
    let Mandate { body, m } = on.record;
    let page = membership_page(on.ctx, &on.state, body, m, notice, MembershipEdit::None).await?;
    Ok(page::render(&page))
}

impl On<Mandate> {
    /// After a write on the membership page: to the membership it left
    /// (with the notice `melding`), or the page again with the form as typed.
    async fn settled(
        self,
        settled: std::result::Result<i64, (StatusCode, FieldErrors)>,
        melding: &str,
        edit: impl FnOnce(FieldErrors) -> MembershipEdit,
    ) -> Result<Response> {
        let Mandate { body, m } = self.record;
        match settled {
            Ok(id) => Ok(Redirect::to(&format!(
                "/beheer/organen/{}/mandaten/{id}?melding={melding}",
                body.slug
            ))
            .into_response()),
            Err((status, errors)) => {
                let page = membership_page(self.ctx, &self.state, body, m, None, edit(errors));
                Ok((status, page::render(&page.await?)).into_response())
            }
        }
    }
}

/// A member leaves: the last day of the mandate is set, once.
pub async fn end_membership(on: On<Mandate>, Form(form): Form<EndForm>) -> Result<Response> {
    let m = &on.record.m;
    let outcome = write::run_form(&on.state.db, form.parse(m), async |tx, until| {
        operations::end_membership(tx, on.actor.id, m, form.version, until).await
    })
    .await?;
    let stale = write::stale_errors_on("valid_until", "dit mandaat");
    let settled = outcome.settle(stale).map(|()| m.id);
    on.settled(settled, "einde", |errors| MembershipEdit::End(form, errors))
        .await
}

/// A mistake corrected: the membership stops counting and a new one, which
/// names it and says why, takes its place.
pub async fn correct_membership(
    on: On<Mandate>,
    Form(form): Form<MembershipForm>,
) -> Result<Response> {
    let Mandate { body, m } = &on.record;
    let choices = Choices::load(&on.state, body.id).await?;
    let parsed = form.parse(body.id, &choices, Some(m));
    let outcome = write::run_form(&on.state.db, parsed, async |tx, (new, _)| {
        operations::correct_membership(tx, on.actor.id, m, form.version, &new).await
    })
    .await?;
    let settled = outcome.settle(write::stale_errors("dit mandaat"));
    let edit = |errors| MembershipEdit::Correct(form, errors);
    on.settled(settled, "correctie", edit).await
}

/// A mandate recorded by mistake, with nothing to put in its place.
pub async fn withdraw_membership(
    on: On<Mandate>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response> {
    let m = &on.record.m;
    let outcome = write::run_form(&on.state.db, form.parse(m), async |tx, note| {
        operations::withdraw_membership(tx, on.actor.id, m, form.version, &note).await
    })
    .await?;
    let settled = outcome
        .settle(write::stale_errors_on("note", "dit mandaat"))
        .map(|()| m.id);
    let edit = |errors| MembershipEdit::Withdraw(form, errors);
    on.settled(settled, "ingetrokken", edit).await
}
