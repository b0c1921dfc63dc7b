//! One timeline per agenda item: its whole path, with dates and who, from
//! the proposal to the decision and what follows from it. Only what the
//! reader may see: the item's page already passed `agenda_item_visible`,
//! the decision in `item` is there only where `decision_visible` let it,
//! and the steps of the review (returned, rejected, with the secretariat's
//! comments and names) are the proposer's and the secretariat's only, as
//! on the proposer's own page of the item.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use super::{AgendaItem, ItemStatus};
use crate::base::dutch;

/// A step of the path.
#[derive(Debug, Clone)]
pub struct Step {
    pub at: OffsetDateTime,
    pub what: String,
    /// Who took it, where the reader may know.
    pub who: Option<String>,
    /// A page that says more: (address, text).
    pub link: Option<(String, String)>,
}

impl Step {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.at)
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    kind: String,
    at: OffsetDateTime,
    from_status: Option<ItemStatus>,
    to_status: Option<ItemStatus>,
    comment: Option<String>,
    who: Option<String>,
    letter: Option<String>,
    other: Option<i64>,
    other_label: Option<String>,
}

/// The raw steps of `item`: its events, the sent agenda versions that
/// listed it, the approval of its meeting's minutes, the item it was
/// carried over to (or from).
async fn rows(db: impl PgExecutor<'_>, item: i64) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(
        "SELECT 'event' AS kind, e.at, e.from_status, e.to_status, e.comment,
                ac.display_name AS who, NULL AS letter, NULL::bigint AS other,
                NULL AS other_label
         FROM agenda_item_event e LEFT JOIN account ac ON ac.id = e.account_id
         WHERE e.agenda_item_id = $1
         UNION ALL
         SELECT 'version', v.sent_at, NULL, NULL, NULL, NULL, v.letter, v.meeting_id, NULL
         FROM agenda_version_item vi JOIN agenda_version v ON v.id = vi.version_id
         WHERE vi.agenda_item_id = $1
         UNION ALL
         SELECT 'minutes', mi.modified_at, NULL, NULL, NULL, NULL, NULL, a.meeting_id,
                to_char(mi.approved_on, 'YYYY-MM-DD')
         FROM agenda_item a JOIN minutes mi ON mi.meeting_id = a.meeting_id
         WHERE a.id = $1 AND mi.status = 'approved'
         UNION ALL
         SELECT 'carried', c.created_at, NULL, NULL, NULL, NULL, NULL, c.id,
                b.name || ', ' || to_char(m.starts_at AT TIME ZONE 'Europe/Brussels', 'DD-MM-YYYY')
         FROM agenda_item c JOIN meeting m ON m.id = c.meeting_id JOIN body b ON b.id = c.body_id
         WHERE c.carried_over_from_id = $1
         ORDER BY 2",
    )
    .bind(item)
    .fetch_all(db)
    .await
}

/// The timeline of `item` as the reader sees it; `workspace`: the reader is
/// its proposer or the secretariat, who see the review with its comments.
pub async fn of_item(
    db: impl PgExecutor<'_>,
    item: &AgendaItem,
    workspace: bool,
) -> sqlx::Result<Vec<Step>> {
    let mut steps = Vec::new();
    for r in rows(db, item.id).await? {
        let step = match r.kind.as_str() {
            "event" => {
                let Some(to) = r.to_status else { continue };
                event(item, workspace, r.from_status, to, r.comment, r.who)
            }
            "version" => {
                let letter = r.letter.unwrap_or_default();
                Some((
                    format!("Op de verstuurde agenda, versie {letter}"),
                    None,
                    r.other.map(|m| {
                        (
                            format!("/vergaderingen/{m}/agenda/versies/{letter}"),
                            format!("versie {letter}"),
                        )
                    }),
                ))
            }
            // The approval shows only with the decision it makes public.
            "minutes" if item.outcome.is_some() => Some((
                "Verslag van de vergadering goedgekeurd".to_string(),
                None,
                r.other.map(|m| {
                    (
                        format!("/vergaderingen/{m}/besluiten"),
                        "besluitenlijst".to_string(),
                    )
                }),
            )),
            "carried" => Some((
                format!(
                    "Doorgeschoven naar de vergadering van {}",
                    r.other_label.unwrap_or_default()
                ),
                None,
                r.other
                    .map(|c| (format!("/punten/{c}"), "het punt daar".to_string())),
            )),
            _ => None,
        };
        if let Some((what, who, link)) = step {
            steps.push(Step {
                at: r.at,
                what,
                who,
                link,
            });
        }
    }
    Ok(steps)
}

type Said = (String, Option<String>, Option<(String, String)>);

/// One status change, as the reader may know it.
fn event(
    item: &AgendaItem,
    workspace: bool,
    from: Option<ItemStatus>,
    to: ItemStatus,
    comment: Option<String>,
    who: Option<String>,
) -> Option<Said> {
    if workspace {
        let mut what = match from {
            Some(f) => format!("{} → {}", f.label(), to.label()),
            None => to.label().to_string(),
        };
        if let Some(c) = comment.filter(|c| !c.is_empty()) {
            what.push_str(&format!(" — {c}"));
        }
        return Some((what, who, None));
    }
    // Others see the milestones the item's page shows anyway: proposed
    // (by its proposer), on the agenda, dealt with (with its decision only
    // where it may be seen).
    let what = match to {
        ItemStatus::Submitted if from.is_none() => {
            if item.proposer.is_empty() {
                "Voorgesteld".to_string()
            } else {
                format!("Voorgesteld door {}", item.proposer)
            }
        }
        ItemStatus::Accepted => match item.meeting_when() {
            when if when.is_empty() => "Aanvaard voor de agenda".to_string(),
            when => format!("Op de agenda van {}, {when}", item.body_name),
        },
        ItemStatus::DealtWith => match item.outcome {
            Some(o) => format!("Behandeld: {}", o.label()),
            None => "Behandeld".to_string(),
        },
        _ => return None,
    };
    Some((what, None, None))
}

/// The steps of the item's action points (those the reader may see): given,
/// reported done, closed; in the timeline's order.
pub fn with_points(mut steps: Vec<Step>, points: &[crate::actions::ActionPoint]) -> Vec<Step> {
    for p in points {
        let link = Some((format!("/actiepunten/{}", p.id), "actiepunt".to_string()));
        steps.push(Step {
            at: p.created_at,
            what: format!(
                "Actiepunt voor {}: {} (tegen {})",
                p.assignee,
                p.what,
                p.due()
            ),
            who: None,
            link: link.clone(),
        });
        if let Some(at) = p.reported_done_at {
            steps.push(Step {
                at,
                what: format!("Actiepunt gemeld als uitgevoerd door {}", p.assignee),
                who: p.reported_by.clone(),
                link: link.clone(),
            });
        }
        if let Some(at) = p.closed_at {
            let what = match p.status {
                crate::actions::Status::Done => "Actiepunt uitgevoerd (bevestigd)",
                _ => "Actiepunt geschrapt",
            };
            steps.push(Step {
                at,
                what: what.to_string(),
                who: None,
                link: link.clone(),
            });
        }
    }
    steps.sort_by_key(|s| s.at);
    steps
}
