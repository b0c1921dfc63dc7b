//! The minutes as PDF (`/vergaderingen/{id}/verslag.pdf`): what the minutes
//! page shows the same reader, without its forms, rendered by `base::pdf`
//! from `templates/pdf/minutes.typ`. It is read through [`gather`], so the
//! same rules decide: `minutes_visible` for the minutes, `decision_visible`
//! for each decision, the item's rule for its section and action points,
//! `meeting_internals_visible` for the place.

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use time::OffsetDateTime;

use super::{Minutes, Part, gather, title_of};
use crate::base::error::Result;
use crate::base::pdf::{Template, capitalized, paragraphs};
use crate::base::{AppState, Id, PageCtx, dutch};
use crate::meetings::{Meeting, is_member, load};

static MINUTES: Template = Template {
    name: "minutes.typ",
    source: include_str!("../../../templates/pdf/minutes.typ"),
};

pub(super) async fn pdf(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response> {
    let meeting = load(&state, id).await?;
    let minutes = gather(&state, &ctx, &meeting).await?;
    crate::audit::access(
        &state.db,
        ctx.user.as_ref().map(|u| u.id),
        "minutes_pdf.download",
        "meeting",
        meeting.id,
        &ctx.address,
    )
    .await?;
    let member = is_member(&state, ctx.user.as_ref(), &meeting).await?;
    let data = Data::new(&meeting, member, &minutes, OffsetDateTime::now_utc());
    let pdf = crate::base::pdf::render(&MINUTES, &data).await?;
    // Named as the agenda's PDF is (`agenda-vergadering-12.pdf`).
    let filename = format!("verslag-vergadering-{}.pdf", meeting.id);
    Ok(crate::base::pdf::inline(pdf, &filename))
}

/// What `templates/pdf/minutes.typ` reads: every text in Dutch and
/// formatted; long texts as paragraphs.
#[derive(Debug, Serialize)]
struct Data {
    title: String,
    heading: String,
    facts: Vec<[String; 2]>,
    /// "Aanwezig", "Ahmed Yilmaz (ACV), …"; a line for who was not
    /// registered yet.
    attendance: Vec<[String; 2]>,
    general: Vec<String>,
    parts: Vec<PartData>,
    corrections: Vec<CorrectionData>,
    footer: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct PartData {
    heading: String,
    line: String,
    conflicts: Vec<String>,
    summary: Vec<String>,
    /// The outcome and the decision's text, where the reader may see it.
    decision: Option<[String; 2]>,
    actions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct CorrectionData {
    title: String,
    line: String,
    old: String,
}

impl Data {
    fn new(meeting: &Meeting, member: bool, minutes: &Minutes, now: OffsetDateTime) -> Data {
        let day = meeting.long_day();
        let mut facts = meeting.facts(member);
        let mut status = minutes.header.status_line();
        if let Some(line) = minutes.header.approval() {
            status.push_str(&format!(" {line}."));
        }
        facts.push(["Verslag".into(), status]);
        let mut attendance = Vec::new();
        for (label, names) in [
            ("Aanwezig", &minutes.present),
            ("Verontschuldigd", &minutes.excused),
            ("Afwezig", &minutes.absent),
        ] {
            if !names.is_empty() {
                attendance.push([label.to_string(), names.join(", ")]);
            }
        }
        if attendance.is_empty() {
            attendance.push(["Aanwezigheid".into(), "nog niet geregistreerd".into()]);
        }
        let general = match minutes.header.text.as_deref().map(paragraphs) {
            Some(p) if !p.is_empty() => p,
            _ => vec!["Het algemene deel is nog niet geschreven.".into()],
        };
        Data {
            title: format!("Verslag {}, {day}", meeting.body_name),
            heading: "Verslag".into(),
            facts,
            attendance,
            general,
            parts: minutes.parts.iter().map(PartData::new).collect(),
            corrections: minutes
                .corrections
                .iter()
                .map(|c| CorrectionData {
                    title: format!(
                        "{}, {}",
                        title_of(&minutes.parts, c.agenda_item_id),
                        c.what()
                    ),
                    line: match &c.who {
                        Some(who) => {
                            format!("Verbeterd op {} door {who}. Reden: {}", c.when(), c.reason)
                        }
                        None => format!("Verbeterd op {}. Reden: {}", c.when(), c.reason),
                    },
                    old: c.old_text.clone(),
                })
                .collect(),
            footer: format!("{} · {day} · Verslag", meeting.body_name),
            note: format!(
                "Samengesteld op {} voor wie dit verslag opvroeg: het bevat wat die mag lezen.",
                dutch::nl_datetime(now)
            ),
        }
    }
}

impl PartData {
    fn new(part: &Part) -> PartData {
        let item = &part.item;
        let mut line = item.kind.label().to_string();
        if !item.proposer.is_empty() {
            line.push_str(&format!(" · ingediend door {}", item.proposer));
        }
        if item.confidential {
            line.push_str(" · vertrouwelijk");
        }
        let mut summary = paragraphs(&part.summary);
        let decision = item.outcome.map(|o| {
            let label = capitalized(o.label());
            [label, item.decision_text.clone().unwrap_or_default()]
        });
        if summary.is_empty() && decision.is_none() {
            summary.push("Voor dit punt is nog niets genoteerd.".into());
        }
        PartData {
            heading: format!("{}. {}", item.shown_number(), item.title),
            line,
            conflicts: item.conflicts.iter().map(|c| c.sentence()).collect(),
            summary,
            decision,
            actions: part
                .actions
                .points
                .iter()
                .map(|p| {
                    let state = if p.is_open() {
                        if p.overdue { "open, te laat" } else { "open" }
                    } else {
                        p.status.label()
                    };
                    format!("{} — {}, tegen {} ({state})", p.what, p.assignee, p.due())
                })
                .collect(),
        }
    }
}
