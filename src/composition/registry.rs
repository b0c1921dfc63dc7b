//! The register the compositions draw on: people (name, public functions,
//! a minister's competences) and organisations. Secretariat only; the public
//! sees people only through their mandates and public functions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::{IdErrors, Picks};
use super::operations::{self, NewFunction};
use super::queries::{
    self, Choice, FunctionRow, OrganisationFields, OrganisationKind, OrganisationRow, PersonRow,
    PortfolioRow,
};
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::write::{self, Outcome};
use crate::base::{AppState, Check, FieldErrors, PageCtx, Version, dutch, page};
use crate::cache::stored::Kind;

pub fn routes() -> Routes {
    Routes::new()
        .get("/beheer/personen", SECRETARIAT, people)
        .get("/beheer/personen/nieuw", SECRETARIAT, new_person)
        .post("/beheer/personen", SECRETARIAT, create_person)
        .get("/beheer/personen/{person}", SECRETARIAT, show_person)
        .post("/beheer/personen/{person}", SECRETARIAT, update_person)
        .post(
            "/beheer/personen/{person}/functies",
            SECRETARIAT,
            add_function,
        )
        .post(
            "/beheer/personen/{person}/bevoegdheden",
            SECRETARIAT,
            add_competence,
        )
        .post(
            "/beheer/personen/{person}/bevoegdheden/{competence}/einde",
            SECRETARIAT,
            end_competence,
        )
        .get("/beheer/organisaties", SECRETARIAT, organisations)
        .get("/beheer/organisaties/nieuw", SECRETARIAT, new_organisation)
        .post("/beheer/organisaties", SECRETARIAT, create_organisation)
        .get(
            "/beheer/organisaties/{organisation}",
            SECRETARIAT,
            show_organisation,
        )
        .post(
            "/beheer/organisaties/{organisation}",
            SECRETARIAT,
            update_organisation,
        )
}

/// "Ann Vermorgen" → "ann-vermorgen"; accents dropped, so URLs stay plain.
pub fn slugify(s: &str) -> String {
    crate::base::dutch::slug(s, usize::MAX, "x")
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    melding: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("De gegevens zijn opgeslagen."),
        "functie" => Some("De functie is toegevoegd."),
        "bevoegdheid" => Some("De bevoegdheid is toegevoegd."),
        "bevoegdheid-einde" => Some("De bevoegdheid is beëindigd."),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "composition/people.html")]
struct PeoplePage<'a> {
    ctx: PageCtx,
    rows: &'a page::Rendered,
}

/// The register's rows, as `composition/people_rows.html` writes them:
/// links and today's functions, nothing of the request. Rendered when the
/// model is built: decoding 300 people and writing them escaped were three
/// quarters of vesoc's work for the page read cold (callgrind,
/// docs/performance.md "Session 13").
#[derive(Template)]
#[template(path = "composition/people_rows.html")]
struct PeopleRows<'a> {
    people: &'a [PersonRow],
}

/// The people register's read model: everyone with today's functions.
pub static PEOPLE: Kind = Kind {
    name: "people",
    tables: &["person", "person_function"],
    clock: false,
    most: None,
};

async fn people(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    // The functions shown are today's: the day is in the key.
    let today = dutch::today();
    let read = async {
        let people = queries::people(&state.db, today).await?;
        page::Rendered::of(&PeopleRows { people: &people })
    };
    let rows = state
        .cache
        .stored(&state.db, &PEOPLE, today.to_string(), read)
        .await?;
    Ok(page::render(&PeoplePage { ctx, rows: &rows }))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    given_name: String,
    family_name: String,
    email: String,
    version: Version,
    /// Where to go back to once the new person is saved (see `back_to`).
    terug: String,
}

/// A `terug` path that is safe to redirect to: a path on this site only
/// ("/beheer/…"), never another site ("//host", "/\\host", "https:…") nor
/// anything with spaces, control characters or a fragment.
pub fn back_to(terug: &str) -> Option<&str> {
    let t = terug.trim();
    let safe = t.starts_with('/')
        && !t.starts_with("//")
        && t.len() <= 300
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.=&?".contains(c));
    safe.then_some(t)
}

#[derive(Debug, Deserialize)]
pub struct Back {
    terug: Option<String>,
}

impl PersonForm {
    fn parse(&self) -> std::result::Result<(String, String, Option<String>), FieldErrors> {
        let mut check = Check::default();
        let given = check.text("given_name", &self.given_name, 100, "Vul een voornaam in.");
        let family = check.text(
            "family_name",
            &self.family_name,
            100,
            "Vul een familienaam in.",
        );
        // Optional; when given, an address a convocation can go to.
        let email = match self.email.trim() {
            "" => None,
            typed => match crate::mail::Recipient::new(typed, "") {
                Ok(r) => Some(r.address),
                Err(refused) => {
                    check.add("email", refused.to_string());
                    None
                }
            },
        };
        check.finish(Some((given, family, email)))
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct FunctionForm {
    title: String,
    organisation_id: String,
    valid_from: String,
    valid_until: String,
}

impl FunctionForm {
    fn parse(&self, organisations: &[Choice]) -> std::result::Result<NewFunction, FieldErrors> {
        let mut check = Check::default();
        let title = check.text(
            "title",
            &self.title,
            300,
            "Vul de functie in, zoals ze publiek vermeld wordt.",
        );
        let organisation_id = match self.organisation_id.trim() {
            "" => None,
            v => {
                let id = v
                    .parse::<i64>()
                    .ok()
                    .filter(|id| organisations.iter().any(|o| o.id == *id));
                if id.is_none() {
                    check.add("organisation_id", "Kies een organisatie uit de lijst.");
                }
                id
            }
        };
        let from = check
            .optional_date("valid_from", &self.valid_from)
            .flatten();
        let until = check
            .optional_date("valid_until", &self.valid_until)
            .flatten();
        before_end(&mut check, from, until);
        let new = NewFunction {
            organisation_id,
            title,
            valid_from: from,
            valid_until: until,
        };
        check.finish(Some(new))
    }
}

/// An end before the start is refused on the end.
fn before_end(check: &mut Check, from: Option<time::Date>, until: Option<time::Date>) {
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        check.add("valid_until", "De einddatum valt vóór de begindatum.");
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CompetenceForm {
    competence: String,
    valid_from: String,
    valid_until: String,
}

/// A competence as the form gives it: its name, from, until.
type NewCompetence = (String, time::Date, Option<time::Date>);

impl CompetenceForm {
    fn parse(&self) -> std::result::Result<NewCompetence, FieldErrors> {
        let mut check = Check::default();
        let name = check.text(
            "competence",
            &self.competence,
            200,
            "Vul een bevoegdheid in, bijvoorbeeld Werk.",
        );
        let from = check.date("valid_from", &self.valid_from);
        let until = check
            .optional_date("valid_until", &self.valid_until)
            .flatten();
        before_end(&mut check, from, until);
        check.finish(from.map(|from| (name, from, until)))
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EndCompetenceForm {
    valid_until: String,
}

impl EndCompetenceForm {
    fn parse(&self, entry: &PortfolioRow) -> std::result::Result<time::Date, FieldErrors> {
        let mut check = Check::default();
        let until = check.date("valid_until", &self.valid_until);
        before_end(&mut check, Some(entry.valid_from), until);
        if entry.valid_until.is_some() {
            check.add("valid_until", "Deze bevoegdheid heeft al een einddatum.");
        }
        check.finish(until)
    }
}

#[derive(Template)]
#[template(path = "composition/person.html")]
struct PersonPage {
    ctx: PageCtx,
    person: Option<PersonRow>,
    form: PersonForm,
    errors: FieldErrors,
    functions: Vec<FunctionRow>,
    function: FunctionForm,
    function_errors: IdErrors,
    portfolio: Vec<PortfolioRow>,
    competence: CompetenceForm,
    competence_errors: IdErrors,
    /// The message of one competence's end form, by its id ("end-3").
    end_errors: IdErrors,
    organisations: Vec<Choice>,
    competences: Vec<String>,
    notice: Option<&'static str>,
}

impl Picks for PersonPage {}

/// The form of the person page shown again, as typed, with why it was
/// refused.
#[derive(Default)]
enum PersonEdit {
    #[default]
    None,
    Person(PersonForm, FieldErrors),
    Function(FunctionForm, FieldErrors),
    Competence(CompetenceForm, FieldErrors),
    /// One competence's end form: its id and the message.
    End(i64, String),
}

async fn person_page(
    ctx: PageCtx,
    state: &AppState,
    person: Option<PersonRow>,
    notice: Option<&'static str>,
    edit: PersonEdit,
) -> Result<PersonPage> {
    let mut typed = None;
    let (mut function, mut function_errors) = (FunctionForm::default(), FieldErrors::default());
    let (mut competence, mut competence_errors) = Default::default();
    let mut end_errors = IdErrors::default();
    match edit {
        PersonEdit::None => {}
        PersonEdit::Person(form, errors) => typed = Some((form, errors)),
        PersonEdit::Function(form, errors) => (function, function_errors) = (form, errors),
        PersonEdit::Competence(form, errors) => (competence, competence_errors) = (form, errors),
        PersonEdit::End(id, message) => end_errors = IdErrors::one(format!("end-{id}"), message),
    }
    let (form, errors) = typed.unwrap_or_else(|| {
        let form = person
            .as_ref()
            .map(|p| PersonForm {
                given_name: p.given_name.clone(),
                family_name: p.family_name.clone(),
                email: p.email.clone().unwrap_or_default(),
                version: Version(p.version),
                terug: String::new(),
            })
            .unwrap_or_default();
        (form, FieldErrors::default())
    });
    let (functions, portfolio) = match &person {
        Some(p) => (
            queries::functions_of(&state.db, p.id).await?,
            queries::portfolio_of(&state.db, p.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(PersonPage {
        ctx,
        person,
        form,
        errors,
        functions,
        function,
        function_errors: IdErrors::new("f-", &function_errors),
        portfolio,
        competence,
        competence_errors: IdErrors::new("b-", &competence_errors),
        end_errors,
        organisations: queries::organisation_choices(&state.db).await?,
        competences: queries::competence_names(&state.db).await?,
        notice,
    })
}

async fn person_again(
    ctx: PageCtx,
    state: &AppState,
    person: Option<PersonRow>,
    status: StatusCode,
    edit: PersonEdit,
) -> Result<Response> {
    let page = person_page(ctx, state, person, None, edit).await?;
    Ok((status, page::render(&page)).into_response())
}

/// After a write on the person page: to the person's page (by the slug the
/// write left, with the notice `melding`), or the page again with the form
/// as typed.
async fn person_settled(
    ctx: PageCtx,
    state: &AppState,
    person: Option<PersonRow>,
    settled: std::result::Result<String, (StatusCode, FieldErrors)>,
    melding: &str,
    edit: impl FnOnce(FieldErrors) -> PersonEdit,
) -> Result<Response> {
    match settled {
        Ok(slug) => Ok(to_person(&slug, melding)),
        Err((status, errors)) => person_again(ctx, state, person, status, edit(errors)).await,
    }
}

impl Named for PersonRow {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        queries::person_by_slug(&state.db, param(path, 0), dutch::today())
            .await?
            .ok_or(AppError::NotFound)
    }
}

impl On<PersonRow> {
    /// After a write on this person's page: see [`person_settled`].
    async fn settled<T>(
        self,
        outcome: Outcome<T>,
        melding: &str,
        edit: impl FnOnce(FieldErrors) -> PersonEdit,
    ) -> Result<Response> {
        let settled = outcome
            .settle(write::stale_errors("deze persoon"))
            .map(|_| self.record.slug.clone());
        person_settled(
            self.ctx,
            &self.state,
            Some(self.record),
            settled,
            melding,
            edit,
        )
        .await
    }
}

fn to_person(slug: &str, melding: &str) -> Response {
    Redirect::to(&format!("/beheer/personen/{slug}?melding={melding}")).into_response()
}

/// The form for a new person; `terug` is a page of this site to go back to
/// once saved (the composition editor's new mandate).
async fn new_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<Back>,
) -> Result<Response> {
    let form = PersonForm {
        terug: q
            .terug
            .as_deref()
            .and_then(back_to)
            .unwrap_or_default()
            .to_string(),
        ..PersonForm::default()
    };
    let edit = PersonEdit::Person(form, FieldErrors::default());
    let page = person_page(ctx, &state, None, None, edit).await?;
    Ok(page::render(&page))
}

async fn show_person(on: On<PersonRow>, Query(q): Query<Notice>) -> Result<Response> {
    let notice = notice_text(q.melding.as_deref());
    let person = Some(on.record);
    let page = person_page(on.ctx, &on.state, person, notice, PersonEdit::None).await?;
    Ok(page::render(&page))
}

async fn create_person(on: On<()>, Form(form): Form<PersonForm>) -> Result<Response> {
    let outcome = write::run_form(
        &on.state.db,
        form.parse(),
        async |tx, (given, family, email)| {
            operations::create_person(tx, on.actor.id, &given, &family, email.as_deref()).await
        },
    )
    .await?;
    let settled = outcome.settle(write::stale_errors("deze persoon"));
    // Saved, from the editor: back there, with the new person chosen.
    if let (Ok(slug), Some(back)) = (&settled, back_to(&form.terug)) {
        let sep = if back.contains('?') { '&' } else { '?' };
        return Ok(Redirect::to(&format!("{back}{sep}persoon={slug}")).into_response());
    }
    let edit = |errors| PersonEdit::Person(form, errors);
    person_settled(on.ctx, &on.state, None, settled, "opgeslagen", edit).await
}

async fn update_person(on: On<PersonRow>, Form(form): Form<PersonForm>) -> Result<Response> {
    let outcome = write::run_form(
        &on.state.db,
        form.parse(),
        async |tx, (given, family, email)| {
            let (person, email) = (&on.record, email.as_deref());
            operations::update_person(
                tx,
                on.actor.id,
                person,
                form.version,
                &given,
                &family,
                email,
            )
            .await
        },
    )
    .await?;
    on.settled(outcome, "opgeslagen", |errors| {
        PersonEdit::Person(form, errors)
    })
    .await
}

async fn add_function(on: On<PersonRow>, Form(form): Form<FunctionForm>) -> Result<Response> {
    let organisations = queries::organisation_choices(&on.state.db).await?;
    let outcome = write::run_form(&on.state.db, form.parse(&organisations), async |tx, new| {
        operations::add_function(tx, on.actor.id, on.record.id, &new).await
    })
    .await?;
    on.settled(outcome, "functie", |errors| {
        PersonEdit::Function(form, errors)
    })
    .await
}

async fn add_competence(on: On<PersonRow>, Form(form): Form<CompetenceForm>) -> Result<Response> {
    let parsed = form.parse();
    let outcome = write::run_form(&on.state.db, parsed, async |tx, (name, from, until)| {
        operations::add_competence(tx, on.actor.id, on.record.id, &name, from, until).await
    })
    .await?;
    let edit = |errors| PersonEdit::Competence(form, errors);
    on.settled(outcome, "bevoegdheid", edit).await
}

async fn end_competence(
    on: On<PersonRow>,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<EndCompetenceForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let entry = queries::portfolio_entry(&on.state.db, on.record.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = write::run_form(&on.state.db, form.parse(&entry), async |tx, until| {
        operations::end_competence(tx, on.actor.id, &entry, until).await
    })
    .await?;
    // One line under the entry, and refused either way: the form is small.
    let message = match outcome {
        Outcome::Done(()) => return Ok(to_person(&on.record.slug, "bevoegdheid-einde")),
        Outcome::Stale => write::stale_message("deze bevoegdheid"),
        Outcome::Refused(errors) => errors
            .all()
            .first()
            .map(|(_, m)| m.clone())
            .unwrap_or_default(),
    };
    let (status, edit) = (
        StatusCode::UNPROCESSABLE_ENTITY,
        PersonEdit::End(id, message),
    );
    person_again(on.ctx, &on.state, Some(on.record), status, edit).await
}

// ---------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "composition/organisations.html")]
struct OrganisationsPage {
    ctx: PageCtx,
    organisations: Vec<OrganisationRow>,
}

async fn organisations(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let organisations = queries::organisations(&state.db).await?;
    Ok(page::render(&OrganisationsPage { ctx, organisations }))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    name: String,
    short_name: String,
    kind: String,
    website: String,
    version: Version,
}

impl OrganisationForm {
    fn from_row(o: &OrganisationRow) -> Self {
        OrganisationForm {
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            kind: o.kind.code().to_string(),
            website: o.website.clone().unwrap_or_default(),
            version: Version(o.version),
        }
    }

    fn parse(&self) -> std::result::Result<OrganisationFields, FieldErrors> {
        let mut check = Check::default();
        let name = check.text("name", &self.name, 200, "Vul de naam in.");
        let short_name = check.text(
            "short_name",
            &self.short_name,
            50,
            "Vul een korte naam in, bijvoorbeeld ACV.",
        );
        let kind = check.choice::<OrganisationKind>("kind", &self.kind, "Kies een soort.");
        let website = check.optional_text("website", &self.website, 300);
        // Only http(s): a javascript: link would run in the visitor's browser.
        let valid_url = website.starts_with("https://") || website.starts_with("http://");
        if !website.is_empty() && (!valid_url || website.contains(char::is_whitespace)) {
            check.add(
                "website",
                "Een website begint met https:// of http:// en bevat geen spaties.",
            );
        }
        let fields = kind.map(|kind| OrganisationFields {
            name,
            short_name,
            kind,
            website: (!website.is_empty()).then_some(website),
        });
        check.finish(fields)
    }
}

#[derive(Template)]
#[template(path = "composition/organisation.html")]
struct OrganisationPage {
    ctx: PageCtx,
    organisation: Option<OrganisationRow>,
    form: OrganisationForm,
    errors: FieldErrors,
    kinds: [OrganisationKind; 5],
    notice: Option<&'static str>,
}

fn organisation_page(
    ctx: PageCtx,
    organisation: Option<OrganisationRow>,
    form: OrganisationForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> OrganisationPage {
    OrganisationPage {
        ctx,
        organisation,
        form,
        errors,
        kinds: OrganisationKind::ALL,
        notice,
    }
}

/// The organisation form again, with what was typed and why it was refused.
fn organisation_again(
    ctx: PageCtx,
    organisation: Option<OrganisationRow>,
    form: OrganisationForm,
    (status, errors): (StatusCode, FieldErrors),
) -> Result<Response> {
    let page = organisation_page(ctx, organisation, form, errors, None);
    Ok((status, page::render(&page)).into_response())
}

async fn new_organisation(ctx: PageCtx) -> Result<Response> {
    Ok(page::render(&organisation_page(
        ctx,
        None,
        OrganisationForm::default(),
        FieldErrors::default(),
        None,
    )))
}

impl Named for OrganisationRow {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        let slug = param(path, 0);
        let found = queries::organisation_by_slug(&state.db, slug).await?;
        found.ok_or(AppError::NotFound)
    }
}

async fn show_organisation(on: On<OrganisationRow>, Query(q): Query<Notice>) -> Result<Response> {
    let form = OrganisationForm::from_row(&on.record);
    Ok(page::render(&organisation_page(
        on.ctx,
        Some(on.record),
        form,
        FieldErrors::default(),
        notice_text(q.melding.as_deref()),
    )))
}

fn to_organisation(slug: &str) -> Response {
    Redirect::to(&format!("/beheer/organisaties/{slug}?melding=opgeslagen")).into_response()
}

async fn create_organisation(on: On<()>, Form(form): Form<OrganisationForm>) -> Result<Response> {
    let outcome = write::run_form(&on.state.db, form.parse(), async |tx, fields| {
        operations::create_organisation(tx, on.actor.id, &fields).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze organisatie")) {
        Ok(slug) => Ok(to_organisation(&slug)),
        Err(refusal) => organisation_again(on.ctx, None, form, refusal),
    }
}

async fn update_organisation(
    on: On<OrganisationRow>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response> {
    let outcome = write::run_form(&on.state.db, form.parse(), async |tx, fields| {
        operations::update_organisation(tx, on.actor.id, &on.record, form.version, &fields).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze organisatie")) {
        Ok(()) => Ok(to_organisation(&on.record.slug)),
        Err(refusal) => organisation_again(on.ctx, Some(on.record), form, refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("Ann Vermorgen"), "ann-vermorgen");
        assert_eq!(slugify("  Sonja De Becker "), "sonja-de-becker");
        assert_eq!(slugify("Hélène D'Haese"), "helene-d-haese");
        assert_eq!(slugify("!!!"), "x");
    }
}
