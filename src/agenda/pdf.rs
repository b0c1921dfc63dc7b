//! The agenda as PDF, as a convocation carries it: the letterhead, the
//! meeting (body, kind, date, time, place), the numbered items with their
//! kind, proposer and documents, and the invitation list, rendered by
//! `base::pdf` from `templates/pdf/agenda.typ`; for the current agenda and
//! for each sent version, on its own and as the first file of the pack.
//!
//! It shows what the reader may see and nothing else: the items and
//! documents are the pack's ([`Agenda`]: the same queries, the same
//! visibility rules), and the place and the invitation list follow the
//! meeting page's rule (`meetings::is_member`). A version shows the
//! meeting as it sent it (its hours, place and invitation list then), the
//! current agenda the meeting as it stands.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;
use time::OffsetDateTime;

use super::pack::{Agenda, Packed};
use super::versions::Invitee;
use crate::auth::access::{Access, Routes};
use crate::auth::{CurrentUser, Reader};
use crate::base::error::Result;
use crate::base::pdf::Template;
use crate::base::{AppState, Id, PageCtx, dutch};

pub fn routes() -> Routes {
    Routes::new()
        .get("/vergaderingen/{id}/agenda.pdf", Access::Public, current)
        .get(
            "/vergaderingen/{id}/agenda/versies/{letter}/agenda.pdf",
            Access::Public,
            of_version,
        )
}

static AGENDA: Template = Template {
    name: "agenda.typ",
    source: include_str!("../../templates/pdf/agenda.typ"),
};

async fn current(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let agenda = Agenda::current(&state, Reader::of(ctx.user.as_ref()), id).await?;
    respond(&state, &ctx, &agenda).await
}

async fn of_version(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> Result<Response> {
    let agenda = Agenda::of_version(&state, Reader::of(ctx.user.as_ref()), &path).await?;
    respond(&state, &ctx, &agenda).await
}

async fn respond(state: &AppState, ctx: &PageCtx, agenda: &Agenda) -> Result<Response> {
    crate::audit::access(
        &state.db,
        ctx.user.as_ref().map(|u| u.id),
        "agenda_pdf.download",
        "meeting",
        agenda.meeting.id,
        &ctx.address,
    )
    .await?;
    let pdf = render(state, ctx.user.as_ref(), agenda).await?;
    let filename = format!("agenda-{}.pdf", agenda.file_stem());
    Ok(crate::base::pdf::inline(pdf, &filename))
}

/// The PDF of `agenda` for `user`.
pub(super) async fn render(
    state: &AppState,
    user: Option<&CurrentUser>,
    agenda: &Agenda,
) -> Result<Vec<u8>> {
    let member = crate::meetings::is_member(state, user, &agenda.meeting).await?;
    // A version's list as it sent it; else the meeting page's list
    // (`meetings/show.html`), without those no longer invited, as the
    // printable invitation list has it.
    let invitees = match &agenda.version {
        _ if !member => None,
        Some(v) => Some(v.invitees.iter().map(row).collect()),
        None => Some(
            crate::meetings::invitees(state, agenda.meeting.id)
                .await?
                .into_iter()
                .map(|p| {
                    row(&Invitee {
                        name: p.name,
                        organisation: p.organisation,
                        reason: p.reason,
                    })
                })
                .collect(),
        ),
    };
    let data = Data::new(agenda, member, invitees, OffsetDateTime::now_utc());
    crate::base::pdf::render(&AGENDA, &data).await
}

/// Name, organisation, invited as: a line of the invitation list.
fn row(p: &Invitee) -> [String; 3] {
    let organisation = p.organisation.clone().unwrap_or_default();
    [p.name.clone(), organisation, p.reason.label().to_string()]
}

/// What `templates/pdf/agenda.typ` reads: every text already in Dutch and
/// formatted, so that the template only lays it out.
#[derive(Debug, Serialize)]
struct Data {
    /// The document's title (its metadata, the window's title).
    title: String,
    /// "Agenda", "Agenda, versie B", "Agenda, versie C: vastgestelde agenda"
    heading: String,
    /// Label and value: the meeting.
    facts: Vec<[String; 2]>,
    items: Vec<Item>,
    /// What an agenda without items says.
    empty: &'static str,
    /// Name, organisation, invited as; none for who may not see the list.
    invitees: Option<Vec<[String; 3]>>,
    footer: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct Item {
    /// "3. Loopbaanbegeleiding": a heading, so a bookmark and a line of
    /// the table of contents.
    heading: String,
    /// "Soort: ter bespreking · Indiener: ACV · vertrouwelijk"
    line: String,
    /// "nota.pdf (bis)", "bijlage.xlsx · vertrouwelijk"
    documents: Vec<String>,
}

impl Data {
    fn new(
        agenda: &Agenda,
        member: bool,
        invitees: Option<Vec<[String; 3]>>,
        now: OffsetDateTime,
    ) -> Data {
        let sent = agenda
            .version
            .as_ref()
            .map(|v| v.meeting_as_sent(&agenda.meeting));
        let m = sent.as_ref().unwrap_or(&agenda.meeting);
        let day = m.long_day();
        let mut facts = m.facts(member);
        let mut heading = "Agenda".to_string();
        if let Some(v) = &agenda.version {
            heading.push_str(&format!(", versie {}", v.letter));
            if v.adopted {
                heading.push_str(": vastgestelde agenda");
            }
            facts.push(["Vastgelegd".into(), v.sent()]);
        }
        let version = agenda.version.as_ref();
        let of_version = version.map(|v| format!(", versie {}", v.letter));
        Data {
            title: format!(
                "Agenda {}, {day}{}",
                m.body_name,
                of_version.clone().unwrap_or_default()
            ),
            heading,
            facts,
            items: agenda.items.iter().map(Item::new).collect(),
            empty: if agenda.version.is_some() {
                "Deze versie van de agenda bevat geen punten die u mag zien."
            } else {
                "Er staat nog geen agendapunt op deze vergadering."
            },
            invitees,
            footer: format!(
                "{} · {day} · Agenda{}",
                m.body_name,
                of_version.unwrap_or_default()
            ),
            note: format!(
                "Samengesteld op {} voor wie deze agenda opvroeg: ze bevat wat die mag zien.",
                dutch::nl_datetime(now)
            ),
        }
    }
}

impl Item {
    fn new(item: &Packed) -> Item {
        let mut line = format!("Soort: {}", item.kind);
        if !item.proposer.is_empty() {
            line.push_str(&format!(" · Indiener: {}", item.proposer));
        }
        if item.confidential {
            line.push_str(" · vertrouwelijk");
        }
        Item {
            heading: format!("{}. {}", item.number, item.title),
            line,
            documents: item
                .documents
                .iter()
                .map(|d| {
                    if d.confidential {
                        format!("{} · vertrouwelijk", d.name)
                    } else {
                        d.name.clone()
                    }
                })
                .collect(),
        }
    }
}
