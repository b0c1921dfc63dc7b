//! The decision list of a meeting (number, title, outcome, decision text
//! of its items) and the register of decisions across meetings
//! (`/beslissingen`), filtered by body, year and outcome and searchable.
//! Every row is a decision `decision_visible` lets the reader see: members
//! once the minutes are sent for comments, everyone (for public items)
//! once they are approved or the list was published.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use time::OffsetDateTime;

use super::ItemOutcome;
use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::error::Result;
use crate::base::pdf::{capitalized, paragraphs};
use crate::base::{AppState, Id, PageCtx, dutch, page};
use crate::meetings::{Meeting, MinutesStatus};

pub fn routes() -> Routes {
    Routes::new()
        .get("/vergaderingen/{id}/besluiten", Access::Public, of_meeting)
        .get("/vergaderingen/{id}/besluiten.pdf", Access::Public, pdf)
        .get("/beslissingen", Access::Public, register)
}

/// Rows of the register per page.
const PER_PAGE: i64 = 50;
/// The longest search text.
const MAX_QUERY: usize = 200;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub meeting_id: i64,
    pub starts_at: OffsetDateTime,
    pub body_name: String,
    pub number: String,
    pub title: String,
    pub outcome: ItemOutcome,
    pub decision_text: Option<String>,
    pub confidential: bool,
}

impl Decision {
    pub fn when(&self) -> String {
        dutch::nl_date(dutch::brussels(self.starts_at).date())
    }
}

/// What the register is asked for; every filter optional.
#[derive(Debug, Default, Clone, Copy)]
struct Filter<'a> {
    meeting: Option<i64>,
    body: Option<&'a str>,
    year: Option<i32>,
    outcome: Option<ItemOutcome>,
    query: Option<&'a str>,
    page: i64,
}

/// The decisions `reader` may see (`decision_visible`) that the filter
/// lets through: a meeting's in agenda order, else newest first.
async fn decisions(
    db: impl PgExecutor<'_>,
    reader: Reader,
    f: Filter<'_>,
) -> sqlx::Result<Vec<Decision>> {
    sqlx::query_as(
        "SELECT a.id, a.meeting_id, m.starts_at, b.name AS body_name,
                coalesce(a.number, a.position::text) AS number, a.title, a.outcome,
                a.decision_text, agenda_item_under_embargo(a) AS confidential
         FROM agenda_item a
         JOIN meeting m ON m.id = a.meeting_id
         JOIN body b ON b.id = a.body_id
         LEFT JOIN minutes mi ON mi.meeting_id = m.id
         WHERE a.status = 'dealt_with' AND a.outcome IS NOT NULL AND a.position IS NOT NULL
           AND decision_visible($1, a, m, mi.status)
           AND ($2::bigint IS NULL OR a.meeting_id = $2)
           AND ($3::text IS NULL OR b.slug = $3)
           AND ($4::integer IS NULL
                OR extract(year FROM m.starts_at AT TIME ZONE 'Europe/Brussels') = $4)
           AND ($5::agenda_outcome IS NULL OR a.outcome = $5)
           AND ($6::text IS NULL
                OR (a.search || a.search_decision) @@ websearch_to_tsquery('dutch', $6))
         ORDER BY CASE WHEN $2::bigint IS NULL THEN m.starts_at END DESC, a.position, a.id
         LIMIT $7 OFFSET $8",
    )
    .bind(reader)
    .bind(f.meeting)
    .bind(f.body)
    .bind(f.year)
    .bind(f.outcome)
    .bind(f.query)
    .bind(PER_PAGE + 1)
    .bind(f.page.saturating_sub(1).saturating_mul(PER_PAGE))
    .fetch_all(db)
    .await
}

#[derive(Template)]
#[template(path = "agenda/decisions.html")]
struct MeetingPage {
    ctx: PageCtx,
    list: DecisionList,
}

impl DecisionList {
    fn standing(&self) -> &'static str {
        standing(self.minutes, self.published)
    }
}

/// Where a decision list stands: final once the minutes are approved,
/// else provisional, and why it can be read.
fn standing(minutes: Option<MinutesStatus>, published: bool) -> &'static str {
    match (minutes, published) {
        (Some(MinutesStatus::Approved), _) => {
            "Het verslag is goedgekeurd: dit is de definitieve besluitenlijst."
        }
        (_, true) => {
            "Voorlopig: het secretariaat maakte de besluitenlijst openbaar vóór de goedkeuring van het verslag."
        }
        (Some(MinutesStatus::Sent), false) => {
            "Voorlopig: het verslag is ter opmerkingen verstuurd en nog niet goedgekeurd."
        }
        _ => "Voorlopig: het verslag is nog niet goedgekeurd.",
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Standing {
    minutes: Option<MinutesStatus>,
    published: bool,
}

/// The meeting, its decisions as `reader` may see them, and where the
/// list stands: what the page and the PDF show.
async fn list_of(state: &AppState, reader: Reader, id: i64) -> Result<DecisionList> {
    let meeting = crate::meetings::load(state, id).await?;
    let filter = Filter {
        meeting: Some(id),
        page: 1,
        ..Filter::default()
    };
    let mut decisions = decisions(&state.db, reader, filter).await?;
    decisions.truncate(500);
    let standing: Standing = sqlx::query_as(
        "SELECT mi.status AS minutes, m.decisions_published_at IS NOT NULL AS published
         FROM meeting m LEFT JOIN minutes mi ON mi.meeting_id = m.id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    Ok(DecisionList {
        meeting,
        minutes: standing.minutes,
        published: standing.published,
        decisions,
    })
}

struct DecisionList {
    meeting: Meeting,
    minutes: Option<MinutesStatus>,
    published: bool,
    decisions: Vec<Decision>,
}

async fn of_meeting(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let list = list_of(&state, Reader::of(ctx.user.as_ref()), id).await?;
    Ok(page::no_store(page::render(&MeetingPage { ctx, list })))
}

static DECISIONS: crate::base::pdf::Template = crate::base::pdf::Template {
    name: "decisions.typ",
    source: include_str!("../../templates/pdf/decisions.typ"),
};

/// The decision list as PDF: the page's rows for the same reader.
async fn pdf(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let list = list_of(&state, Reader::of(ctx.user.as_ref()), id).await?;
    let member = crate::meetings::is_member(&state, ctx.user.as_ref(), &list.meeting).await?;
    let m = &list.meeting;
    let day = m.long_day();
    let data = PdfData {
        title: format!("Besluitenlijst {}, {day}", m.body_name),
        heading: "Besluitenlijst",
        facts: m.facts(member),
        standing: list.standing(),
        decisions: list
            .decisions
            .iter()
            .map(|d| PdfDecision {
                heading: format!("{}. {}", d.number, d.title),
                outcome: capitalized(d.outcome.label()),
                text: paragraphs(d.decision_text.as_deref().unwrap_or_default()),
            })
            .collect(),
        empty: "Er zijn (nog) geen beslissingen van deze vergadering die u mag inzien.",
        footer: format!("{} · {day} · Besluitenlijst", m.body_name),
        note: format!(
            "Samengesteld op {} voor wie deze lijst opvroeg: ze bevat wat die mag inzien.",
            dutch::nl_datetime(OffsetDateTime::now_utc())
        ),
    };
    crate::audit::access(
        &state.db,
        ctx.user.as_ref().map(|u| u.id),
        "decisions_pdf.download",
        "meeting",
        m.id,
        &ctx.address,
    )
    .await?;
    let pdf = crate::base::pdf::render(&DECISIONS, &data).await?;
    // Named as the agenda's PDF and open data's File name it.
    let filename = format!("besluitenlijst-vergadering-{}.pdf", m.id);
    Ok(crate::base::pdf::inline(pdf, &filename))
}

/// What `templates/pdf/decisions.typ` reads.
#[derive(Debug, Serialize)]
struct PdfData {
    title: String,
    heading: &'static str,
    facts: Vec<[String; 2]>,
    standing: &'static str,
    decisions: Vec<PdfDecision>,
    empty: &'static str,
    footer: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct PdfDecision {
    heading: String,
    outcome: String,
    /// The decision's text in paragraphs.
    text: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    orgaan: String,
    #[serde(default)]
    jaar: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: String,
}

#[derive(Template)]
#[template(path = "agenda/register.html")]
struct RegisterPage {
    ctx: PageCtx,
    asked: RegisterQuery,
    bodies: Vec<(i64, String, String)>,
    outcomes: &'static [ItemOutcome],
    decisions: Vec<Decision>,
    problems: Vec<&'static str>,
    page: i64,
    more: bool,
}

impl RegisterPage {
    /// The address of page `n` with the same filters.
    fn page_link(&self, n: i64) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("orgaan", &self.asked.orgaan),
            ("jaar", &self.asked.jaar),
            ("uitkomst", &self.asked.uitkomst),
            ("q", &self.asked.q),
        ] {
            if !value.trim().is_empty() {
                q.append_pair(name, value.trim());
            }
        }
        q.append_pair("pagina", &n.to_string());
        format!("/beslissingen?{}", q.finish())
    }
}

async fn register(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(asked): Query<RegisterQuery>,
) -> Result<Response> {
    let bodies = crate::composition::body_choices(&state.db).await?;
    let mut problems = Vec::new();
    let body = Some(asked.orgaan.trim()).filter(|b| !b.is_empty());
    if body.is_some_and(|b| !bodies.iter().any(|(_, slug, _)| slug == b)) {
        problems.push("Kies een orgaan uit de lijst.");
    }
    let year = match asked.jaar.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                problems.push("Het jaar is een getal zoals 2024.");
                None
            }
        },
    };
    let outcome = match asked.uitkomst.trim() {
        "" => None,
        code => {
            let parsed = ItemOutcome::parse(code);
            if parsed.is_none() {
                problems.push("Kies een uitkomst uit de lijst.");
            }
            parsed
        }
    };
    let query = Some(asked.q.trim()).filter(|q| !q.is_empty());
    if query.is_some_and(|q| q.chars().count() > MAX_QUERY) {
        problems.push("De zoektekst is te lang (hoogstens 200 tekens).");
    }
    let page = asked
        .pagina
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=10_000).contains(p))
        .unwrap_or(1);
    let (mut decisions, status) = if problems.is_empty() {
        let reader = Reader::of(ctx.user.as_ref());
        let filter = Filter {
            meeting: None,
            body,
            year,
            outcome,
            query,
            page,
        };
        (decisions(&state.db, reader, filter).await?, StatusCode::OK)
    } else {
        (Vec::new(), StatusCode::BAD_REQUEST)
    };
    let more = decisions.len() as i64 > PER_PAGE;
    decisions.truncate(PER_PAGE as usize);
    let page = RegisterPage {
        ctx,
        asked,
        bodies,
        outcomes: &ItemOutcome::ALL,
        decisions,
        problems,
        page,
        more,
    };
    Ok((status, page::render(&page)).into_response())
}
