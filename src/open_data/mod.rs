//! Open data shaped like OParl 1.1: the bodies, organisations, people (their
//! public functions only), memberships, meetings and published agreements.
//!
//! How VESOC maps onto OParl: each of our bodies is an OParl `Body`, and is
//! also an `Organization` of type "Gremium" (at `/api/oparl/gremium/{slug}`)
//! so that a `Membership` can name it as its `organization`, as OParl asks;
//! the organisation a member represents (ACV, VOKA, the Flemish Government)
//! is the membership's `onBehalfOf`. Agreements are `Paper`s. A membership
//! withdrawn or replaced by a correction is listed with `deleted: true`.
//!
//! Lists hold at most a few hundred rows, so they are filtered in SQL and
//! paginated in memory (`page`, `limit`); `modified_since` takes an RFC 3339
//! moment or a date.

pub mod queries;

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::auth::access::{Access, Routes};
use crate::base::dutch;
use crate::base::error::{AppError, Result};
use crate::base::{AppState, Id, Origin};
use crate::composition::MembershipRole;
use queries::Filter;

const OPARL: &str = "https://schema.oparl.org/1.1/";
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

/// The OParl routes: public reads, every one under `/api/oparl`.
macro_rules! oparl_routes {
    ($($path:literal => $handler:expr,)*) => {
        Routes::new()$(.get(concat!("/api/oparl", $path), Access::Public, $handler))*
    };
}

pub fn routes() -> Routes {
    oparl_routes! {
        "" => system,
        "/body" => body_list,
        "/body/{slug}" => body_one,
        "/gremium/{slug}" => gremium_one,
        "/organization" => organization_list,
        "/organization/{organisation}" => organization_one,
        "/person" => person_list,
        "/person/{person}" => person_one,
        "/membership" => membership_list,
        "/membership/{membership}" => membership_one,
        "/meeting" => meeting_list,
        "/meeting/{meeting}" => meeting_one,
        "/meeting/{meeting}/invitation" => invitation_one,
        "/meeting/{meeting}/resultsprotocol" => results_protocol_one,
        "/agendaitem" => agenda_item_list,
        "/agendaitem/{item}" => agenda_item_one,
        "/file" => file_list,
        "/file/{document}" => file_one,
        "/legislativeterm" => legislative_term_list,
        "/legislativeterm/{term}" => legislative_term_one,
        "/paper" => paper_list,
        "/paper/{agreement}" => paper_one,
        "/consultation/{item}" => consultation_one,
    }
}

struct Ctx {
    base: String,
}

impl Ctx {
    fn url(&self, path: &str) -> String {
        format!("{}/api/oparl{path}", self.base)
    }

    fn web(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn body(&self, slug: &str) -> String {
        self.url(&format!("/body/{slug}"))
    }

    fn gremium(&self, slug: &str) -> String {
        self.url(&format!("/gremium/{slug}"))
    }

    fn organisation(&self, slug: &str) -> String {
        self.url(&format!("/organization/{slug}"))
    }

    fn person(&self, slug: &str) -> String {
        self.url(&format!("/person/{slug}"))
    }

    fn membership(&self, id: i64) -> String {
        self.url(&format!("/membership/{id}"))
    }

    fn meeting(&self, id: i64) -> String {
        self.url(&format!("/meeting/{id}"))
    }
}

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// An OParl object with when it was made and last changed, and whether it
/// is `deleted`.
fn stamped(mut object: Value, stamps: &queries::Stamps, deleted: bool) -> Value {
    object["created"] = json!(ts(stamps.created_at));
    object["modified"] = json!(ts(stamps.modified_at));
    object["deleted"] = json!(deleted);
    object
}

fn oparl_type(name: &str) -> String {
    format!("{OPARL}{name}")
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    modified_since: Option<String>,
    modified_until: Option<String>,
    created_since: Option<String>,
    created_until: Option<String>,
    /// OParl's "leave out internal fields": these lists have none to leave.
    #[allow(dead_code)]
    omit_internal: Option<String>,
    page: Option<String>,
    limit: Option<String>,
    body: Option<String>,
}

struct ListParams {
    since: Option<OffsetDateTime>,
    /// `modified_until`, `created_since`, `created_until`: applied to the
    /// objects' own `modified` and `created`.
    modified_until: Option<OffsetDateTime>,
    created_since: Option<OffsetDateTime>,
    created_until: Option<OffsetDateTime>,
    page: usize,
    limit: usize,
    body: Option<String>,
}

impl ListParams {
    /// Does `object` fall within the asked creation and modification times?
    fn keeps(&self, object: &Value) -> bool {
        let at = |field: &str| {
            object[field]
                .as_str()
                .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        };
        let within = |t: Option<OffsetDateTime>,
                      from: Option<OffsetDateTime>,
                      to: Option<OffsetDateTime>| {
            match t {
                Some(t) => from.is_none_or(|f| t >= f) && to.is_none_or(|u| t <= u),
                // No such time (the system, a term): only kept unasked.
                None => from.is_none() && to.is_none(),
            }
        };
        within(at("created"), self.created_since, self.created_until)
            && within(at("modified"), None, self.modified_until)
    }
}

/// A moment of a list's query: RFC 3339 or a date (its midnight, UTC).
fn moment(name: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .or_else(|| dutch::parse_date(s).map(|d: Date| d.midnight().assume_utc()))
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "{name} moet een tijdstip zijn zoals 2024-01-31T12:00:00Z of een datum zoals 2024-01-31."
                ))
            }),
    }
}

impl ListParams {
    /// What the list's query asks of the database.
    fn filter(&self) -> Filter<'_> {
        Filter {
            since: self.since,
            body: self.body.as_deref(),
            ..Filter::default()
        }
    }
}

impl ListQuery {
    fn parse(&self) -> Result<ListParams> {
        let since = moment("modified_since", self.modified_since.as_deref())?;
        let modified_until = moment("modified_until", self.modified_until.as_deref())?;
        let created_since = moment("created_since", self.created_since.as_deref())?;
        let created_until = moment("created_until", self.created_until.as_deref())?;
        let number =
            |v: &Option<String>, default: usize, max: usize, name: &str| -> Result<usize> {
                match v.as_deref().map(str::trim) {
                    None | Some("") => Ok(default),
                    Some(s) => s
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| {
                            AppError::bad_request(format!(
                                "{name} moet een geheel getal zijn tussen 1 en {max}."
                            ))
                        }),
                }
            };
        Ok(ListParams {
            since,
            modified_until,
            created_since,
            created_until,
            page: number(&self.page, 1, 1_000_000, "page")?,
            limit: number(&self.limit, DEFAULT_LIMIT, MAX_LIMIT, "limit")?,
            body: self.body.clone().filter(|b| !b.trim().is_empty()),
        })
    }
}

/// An OParl list: `data`, `pagination`, `links` (with `next` while there is more).
fn list(c: &Ctx, path: &str, items: Vec<Value>, p: &ListParams) -> Json<Value> {
    let items: Vec<Value> = items.into_iter().filter(|v| p.keeps(v)).collect();
    let total = items.len();
    let total_pages = total.div_ceil(p.limit).max(1);
    let data: Vec<Value> = items
        .into_iter()
        .skip((p.page - 1).saturating_mul(p.limit))
        .take(p.limit)
        .collect();
    let link = |page: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (name, at) in [
            ("modified_until", p.modified_until),
            ("created_since", p.created_since),
            ("created_until", p.created_until),
        ] {
            if let Some(at) = at {
                q.append_pair(name, &ts(at));
            }
        }
        if let Some(s) = p.since {
            q.append_pair("modified_since", &ts(s));
        }
        if let Some(b) = &p.body {
            q.append_pair("body", b);
        }
        if p.limit != DEFAULT_LIMIT {
            q.append_pair("limit", &p.limit.to_string());
        }
        q.append_pair("page", &page.to_string());
        format!("{}?{}", c.url(path), q.finish())
    };
    let mut links = serde_json::Map::new();
    links.insert("first".into(), json!(link(1)));
    links.insert("last".into(), json!(link(total_pages)));
    if p.page > 1 {
        links.insert("prev".into(), json!(link(p.page - 1)));
    }
    if p.page < total_pages {
        links.insert("next".into(), json!(link(p.page + 1)));
    }
    Json(json!({
        "data": data,
        "pagination": {
            "totalElements": total,
            "elementsPerPage": p.limit,
            "currentPage": p.page,
            "totalPages": total_pages,
        },
        "links": links,
    }))
}

async fn system(c: Ctx) -> Result<Json<Value>> {
    Ok(Json(json!({
        "id": c.url(""),
        "type": oparl_type("System"),
        "oparlVersion": "https://schema.oparl.org/1.1/",
        "name": "VESOC — Vlaams Economisch Sociaal Overlegcomité",
        "body": c.url("/body"),
        "contactName": "SERV, secretariaat van het VESOC",
        "website": c.web("/"),
        "vendor": "https://www.serv.be",
        "product": "vesoc",
    })))
}

/// The one legislative term the data knows: the 2019–2024 legislature of
/// the seed (its only outside fact, `db::seed::LEGISLATURE`). Other terms
/// are not in the source documents and are not made up here.
const TERM: &str = "2019-2024";

/// The term as OParl shows it; `body`, the body it is shown in.
fn legislative_term_json(c: &Ctx, body: Option<&str>) -> Value {
    let (from, until) = crate::db::seed::LEGISLATURE;
    let mut v = json!({
        "id": c.url(&format!("/legislativeterm/{TERM}")),
        "type": oparl_type("LegislativeTerm"),
        "name": "Legislatuur 2019-2024",
        "startDate": dutch::iso_date(from),
        "endDate": dutch::iso_date(until),
    });
    if let Some(body) = body {
        v["body"] = json!(c.body(body));
    }
    v
}

async fn legislative_term_list(c: Ctx, p: ListParams) -> Result<Json<Value>> {
    Ok(list(
        &c,
        "/legislativeterm",
        vec![legislative_term_json(&c, None)],
        &p,
    ))
}

async fn legislative_term_one(c: Ctx, Path(key): Path<String>) -> Result<Json<Value>> {
    if key != TERM {
        return Err(AppError::NotFound);
    }
    Ok(Json(legislative_term_json(&c, None)))
}

fn body_json(c: &Ctx, b: &queries::BodyRow) -> Value {
    stamped(
        json!({
            "id": c.body(&b.slug),
            "type": oparl_type("Body"),
            "system": c.url(""),
            "name": b.name,
            "shortName": b.name,
            "website": c.web(&format!("/organen/{}", b.slug)),
            "classification": b.description,
            "organization": c.url("/organization"),
            "person": c.url("/person"),
            "meeting": c.url(&format!("/meeting?body={}", b.slug)),
            "membership": c.url(&format!("/membership?body={}", b.slug)),
            "paper": c.url(&format!("/paper?body={}", b.slug)),
            "agendaItem": c.url(&format!("/agendaitem?body={}", b.slug)),
            "legislativeTerm": [legislative_term_json(c, Some(&b.slug))],
            "gremium": c.gremium(&b.slug),
        }),
        &b.stamps,
        false,
    )
}

fn gremium_json(c: &Ctx, b: &queries::BodyRow) -> Value {
    stamped(
        json!({
            "id": c.gremium(&b.slug),
            "type": oparl_type("Organization"),
            "body": c.body(&b.slug),
            "name": b.name,
            "organizationType": "Gremium",
            "classification": "orgaan",
            "meeting": c.url(&format!("/meeting?body={}", b.slug)),
            // OParl wants the memberships as an array of their ids; the
            // body names the list (`membership?body=…`) instead.
            "website": c.web(&format!("/organen/{}", b.slug)),
        }),
        &b.stamps,
        false,
    )
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "government" => "regering",
        "employers" => "werkgeversorganisatie",
        "trade_union" => "vakbond",
        "secretariat" => "secretariaat",
        _ => "administratie",
    }
}

fn organisation_json(c: &Ctx, o: &queries::OrganisationRow) -> Value {
    let mut v = stamped(
        json!({
            "id": c.organisation(&o.slug),
            "type": oparl_type("Organization"),
            "name": o.name,
            "shortName": o.short_name,
            "organizationType": "Institution",
            "classification": kind_label(&o.kind),
        }),
        &o.stamps,
        false,
    );
    if let Some(w) = &o.website {
        v["website"] = json!(w);
    }
    v
}

/// OParl has no list of roles: the role is the Dutch label as shown on the
/// composition pages. Only chair and members vote; the advisory members,
/// substitutes (unless standing in) and the secretariat do not.
fn membership_json(c: &Ctx, m: &queries::MembershipRow) -> Value {
    let mut v = stamped(
        json!({
            "id": c.membership(m.id),
            "type": oparl_type("Membership"),
            "person": c.person(&m.person_slug),
            "organization": c.gremium(&m.body_slug),
            "role": m.role.label(),
            "votingRight": matches!(m.role, MembershipRole::Chair | MembershipRole::Member),
            "onBehalfOf": c.organisation(&m.organisation_slug),
            "startDate": dutch::iso_date(m.valid_from),
            "side": m.side.label(),
        }),
        &m.stamps,
        m.superseded,
    );
    if let Some(u) = m.valid_until {
        v["endDate"] = json!(dutch::iso_date(u));
    }
    if let Some(t) = &m.function_title {
        v["functionTitle"] = json!(t);
    }
    if let Some(s) = m.substitute_for_id {
        v["substituteFor"] = json!(c.membership(s));
    }
    if let Some(s) = m.corrects_id {
        v["corrects"] = json!(c.membership(s));
    }
    v
}

fn person_json(c: &Ctx, p: &queries::PersonRow, memberships: &[queries::MembershipRow]) -> Value {
    let mut v = stamped(
        json!({
            "id": c.person(&p.slug),
            "type": oparl_type("Person"),
            "name": format!("{} {}", p.given_name, p.family_name),
            "givenName": p.given_name,
            "familyName": p.family_name,
            "status": p.functions,
            "membership": memberships
                .iter()
                .filter(|m| m.person_id == p.id)
                .map(|m| membership_json(c, m))
                .collect::<Vec<_>>(),
        }),
        &p.stamps,
        false,
    );
    // The body of its first mandate; a person without one (a minister, an
    // expert) names none: OParl wants a URL or nothing.
    if let Some(m) = memberships.iter().find(|m| m.person_id == p.id) {
        v["body"] = json!(c.body(&m.body_slug));
    }
    v
}

fn meeting_state(status: &str) -> &'static str {
    match status {
        "planned" => "gepland",
        "convened" => "bijeengeroepen",
        "held" => "gehouden",
        _ => "geannuleerd",
    }
}

fn meeting_json(c: &Ctx, m: &queries::MeetingRow) -> Value {
    let kind = match m.kind.as_str() {
        "formal" => "formeel VESOC-overleg",
        "informal" => "informeel VESOC-overleg",
        _ => "VESOC-werkgroep",
    };
    let mut v = stamped(
        json!({
            "id": c.url(&format!("/meeting/{}", m.id)),
            "type": oparl_type("Meeting"),
            "name": format!("{} ({kind})", m.body_name),
            "meetingState": meeting_state(&m.status),
            "cancelled": m.status == "cancelled",
            "start": ts(m.starts_at),
            "end": ts(m.ends_at),
            "organization": [c.gremium(&m.body_slug)],
            "agendaItem": m.agenda.iter().map(|i| agenda_item_json(c, i)).collect::<Vec<_>>(),
            "web": c.web(&format!("/vergaderingen/{}", m.id)),
        }),
        &m.stamps,
        false,
    );
    if let Some(invitation) = invitation_json(c, m) {
        v["invitation"] = invitation;
    }
    if let Some(protocol) = results_protocol_json(c, m) {
        v["resultsProtocol"] = protocol;
    }
    v
}

/// The decision list of a meeting whose decisions are public (minutes
/// approved, or the list published), as the public reads it
/// (`decision_visible`): its results protocol.
fn results_protocol_json(c: &Ctx, m: &queries::MeetingRow) -> Option<Value> {
    if !m.decisions_public {
        return None;
    }
    let list = c.web(&format!("/vergaderingen/{}/besluiten.pdf", m.id));
    Some(stamped(
        json!({
            "id": c.url(&format!("/meeting/{}/resultsprotocol", m.id)),
            "type": oparl_type("File"),
            "name": "Besluitenlijst",
            "fileName": format!("besluitenlijst-vergadering-{}.pdf", m.id),
            "mimeType": "application/pdf",
            "accessUrl": list,
            "downloadUrl": list,
            "meeting": [c.meeting(m.id)],
        }),
        &m.stamps,
        false,
    ))
}

async fn results_protocol_one(
    State(state): State<AppState>,
    c: Ctx,
    Id(id): Id,
) -> Result<Json<Value>> {
    let meeting = one(queries::meetings(&state.db, Filter::id(id)).await?)?;
    results_protocol_json(&c, &meeting)
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// The convocation's agenda of a convened or held meeting, as a File: the
/// agenda PDF as a visitor gets it (public items only).
fn invitation_json(c: &Ctx, m: &queries::MeetingRow) -> Option<Value> {
    if !matches!(m.status.as_str(), "convened" | "held") {
        return None;
    }
    let pdf = c.web(&format!("/vergaderingen/{}/agenda.pdf", m.id));
    Some(stamped(
        json!({
            "id": c.url(&format!("/meeting/{}/invitation", m.id)),
            "type": oparl_type("File"),
            "name": "Agenda",
            "fileName": format!("agenda-vergadering-{}.pdf", m.id),
            "mimeType": "application/pdf",
            "accessUrl": pdf,
            "downloadUrl": pdf,
            "meeting": [c.meeting(m.id)],
        }),
        &m.stamps,
        false,
    ))
}

/// The invitation (agenda PDF) of a convened or held meeting.
async fn invitation_one(State(state): State<AppState>, c: Ctx, Id(id): Id) -> Result<Json<Value>> {
    let meeting = one(queries::meetings(&state.db, Filter::id(id)).await?)?;
    invitation_json(&c, &meeting)
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// An agenda item (public ones only), with its public files.
fn agenda_item_json(c: &Ctx, i: &queries::ItemRow) -> Value {
    let mut v = json!({
        "id": c.url(&format!("/agendaitem/{}", i.id)),
        "type": oparl_type("AgendaItem"),
        "meeting": c.meeting(i.meeting_id),
        "number": i.number,
        "order": i.position,
        "name": i.title,
        "public": true,
        "auxiliaryFile": i.files.iter().map(|f| file_json(c, f)).collect::<Vec<_>>(),
        "web": c.web(&format!("/punten/{}", i.id)),
        "created": ts(i.created_at),
        "modified": ts(i.modified_at),
        "deleted": false,
    });
    if let Some(o) = i
        .outcome
        .as_deref()
        .and_then(crate::agenda::ItemOutcome::parse)
    {
        v["result"] = json!(o.label());
    }
    if let Some(text) = i.decision_text.as_deref().filter(|t| !t.trim().is_empty()) {
        v["resolutionText"] = json!(text);
    }
    if i.paper.is_some() {
        v["consultation"] = json!(c.url(&format!("/consultation/{}", i.id)));
    }
    v
}

/// The public agreement an agenda item concerns, dealt with at that item:
/// one consultation per item (an item concerns at most one agreement).
fn consultation_json(c: &Ctx, i: &queries::ItemRow) -> Option<Value> {
    let paper = i.paper.as_deref()?;
    Some(json!({
        "id": c.url(&format!("/consultation/{}", i.id)),
        "type": oparl_type("Consultation"),
        "paper": c.url(&format!("/paper/{paper}")),
        "agendaItem": c.url(&format!("/agendaitem/{}", i.id)),
        "meeting": c.meeting(i.meeting_id),
        "organization": [c.gremium(&i.body_slug)],
        // VESOC advises and agrees; it is not a body whose vote decides a paper.
        "authoritative": false,
        "role": "bespreking",
        "created": ts(i.created_at),
        "modified": ts(i.modified_at),
        "deleted": false,
    }))
}

/// An agenda item taken off a public agenda: only that it is gone.
fn removed_item_json(c: &Ctx, r: &queries::RemovedItem) -> Value {
    json!({
        "id": c.url(&format!("/agendaitem/{}", r.id)),
        "type": oparl_type("AgendaItem"),
        "order": r.last_order,
        "created": ts(r.created_at),
        "modified": ts(r.modified_at),
        "deleted": true,
    })
}

/// A public document of a public agenda item.
fn file_json(c: &Ctx, f: &queries::FileRow) -> Value {
    let download = c.web(&format!("/documenten/{}", f.id));
    json!({
        "id": c.url(&format!("/file/{}", f.id)),
        "type": oparl_type("File"),
        "name": f.filename,
        "fileName": f.filename,
        "mimeType": f.content_type.split(';').next().unwrap_or_default().trim(),
        "size": f.size_bytes,
        "accessUrl": download,
        "downloadUrl": download,
        "meeting": [c.meeting(f.meeting_id)],
        "agendaItem": [c.url(&format!("/agendaitem/{}", f.agenda_item_id))],
        "created": ts(f.uploaded_at),
        "modified": ts(f.uploaded_at),
        "deleted": false,
    })
}

fn paper_json(c: &Ctx, p: &queries::PaperRow) -> Value {
    let mut v = stamped(
        json!({
            "id": c.url(&format!("/paper/{}", p.slug)),
            "type": oparl_type("Paper"),
            "body": c.body(&p.body_slug),
            "name": if p.subtitle.is_empty() { p.title.clone() } else { format!("{} – {}", p.title, p.subtitle) },
            "reference": p.slug,
            "consultation": p.consultations.iter().filter_map(|i| consultation_json(c, i)).collect::<Vec<_>>(),
            "paperType": if p.kind_label.is_empty() { "VESOC-akkoord".to_string() } else { p.kind_label.clone() },
            "web": c.web(&format!("/akkoorden/{}", p.slug)),
        }),
        &p.stamps,
        false,
    );
    if let Some(d) = p.concluded_on {
        v["date"] = json!(dutch::iso_date(d));
    }
    v
}

/// A list's query, checked: handlers take it as an argument. A query that
/// is not one is refused as `Query` refuses it, a wrong value as
/// [`ListQuery::parse`] does.
impl FromRequestParts<AppState> for ListParams {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Response> {
        let Query(q) = Query::<ListQuery>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        q.parse().map_err(IntoResponse::into_response)
    }
}

/// The ids' base comes with every request (its [`Origin`]): handlers take
/// it as an argument.
impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Self::Rejection> {
        let Origin(base) = Origin::from_request_parts(parts, state).await?;
        Ok(Ctx { base })
    }
}

/// A list of rows as OParl objects, one page of them.
fn page_of<T>(
    c: &Ctx,
    path: &str,
    rows: &[T],
    to_json: impl Fn(&Ctx, &T) -> Value,
    p: &ListParams,
) -> Json<Value> {
    list(c, path, rows.iter().map(|r| to_json(c, r)).collect(), p)
}

/// The one record a single-record query found.
fn one<T>(rows: Vec<T>) -> Result<T> {
    rows.into_iter().next().ok_or(AppError::NotFound)
}

/// The list handler of one kind of OParl object: its query with the
/// list's filter, one page of the rows as JSON.
macro_rules! list_handler {
    ($name:ident, $path:literal, $query:path, $to_json:path) => {
        async fn $name(
            State(state): State<AppState>,
            c: Ctx,
            p: ListParams,
        ) -> Result<Json<Value>> {
            let rows = $query(&state.db, p.filter()).await?;
            Ok(page_of(&c, $path, &rows, $to_json, &p))
        }
    };
}

/// The single-record handler of one kind of OParl object: its query for
/// the record the path names (by `slug` or by `id`), as JSON; none is "not
/// found".
macro_rules! one_handler {
    ($name:ident, $query:path, $to_json:path, slug) => {
        one_handler!(@ $name, $query, $to_json, Path(key), Path<String>, Filter::slug(&key));
    };
    ($name:ident, $query:path, $to_json:path, id) => {
        one_handler!(@ $name, $query, $to_json, Id(key), Id, Filter::id(key));
    };
    (@ $name:ident, $query:path, $to_json:path, $key:pat, $extract:ty, $filter:expr) => {
        async fn $name(State(state): State<AppState>, c: Ctx, $key: $extract) -> Result<Json<Value>> {
            Ok(Json($to_json(&c, &one($query(&state.db, $filter).await?)?)))
        }
    };
}

list_handler!(body_list, "/body", queries::bodies, body_json);
one_handler!(body_one, queries::bodies, body_json, slug);
one_handler!(gremium_one, queries::bodies, gremium_json, slug);

/// The bodies as gremia first, then the organisations their members represent.
async fn organization_list(
    State(state): State<AppState>,
    c: Ctx,
    p: ListParams,
) -> Result<Json<Value>> {
    let mut items: Vec<Value> = queries::bodies(&state.db, Filter::since(p.since))
        .await?
        .iter()
        .map(|b| gremium_json(&c, b))
        .collect();
    items.extend(
        queries::organisations(&state.db, Filter::since(p.since))
            .await?
            .iter()
            .map(|o| organisation_json(&c, o)),
    );
    Ok(list(&c, "/organization", items, &p))
}

one_handler!(
    organization_one,
    queries::organisations,
    organisation_json,
    slug
);

async fn person_list(State(state): State<AppState>, c: Ctx, p: ListParams) -> Result<Json<Value>> {
    let memberships = queries::memberships(&state.db, Filter::default()).await?;
    let rows = queries::people(&state.db, Filter::since(p.since)).await?;
    Ok(page_of(
        &c,
        "/person",
        &rows,
        |c, person| person_json(c, person, &memberships),
        &p,
    ))
}

async fn person_one(
    State(state): State<AppState>,
    c: Ctx,
    Path(slug): Path<String>,
) -> Result<Json<Value>> {
    let person = one(queries::people(&state.db, Filter::slug(&slug)).await?)?;
    let memberships = queries::memberships(&state.db, Filter::person(person.id)).await?;
    Ok(Json(person_json(&c, &person, &memberships)))
}

list_handler!(
    membership_list,
    "/membership",
    queries::memberships,
    membership_json
);
one_handler!(membership_one, queries::memberships, membership_json, id);
list_handler!(meeting_list, "/meeting", queries::meetings, meeting_json);
one_handler!(meeting_one, queries::meetings, meeting_json, id);
/// The public agenda items; asked for what changed since a moment, also
/// those taken off an agenda since, as `deleted` (OParl's way of saying a
/// client should drop what it kept).
async fn agenda_item_list(
    State(state): State<AppState>,
    c: Ctx,
    p: ListParams,
) -> Result<Json<Value>> {
    let mut items: Vec<Value> = queries::agenda_items(&state.db, p.filter())
        .await?
        .iter()
        .map(|i| agenda_item_json(&c, i))
        .collect();
    if p.since.is_some() {
        let removed = queries::removed_items(&state.db, p.filter()).await?;
        items.extend(removed.iter().map(|r| removed_item_json(&c, r)));
    }
    Ok(list(&c, "/agendaitem", items, &p))
}

/// A public agenda item, or one taken off a public agenda (`deleted`).
async fn agenda_item_one(State(state): State<AppState>, c: Ctx, Id(id): Id) -> Result<Json<Value>> {
    if let Some(i) = queries::agenda_items(&state.db, Filter::id(id))
        .await?
        .first()
    {
        return Ok(Json(agenda_item_json(&c, i)));
    }
    let removed = one(queries::removed_items(&state.db, Filter::id(id)).await?)?;
    Ok(Json(removed_item_json(&c, &removed)))
}

/// The consultation of a public agenda item that concerns a public agreement.
async fn consultation_one(
    State(state): State<AppState>,
    c: Ctx,
    Id(id): Id,
) -> Result<Json<Value>> {
    let item = one(queries::agenda_items(&state.db, Filter::id(id)).await?)?;
    consultation_json(&c, &item)
        .map(Json)
        .ok_or(AppError::NotFound)
}
list_handler!(file_list, "/file", queries::files, file_json);
one_handler!(file_one, queries::files, file_json, id);
list_handler!(paper_list, "/paper", queries::papers, paper_json);
one_handler!(paper_one, queries::papers, paper_json, slug);
