//! The administrator's pages: accounts and the audit log.

use super::mail::LinkFor;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{self, AccountFields, AccountRow, AuditFilter, AuditRow, Choice};
use crate::auth::Role;
use crate::base::error::{AppError, Result};
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, Check, FieldErrors, Id, PageCtx, Version, dutch, page};

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
    pub version: Version,
}

impl AccountForm {
    fn from_row(a: &AccountRow) -> Self {
        let id = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
        AccountForm {
            email: a.user.email.clone(),
            display_name: a.user.display_name.clone(),
            role: a.user.role.code().to_string(),
            organisation_id: id(a.user.organisation_id),
            minister_id: id(a.user.minister_id),
            person_id: id(a.person_id),
            version: Version(a.version),
        }
    }

    /// Checks the form against the choices on offer.
    fn parse(&self, choices: &Choices) -> std::result::Result<AccountFields, FieldErrors> {
        let mut check = Check::default();
        let email = queries::normalise_email(&self.email);
        if email.is_none() {
            check.add(
                "email",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@serv.be.",
            );
        }
        let display_name = check.at_most(
            "display_name",
            &self.display_name,
            200,
            "De naam mag hoogstens 200 tekens lang zijn.",
        );
        if display_name.is_empty() {
            check.add("display_name", "Vul een naam in.");
        }
        let role = check.choice::<Role>("role", &self.role, "Kies een rol.");
        let orgs = if role == Some(Role::SocialPartner) {
            &choices.social_partners
        } else {
            &choices.organisations
        };
        let mut organisation_id =
            check.pick("organisation_id", &self.organisation_id, &ids(orgs), None);
        let mut minister_id = check.pick(
            "minister_id",
            &self.minister_id,
            &ids(&choices.ministers),
            None,
        );
        let person_id = check.pick("person_id", &self.person_id, &ids(&choices.people), None);
        match role {
            Some(Role::SocialPartner) if organisation_id.is_none() => check.add(
                "organisation_id",
                "Een account van een sociale partner handelt voor een organisatie: kies ze.",
            ),
            Some(Role::Cabinet) if minister_id.is_none() => check.add(
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
        let fields = email.zip(role).map(|(email, role)| AccountFields {
            email,
            display_name,
            role,
            organisation_id,
            minister_id,
            person_id,
        });
        check.finish(fields)
    }
}

fn ids(choices: &[Choice]) -> Vec<i64> {
    choices.iter().map(|c| c.id).collect()
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
        Ok(Choices {
            organisations: queries::organisations(&state.db).await?,
            social_partners: queries::social_partner_organisations(&state.db).await?,
            ministers: queries::ministers(&state.db).await?,
            people: queries::people(&state.db).await?,
            government: queries::government_id(&state.db).await?,
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

impl FormPage {
    fn new(ctx: PageCtx, account: Option<AccountRow>, form: AccountForm, choices: Choices) -> Self {
        FormPage {
            ctx,
            account,
            form,
            errors: FieldErrors::default(),
            choices,
            roles: Role::ALL,
            link: None,
            notice: None,
        }
    }

    /// The page of a saved account, with what was done.
    fn of(ctx: PageCtx, account: AccountRow, choices: Choices) -> Self {
        let form = AccountForm::from_row(&account);
        FormPage::new(ctx, Some(account), form, choices)
    }
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let choices = Choices::load(&state).await?;
    let page = FormPage::new(ctx, None, AccountForm::default(), choices);
    Ok(page::render(&page))
}

fn link_url(token: &str) -> String {
    format!("/wachtwoord-instellen/{token}")
}

/// The form again, with what was typed and what is wrong.
fn form_again(
    ctx: PageCtx,
    account: Option<AccountRow>,
    form: AccountForm,
    (status, errors): (StatusCode, FieldErrors),
    choices: Choices,
) -> Response {
    let page = FormPage {
        errors,
        ..FormPage::new(ctx, account, form, choices)
    };
    (status, page::render(&page)).into_response()
}

pub async fn create(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let choices = Choices::load(&state).await?;
    let origin = ctx.absolute("");
    let outcome = write::run_form(&state.db, form.parse(&choices), async |tx, fields| {
        let outcome = queries::create_with_link(tx, actor.id, &fields).await?;
        if let Outcome::Done((_, token)) = &outcome {
            let to = (fields.email.as_str(), fields.display_name.as_str());
            let link = format!("{origin}{}", link_url(token));
            super::mail::password_link(tx, Some(actor.id), to, &link, LinkFor::NewAccount).await?;
        }
        Ok(outcome)
    })
    .await?;
    let (id, token) = match outcome.settle(write::stale_errors("dit account")) {
        Ok(done) => done,
        Err(again) => return Ok(form_again(ctx, None, form, again, choices)),
    };
    let account = queries::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = FormPage {
        link: Some(link_url(&token)),
        notice: Some(
            "Het account is aangemaakt. De link is ook per e-mail verstuurd (zie Berichten).",
        ),
        ..FormPage::of(ctx, account, choices)
    };
    Ok((StatusCode::CREATED, page::render(&page)).into_response())
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

async fn load(state: &AppState, id: i64) -> Result<AccountRow> {
    queries::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

pub(super) fn redirect(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/beheer/accounts/{id}?melding={melding}")).into_response()
}

/// A button's refusal: there is no form to show again, so the error page
/// says why.
fn refusal(outcome: Outcome<impl Sized>) -> AppError {
    match outcome {
        Outcome::Refused(errors) => AppError::bad_request(errors.get("form").unwrap_or_default()),
        _ => AppError::Conflict(write::stale_message("dit account")),
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let account = load(&state, id).await?;
    let page = FormPage {
        notice: notice_text(q.melding.as_deref()),
        ..FormPage::of(ctx, account, Choices::load(&state).await?)
    };
    Ok(page::render(&page))
}

pub async fn update(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Id(id): Id,
    Form(form): Form<AccountForm>,
) -> Result<Response> {
    let account = load(&state, id).await?;
    let choices = Choices::load(&state).await?;
    let outcome = write::run_form(&state.db, form.parse(&choices), async |tx, fields| {
        queries::update(tx, actor.id, id, form.version, &fields).await
    })
    .await?;
    match outcome.settle(write::stale_errors("dit account")) {
        Ok(()) => Ok(redirect(id, "opgeslagen")),
        Err(again) => Ok(form_again(ctx, Some(account), form, again, choices)),
    }
}

pub async fn disable(actor: Actor, state: State<AppState>, id: Id) -> Result<Response> {
    set_disabled(actor, state, id, true).await
}

pub async fn enable(actor: Actor, state: State<AppState>, id: Id) -> Result<Response> {
    set_disabled(actor, state, id, false).await
}

async fn set_disabled(
    Actor(actor): Actor,
    State(state): State<AppState>,
    Id(id): Id,
    disabled: bool,
) -> Result<Response> {
    let outcome = write::run(&state.db, async |tx| {
        queries::set_disabled(tx, actor.id, id, disabled).await
    })
    .await?;
    let Outcome::Done(()) = outcome else {
        return Err(refusal(outcome));
    };
    Ok(redirect(
        id,
        if disabled {
            "uitgeschakeld"
        } else {
            "ingeschakeld"
        },
    ))
}

pub async fn reset_link(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    let account = load(&state, id).await?;
    let origin = ctx.absolute("");
    let outcome = write::run(&state.db, async |tx| {
        let outcome = queries::new_password_link(tx, actor.id, &account).await?;
        if let Outcome::Done((token, _)) = &outcome {
            let to = (
                account.user.email.as_str(),
                account.user.display_name.as_str(),
            );
            let link = format!("{origin}{}", link_url(token));
            super::mail::password_link(tx, Some(actor.id), to, &link, LinkFor::NewLink).await?;
        }
        Ok(outcome)
    })
    .await?;
    let Outcome::Done((token, calendar_revoked)) = outcome else {
        return Err(refusal(outcome));
    };
    let page = FormPage {
        link: Some(link_url(&token)),
        notice: Some(if calendar_revoked {
            "Er is een nieuwe link gemaakt en per e-mail verstuurd; eerdere links werken niet meer. De persoonlijke agendalink van dit account is ingetrokken."
        } else {
            "Er is een nieuwe link gemaakt en per e-mail verstuurd; eerdere links werken niet meer."
        }),
        ..FormPage::of(ctx, account, Choices::load(&state).await?)
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
    let mut check = Check::default();
    let filter = AuditFilter {
        entity: non_empty(&q.entiteit),
        action: non_empty(&q.actie),
        account: non_empty(&q.account),
        from: check.optional_date("van", &q.van).flatten(),
        until: check.optional_date("tot", &q.tot).flatten(),
        before_id: q.voor.trim().parse().ok(),
    };
    let errors = check.errors();
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
