//! The register the compositions draw on: people (name, public functions,
//! a minister's competences) and organisations. Secretariat only; the public
//! sees people only through their mandates and public functions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::queries::{
    self, Choice, FunctionRow, OrganisationFields, OrganisationKind, OrganisationRow, PersonRow,
    PortfolioRow, SlugTable,
};
use crate::audit;
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, dutch, page};

const CONFLICT: &str = "Iemand anders heeft dit intussen gewijzigd. Uw invoer staat hieronder; er is niets opgeslagen. Herlaad de pagina om de nieuwe versie te zien.";

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

fn actor(ctx: &PageCtx) -> Result<i64> {
    ctx.user.as_ref().map(|u| u.id).ok_or(AppError::Forbidden)
}

/// "Ann Vermorgen" → "ann-vermorgen"; accents dropped, so URLs stay plain.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "x".to_string() } else { out }
}

fn text(
    e: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        if let Some(m) = required {
            e.add(field, m);
        }
    } else if v.chars().count() > max {
        e.add(field, format!("Hoogstens {max} tekens."));
    }
    v
}

fn opt_date(
    e: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
) -> Option<time::Date> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            e.add(field, "Vul een datum in (JJJJ-MM-DD).");
        }
        return None;
    }
    let d = dutch::parse_date(v);
    if d.is_none() {
        e.add(
            field,
            format!("\u{201c}{v}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD."),
        );
    }
    d
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
struct PeoplePage {
    ctx: PageCtx,
    people: Vec<PersonRow>,
}

async fn people(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let people = queries::people(&state.db, dutch::today()).await?;
    Ok(page::render(&PeoplePage { ctx, people }))
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    version: String,
}

impl PersonForm {
    fn parse(&self) -> std::result::Result<(String, String), FieldErrors> {
        let mut e = FieldErrors::default();
        let given = text(
            &mut e,
            "given_name",
            &self.given_name,
            100,
            Some("Vul een voornaam in."),
        );
        let family = text(
            &mut e,
            "family_name",
            &self.family_name,
            100,
            Some("Vul een familienaam in."),
        );
        if e.is_empty() {
            Ok((given, family))
        } else {
            Err(e)
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct FunctionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CompetenceForm {
    #[serde(default)]
    competence: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct EndCompetenceForm {
    #[serde(default)]
    valid_until: String,
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
    function_errors: FieldErrors,
    portfolio: Vec<PortfolioRow>,
    competence: CompetenceForm,
    competence_errors: FieldErrors,
    end_error: Option<(i64, String)>,
    organisations: Vec<Choice>,
    competences: Vec<String>,
    notice: Option<&'static str>,
}

impl PersonPage {
    fn is(&self, value: &str, id: &i64) -> bool {
        value.trim() == id.to_string()
    }

    fn end_error_for(&self, id: &i64) -> Option<&str> {
        self.end_error
            .as_ref()
            .filter(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Default)]
struct PersonEdits {
    form: Option<(PersonForm, FieldErrors)>,
    function: Option<(FunctionForm, FieldErrors)>,
    competence: Option<(CompetenceForm, FieldErrors)>,
    end_error: Option<(i64, String)>,
}

async fn person_page(
    ctx: PageCtx,
    state: &AppState,
    person: Option<PersonRow>,
    notice: Option<&'static str>,
    edits: PersonEdits,
) -> Result<PersonPage> {
    let (form, errors) = edits.form.unwrap_or_else(|| {
        let form = person
            .as_ref()
            .map(|p| PersonForm {
                given_name: p.given_name.clone(),
                family_name: p.family_name.clone(),
                version: p.version.to_string(),
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
    let (function, function_errors) = edits.function.unwrap_or_default();
    let (competence, competence_errors) = edits.competence.unwrap_or_default();
    Ok(PersonPage {
        ctx,
        person,
        form,
        errors,
        functions,
        function,
        function_errors,
        portfolio,
        competence,
        competence_errors,
        end_error: edits.end_error,
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
    edits: PersonEdits,
) -> Result<Response> {
    let page = person_page(ctx, state, person, None, edits).await?;
    Ok((status, page::render(&page)).into_response())
}

async fn load_person(state: &AppState, slug: &str) -> Result<PersonRow> {
    queries::person_by_slug(&state.db, slug, dutch::today())
        .await?
        .ok_or(AppError::NotFound)
}

fn to_person(slug: &str, melding: &str) -> Response {
    Redirect::to(&format!("/beheer/personen/{slug}?melding={melding}")).into_response()
}

async fn new_person(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let page = person_page(ctx, &state, None, None, PersonEdits::default()).await?;
    Ok(page::render(&page))
}

async fn show_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let person = load_person(&state, &slug).await?;
    let page = person_page(
        ctx,
        &state,
        Some(person),
        notice_text(q.melding.as_deref()),
        PersonEdits::default(),
    )
    .await?;
    Ok(page::render(&page))
}

async fn create_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<PersonForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let (given, family) = match form.parse() {
        Ok(v) => v,
        Err(e) => {
            let edits = PersonEdits {
                form: Some((form, e)),
                ..Default::default()
            };
            return person_again(ctx, &state, None, StatusCode::UNPROCESSABLE_ENTITY, edits).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let slug = queries::free_slug(
        &mut tx,
        SlugTable::Person,
        &slugify(&format!("{given} {family}")),
    )
    .await?;
    let id = queries::create_person(&mut tx, &slug, &given, &family).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "create",
        "person",
        Some(id.to_string()),
        None,
        Some(json!({ "id": id, "slug": slug, "given_name": given, "family_name": family })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_person(&slug, "opgeslagen"))
}

async fn update_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let person = load_person(&state, &slug).await?;
    let (given, family) = match form.parse() {
        Ok(v) => v,
        Err(e) => {
            let edits = PersonEdits {
                form: Some((form, e)),
                ..Default::default()
            };
            return person_again(
                ctx,
                &state,
                Some(person),
                StatusCode::UNPROCESSABLE_ENTITY,
                edits,
            )
            .await;
        }
    };
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !queries::update_person(&mut tx, person.id, seen, &given, &family).await? {
        let mut e = FieldErrors::default();
        e.add("form", CONFLICT);
        let edits = PersonEdits {
            form: Some((form, e)),
            ..Default::default()
        };
        return person_again(ctx, &state, Some(person), StatusCode::CONFLICT, edits).await;
    }
    audit::record(
        &mut tx,
        Some(actor),
        "update",
        "person",
        Some(person.id.to_string()),
        Some(person.snapshot()),
        Some(json!({ "given_name": given, "family_name": family, "version": person.version + 1 })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_person(&person.slug, "opgeslagen"))
}

async fn add_function(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<FunctionForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let person = load_person(&state, &slug).await?;
    let mut e = FieldErrors::default();
    let title = text(
        &mut e,
        "title",
        &form.title,
        300,
        Some("Vul de functie in, zoals ze publiek vermeld wordt."),
    );
    let orgs = queries::organisation_choices(&state.db).await?;
    let organisation = match form.organisation_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) if orgs.iter().any(|o| o.id == id) => Some(id),
            _ => {
                e.add("organisation_id", "Kies een organisatie uit de lijst.");
                None
            }
        },
    };
    let from = opt_date(&mut e, "valid_from", &form.valid_from, false);
    let until = opt_date(&mut e, "valid_until", &form.valid_until, false);
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        e.add("valid_until", "De einddatum valt vóór de begindatum.");
    }
    if !e.is_empty() {
        let edits = PersonEdits {
            function: Some((form, e)),
            ..Default::default()
        };
        return person_again(
            ctx,
            &state,
            Some(person),
            StatusCode::UNPROCESSABLE_ENTITY,
            edits,
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    let id = match queries::insert_function(&mut tx, person.id, organisation, &title, from, until)
        .await
    {
        Ok(id) => id,
        Err(err)
            if violated_constraint(&err)
                == Some("person_function_person_id_title_valid_from_key") =>
        {
            let mut e = FieldErrors::default();
            e.add(
                "title",
                "Deze persoon heeft deze functie al vanaf dezelfde datum.",
            );
            let edits = PersonEdits {
                function: Some((form, e)),
                ..Default::default()
            };
            return person_again(
                ctx,
                &state,
                Some(person),
                StatusCode::UNPROCESSABLE_ENTITY,
                edits,
            )
            .await;
        }
        Err(err) => return Err(err.into()),
    };
    audit::record(
        &mut tx,
        Some(actor),
        "create",
        "person_function",
        Some(id.to_string()),
        None,
        Some(json!({
            "person_id": person.id, "organisation_id": organisation, "title": title,
            "valid_from": from.map(dutch::iso_date), "valid_until": until.map(dutch::iso_date),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_person(&person.slug, "functie"))
}

async fn add_competence(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<CompetenceForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let person = load_person(&state, &slug).await?;
    let mut e = FieldErrors::default();
    let name = text(
        &mut e,
        "competence",
        &form.competence,
        200,
        Some("Vul een bevoegdheid in, bijvoorbeeld Werk."),
    );
    let from = opt_date(&mut e, "valid_from", &form.valid_from, true);
    let until = opt_date(&mut e, "valid_until", &form.valid_until, false);
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        e.add("valid_until", "De einddatum valt vóór de begindatum.");
    }
    let Some(from) = from.filter(|_| e.is_empty()) else {
        let edits = PersonEdits {
            competence: Some((form, e)),
            ..Default::default()
        };
        return person_again(
            ctx,
            &state,
            Some(person),
            StatusCode::UNPROCESSABLE_ENTITY,
            edits,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let competence_id = queries::competence_id(&mut tx, &name).await?;
    let id = match queries::insert_portfolio(&mut tx, person.id, competence_id, from, until).await {
        Ok(id) => id,
        Err(err) if violated_constraint(&err) == Some("minister_competence_no_overlap") => {
            let mut e = FieldErrors::default();
            e.add(
                "valid_from",
                "Deze persoon heeft deze bevoegdheid al in (een deel van) deze periode.",
            );
            let edits = PersonEdits {
                competence: Some((form, e)),
                ..Default::default()
            };
            return person_again(
                ctx,
                &state,
                Some(person),
                StatusCode::UNPROCESSABLE_ENTITY,
                edits,
            )
            .await;
        }
        Err(err) => return Err(err.into()),
    };
    audit::record(
        &mut tx,
        Some(actor),
        "create",
        "minister_competence",
        Some(id.to_string()),
        None,
        Some(json!({
            "person_id": person.id, "competence": name,
            "valid_from": dutch::iso_date(from), "valid_until": until.map(dutch::iso_date),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_person(&person.slug, "bevoegdheid"))
}

async fn end_competence(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<EndCompetenceForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let person = load_person(&state, &slug).await?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let entry = queries::portfolio_entry(&state.db, person.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = FieldErrors::default();
    let until = opt_date(&mut e, "valid_until", &form.valid_until, true);
    if let Some(u) = until
        && u < entry.valid_from
    {
        e.add("valid_until", "De einddatum valt vóór de begindatum.");
    }
    if entry.valid_until.is_some() {
        e.add("valid_until", "Deze bevoegdheid heeft al een einddatum.");
    }
    let mut tx = state.db.begin().await?;
    let done = match until.filter(|_| e.is_empty()) {
        Some(u) => queries::end_portfolio(&mut tx, id, u).await?,
        None => false,
    };
    if !done {
        let message = e
            .all()
            .first()
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| CONFLICT.to_string());
        let edits = PersonEdits {
            end_error: Some((id, message)),
            ..Default::default()
        };
        return person_again(
            ctx,
            &state,
            Some(person),
            StatusCode::UNPROCESSABLE_ENTITY,
            edits,
        )
        .await;
    }
    audit::record(
        &mut tx,
        Some(actor),
        "end",
        "minister_competence",
        Some(id.to_string()),
        Some(json!({ "competence": entry.competence, "valid_until": null })),
        Some(json!({ "competence": entry.competence, "valid_until": until.map(dutch::iso_date) })),
    )
    .await?;
    tx.commit().await?;
    Ok(to_person(&person.slug, "bevoegdheid-einde"))
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
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    version: String,
}

impl OrganisationForm {
    fn from_row(o: &OrganisationRow) -> Self {
        OrganisationForm {
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            kind: o.kind.code().to_string(),
            website: o.website.clone().unwrap_or_default(),
            version: o.version.to_string(),
        }
    }

    fn parse(&self) -> std::result::Result<OrganisationFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text(&mut e, "name", &self.name, 200, Some("Vul de naam in."));
        let short_name = text(
            &mut e,
            "short_name",
            &self.short_name,
            50,
            Some("Vul een korte naam in, bijvoorbeeld ACV."),
        );
        let kind = OrganisationKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "Kies een soort.");
        }
        let website = text(&mut e, "website", &self.website, 300, None);
        // Only http(s): a javascript: link would run in the visitor's browser.
        let valid_url = website.starts_with("https://") || website.starts_with("http://");
        if !website.is_empty() && (!valid_url || website.contains(char::is_whitespace)) {
            e.add(
                "website",
                "Een website begint met https:// of http:// en bevat geen spaties.",
            );
        }
        match (kind, e.is_empty()) {
            (Some(kind), true) => Ok(OrganisationFields {
                name,
                short_name,
                kind,
                website: (!website.is_empty()).then_some(website),
            }),
            _ => Err(e),
        }
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

async fn new_organisation(ctx: PageCtx) -> Result<Response> {
    Ok(page::render(&organisation_page(
        ctx,
        None,
        OrganisationForm::default(),
        FieldErrors::default(),
        None,
    )))
}

async fn load_organisation(state: &AppState, slug: &str) -> Result<OrganisationRow> {
    queries::organisation_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

async fn show_organisation(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let o = load_organisation(&state, &slug).await?;
    let form = OrganisationForm::from_row(&o);
    Ok(page::render(&organisation_page(
        ctx,
        Some(o),
        form,
        FieldErrors::default(),
        notice_text(q.melding.as_deref()),
    )))
}

async fn create_organisation(
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let fields = match form.parse() {
        Ok(f) => f,
        Err(e) => {
            let page = organisation_page(ctx, None, form, e, None);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let slug = queries::free_slug(
        &mut tx,
        SlugTable::Organisation,
        &slugify(&fields.short_name),
    )
    .await?;
    let id = queries::create_organisation(&mut tx, &slug, &fields).await?;
    let after = queries::organisation_by_slug(&mut *tx, &slug).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "create",
        "organisation",
        Some(id.to_string()),
        None,
        after.map(|o| o.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/organisaties/{slug}?melding=opgeslagen")).into_response())
}

async fn update_organisation(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?;
    let o = load_organisation(&state, &slug).await?;
    let fields = match form.parse() {
        Ok(f) => f,
        Err(e) => {
            let page = organisation_page(ctx, Some(o), form, e, None);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response());
        }
    };
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    if !queries::update_organisation(&mut tx, o.id, seen, &fields).await? {
        let mut e = FieldErrors::default();
        e.add("form", CONFLICT);
        let page = organisation_page(ctx, Some(o), form, e, None);
        return Ok((StatusCode::CONFLICT, page::render(&page)).into_response());
    }
    let after = queries::organisation_by_slug(&mut *tx, &o.slug).await?;
    audit::record(
        &mut tx,
        Some(actor),
        "update",
        "organisation",
        Some(o.id.to_string()),
        Some(o.snapshot()),
        after.map(|a| a.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/beheer/organisaties/{}?melding=opgeslagen",
        o.slug
    ))
    .into_response())
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
