//! The administrator's pages: accounts and the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{self, AccountFields, AccountRow, AuditFilter, AuditRow, Choice, Update};
use crate::auth::{CurrentUser, Role};
use crate::base::AppState;
use crate::base::error::{AppError, Result, violated_constraint};
use crate::base::{FieldErrors, PageCtx, dutch, page};

fn admin(ctx: &PageCtx) -> Result<&CurrentUser> {
    ctx.user.as_ref().ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct ListPage {
    ctx: PageCtx,
    accounts: Vec<AccountRow>,
}

pub async fn list(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let accounts = queries::list(&state.db).await?;
    Ok(page::render(&ListPage { ctx, accounts }))
}

/// The account form as typed: strings, so that whatever was typed comes
/// back when something is wrong.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub minister_id: String,
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub version: String,
}

impl AccountForm {
    fn from_row(a: &AccountRow) -> Self {
        let id = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
        AccountForm {
            email: a.email.clone(),
            display_name: a.display_name.clone(),
            role: a.role.code().to_string(),
            organisation_id: id(a.organisation_id),
            minister_id: id(a.minister_id),
            person_id: id(a.person_id),
            version: a.version.to_string(),
        }
    }

    /// Checks the form against the choices on offer.
    fn parse(&self, choices: &Choices) -> std::result::Result<AccountFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = queries::normalise_email(&self.email);
        if email.is_none() {
            errors.add(
                "email",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@serv.be.",
            );
        }
        let display_name = self.display_name.trim().to_string();
        if display_name.is_empty() {
            errors.add("display_name", "Vul een naam in.");
        } else if display_name.chars().count() > 200 {
            errors.add(
                "display_name",
                "De naam mag hoogstens 200 tekens lang zijn.",
            );
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.add("role", "Kies een rol.");
        }
        let pick = |value: &str, list: &[Choice]| -> std::result::Result<Option<i64>, ()> {
            if value.trim().is_empty() {
                return Ok(None);
            }
            let id: i64 = value.trim().parse().map_err(|_| ())?;
            list.iter()
                .any(|c| c.id == id)
                .then_some(Some(id))
                .ok_or(())
        };
        let orgs = if role == Some(Role::SocialPartner) {
            &choices.social_partners
        } else {
            &choices.organisations
        };
        let mut organisation_id = pick(&self.organisation_id, orgs).unwrap_or_else(|()| {
            errors.add("organisation_id", "Kies een organisatie uit de lijst.");
            None
        });
        let mut minister_id = pick(&self.minister_id, &choices.ministers).unwrap_or_else(|()| {
            errors.add("minister_id", "Kies een minister uit de lijst.");
            None
        });
        let person_id = pick(&self.person_id, &choices.people).unwrap_or_else(|()| {
            errors.add("person_id", "Kies een persoon uit de lijst.");
            None
        });
        match role {
            Some(Role::SocialPartner) if organisation_id.is_none() => errors.add(
                "organisation_id",
                "Een account van een sociale partner handelt voor een organisatie: kies ze.",
            ),
            Some(Role::Cabinet) if minister_id.is_none() => errors.add(
                "minister_id",
                "Een kabinetsaccount handelt voor een minister: kies die.",
            ),
            _ => {}
        }
        // Only what the role uses is kept.
        match role {
            Some(Role::Cabinet) => organisation_id = choices.government,
            Some(Role::SocialPartner) | Some(Role::Secretariat) => minister_id = None,
            _ => {
                minister_id = None;
                organisation_id = None;
            }
        }
        match (email, role, errors.is_empty()) {
            (Some(email), Some(role), true) => Ok(AccountFields {
                email,
                display_name,
                role,
                organisation_id,
                minister_id,
                person_id,
            }),
            _ => Err(errors),
        }
    }
}

pub struct Choices {
    organisations: Vec<Choice>,
    social_partners: Vec<Choice>,
    ministers: Vec<Choice>,
    people: Vec<Choice>,
    government: Option<i64>,
}

impl Choices {
    async fn load(state: &AppState) -> Result<Choices> {
        let organisations = queries::organisations(&state.db).await?;
        let government = sqlx::query_scalar(
            "SELECT id FROM organisation WHERE kind = 'government' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&state.db)
        .await?;
        Ok(Choices {
            social_partners: queries::social_partner_organisations(&state.db).await?,
            ministers: queries::ministers(&state.db).await?,
            people: queries::people(&state.db).await?,
            organisations,
            government,
        })
    }
}

#[derive(Template)]
#[template(path = "admin/account_form.html")]
struct FormPage {
    ctx: PageCtx,
    /// `None` for a new account.
    account: Option<AccountRow>,
    form: AccountForm,
    errors: FieldErrors,
    choices: Choices,
    roles: [Role; 4],
    /// A one-time link to hand over, shown once.
    link: Option<String>,
    notice: Option<&'static str>,
}

impl FormPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "role" => &self.form.role,
            "organisation_id" => &self.form.organisation_id,
            "minister_id" => &self.form.minister_id,
            _ => &self.form.person_id,
        };
        current == value
    }
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let page = FormPage {
        ctx,
        account: None,
        form: AccountForm::default(),
        errors: FieldErrors::default(),
        choices: Choices::load(&state).await?,
        roles: Role::ALL,
        link: None,
        notice: None,
    };
    Ok(page::render(&page))
}

fn link_url(token: &str) -> String {
    format!("/wachtwoord-instellen/{token}")
}

pub async fn create(
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let actor = admin(&ctx)?.id;
    let choices = Choices::load(&state).await?;
    let fields = match form.parse(&choices) {
        Ok(f) => f,
        Err(errors) => return Ok(form_again(ctx, None, form, errors, choices)),
    };
    let mut tx = state.db.begin().await?;
    let id = match queries::create(&mut tx, Some(actor), &fields).await {
        Ok(id) => id,
        Err(e) if violated_constraint(&e) == Some("account_email_key") => {
            let mut errors = FieldErrors::default();
            errors.add("email", "Er bestaat al een account met dit e-mailadres.");
            return Ok(form_again(ctx, None, form, errors, choices));
        }
        Err(e) => return Err(e.into()),
    };
    let token = queries::issue_token(&mut tx, Some(actor), id).await?;
    tx.commit().await?;
    let account = queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = FormPage {
        ctx,
        form: AccountForm::from_row(&account),
        account: Some(account),
        errors: FieldErrors::default(),
        choices,
        roles: Role::ALL,
        link: Some(link_url(&token)),
        notice: Some("Het account is aangemaakt."),
    };
    Ok((StatusCode::CREATED, page::render(&page)).into_response())
}

fn form_again(
    ctx: PageCtx,
    account: Option<AccountRow>,
    form: AccountForm,
    errors: FieldErrors,
    choices: Choices,
) -> Response {
    let page = FormPage {
        ctx,
        account,
        form,
        errors,
        choices,
        roles: Role::ALL,
        link: None,
        notice: None,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page::render(&page)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    melding: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "opgeslagen" => Some("De wijzigingen zijn opgeslagen."),
        "uitgeschakeld" => {
            Some("Het account is uitgeschakeld. Wie ermee aangemeld was, is afgemeld.")
        }
        "ingeschakeld" => Some("Het account is opnieuw ingeschakeld."),
        "tweestaps" => Some(
            "De tweestapsverificatie van dit account is verwijderd; de gebruiker stelt ze opnieuw in bij de volgende aanmelding.",
        ),
        _ => None,
    }
}

fn parse_id(id: &str) -> Result<i64> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let account = queries::get(&state.db, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = FormPage {
        ctx,
        form: AccountForm::from_row(&account),
        account: Some(account),
        errors: FieldErrors::default(),
        choices: Choices::load(&state).await?,
        roles: Role::ALL,
        link: None,
        notice: notice_text(q.melding.as_deref()),
    };
    Ok(page::render(&page))
}

pub async fn update(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let actor = admin(&ctx)?.id;
    let id = parse_id(&id)?;
    let account = queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let choices = Choices::load(&state).await?;
    let fields = match form.parse(&choices) {
        Ok(f) => f,
        Err(errors) => return Ok(form_again(ctx, Some(account), form, errors, choices)),
    };
    if actor == id && fields.role != Role::Admin {
        let mut errors = FieldErrors::default();
        errors.add(
            "role",
            "U kunt uw eigen beheerdersrol niet afnemen: laat dat een andere beheerder doen.",
        );
        return Ok(form_again(ctx, Some(account), form, errors, choices));
    }
    let seen_version: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    let outcome = match queries::update(&mut tx, actor, id, seen_version, &fields).await {
        Ok(o) => o,
        Err(e) if violated_constraint(&e) == Some("account_email_key") => {
            let mut errors = FieldErrors::default();
            errors.add("email", "Er bestaat al een account met dit e-mailadres.");
            return Ok(form_again(ctx, Some(account), form, errors, choices));
        }
        Err(e) => return Err(e.into()),
    };
    match outcome {
        Update::Done => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/beheer/accounts/{id}?melding=opgeslagen")).into_response())
        }
        Update::NotFound => Err(AppError::NotFound),
        Update::Conflict => {
            let mut errors = FieldErrors::default();
            errors.add(
                "form",
                "Iemand anders heeft dit account intussen gewijzigd. Uw invoer staat hieronder; de opgeslagen gegevens zijn niet overschreven. Herlaad de pagina om de nieuwe versie te zien.",
            );
            let page = FormPage {
                ctx,
                account: Some(account),
                form,
                errors,
                choices,
                roles: Role::ALL,
                link: None,
                notice: None,
            };
            Ok((StatusCode::CONFLICT, page::render(&page)).into_response())
        }
    }
}

pub async fn disable(ctx: PageCtx, state: State<AppState>, id: Path<String>) -> Result<Response> {
    set_disabled(ctx, state, id, true).await
}

pub async fn enable(ctx: PageCtx, state: State<AppState>, id: Path<String>) -> Result<Response> {
    set_disabled(ctx, state, id, false).await
}

async fn set_disabled(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    disabled: bool,
) -> Result<Response> {
    let actor = admin(&ctx)?.id;
    let id = parse_id(&id)?;
    if actor == id && disabled {
        return Err(AppError::bad_request(
            "U kunt uw eigen account niet uitschakelen.",
        ));
    }
    queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    queries::set_disabled(&mut tx, actor, id, disabled).await?;
    tx.commit().await?;
    let melding = if disabled {
        "uitgeschakeld"
    } else {
        "ingeschakeld"
    };
    Ok(Redirect::to(&format!("/beheer/accounts/{id}?melding={melding}")).into_response())
}

pub async fn reset_link(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let actor = admin(&ctx)?.id;
    let id = parse_id(&id)?;
    let account = queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if account.disabled_at.is_some() {
        return Err(AppError::bad_request(
            "Dit account is uitgeschakeld. Schakel het eerst opnieuw in.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let token = queries::issue_token(&mut tx, Some(actor), id).await?;
    // A new link usually means a lost or leaked password: the secret
    // calendar links of the account stop working too.
    let calendar_revoked = super::calendar::revoke_calendar_token(&mut tx, id).await?;
    tx.commit().await?;
    let page = FormPage {
        ctx,
        form: AccountForm::from_row(&account),
        account: Some(account),
        errors: FieldErrors::default(),
        choices: Choices::load(&state).await?,
        roles: Role::ALL,
        link: Some(link_url(&token)),
        notice: Some(if calendar_revoked {
            "Er is een nieuwe link gemaakt; eerdere links werken niet meer. De persoonlijke agendalink van dit account is ingetrokken."
        } else {
            "Er is een nieuwe link gemaakt; eerdere links werken niet meer."
        }),
    };
    Ok(page::render(&page))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    entiteit: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    voor: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    q: AuditQuery,
    errors: FieldErrors,
    entries: Vec<AuditRow>,
    entities: Vec<String>,
    actions: Vec<String>,
    next: Option<String>,
}

impl AuditPage {
    fn when(&self, e: &AuditRow) -> String {
        let t = dutch::brussels(e.at);
        format!(
            "{} {:02}:{:02}:{:02}",
            dutch::iso_date(t.date()),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

pub async fn audit_log(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    let mut date = |field: &'static str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let d = dutch::parse_date(value);
        if d.is_none() {
            errors.add(field, "Gebruik een datum in de vorm JJJJ-MM-DD.");
        }
        d
    };
    let filter = AuditFilter {
        entity: non_empty(&q.entiteit),
        action: non_empty(&q.actie),
        account: non_empty(&q.account),
        from: date("van", &q.van),
        until: date("tot", &q.tot),
        before_id: q.voor.trim().parse().ok(),
    };
    let mut entries = queries::audit_entries(&state.db, &filter).await?;
    let next = if entries.len() > usize::try_from(queries::AUDIT_PAGE).unwrap_or(50) {
        entries.pop();
        entries.last().map(|last| {
            let mut url = form_urlencoded::Serializer::new(String::new());
            url.append_pair("entiteit", &q.entiteit)
                .append_pair("actie", &q.actie)
                .append_pair("account", &q.account)
                .append_pair("van", &q.van)
                .append_pair("tot", &q.tot)
                .append_pair("voor", &last.id.to_string());
            format!("/beheer/logboek?{}", url.finish())
        })
    } else {
        None
    };
    let (entities, actions) = queries::audit_kinds(&state.db).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = AuditPage {
        ctx,
        q,
        errors,
        entries,
        entities,
        actions,
        next,
    };
    Ok((status, page::render(&page)).into_response())
}
