//! What a proposer hears of the secretariat's decision on its proposal:
//! accepted, deferred, returned for changes (with the comment) or rejected
//! (with the reason). The message goes to every active account that acts
//! for the proposer, by the same rule that lets them see the item
//! (`agenda_item_owned`), through the outbox in the transaction of the
//! decision, as each mailbox chose (`mail::notify`).

use sqlx::PgConnection;

use super::queries::{AgendaItem, ItemStatus};
use crate::base::dutch;
use crate::mail::{self, Addressee, Kind, Letter, Site};

/// Writes the notice of `decision` on `item`; `meeting` is the label of
/// the meeting it was accepted for or deferred to. Returns how many
/// accounts were written to (whatever their choice).
pub async fn decided(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    item: &AgendaItem,
    decision: ItemStatus,
    meeting: Option<String>,
    comment: &str,
) -> sqlx::Result<usize> {
    let title = mail::one_line(&item.title);
    let (subject, first) = match decision {
        ItemStatus::Accepted => (
            format!("Aanvaard: {title}"),
            format!(
                "Het secretariaat heeft uw voorstel “{title}” ({}) aanvaard voor de vergadering van {}.",
                item.body_name,
                meeting.as_deref().unwrap_or("het orgaan")
            ),
        ),
        ItemStatus::Deferred => (
            format!("Uitgesteld: {title}"),
            match &meeting {
                Some(m) => format!(
                    "Het secretariaat heeft uw voorstel “{title}” ({}) uitgesteld naar de vergadering van {m}.",
                    item.body_name
                ),
                None => format!(
                    "Het secretariaat heeft uw voorstel “{title}” ({}) uitgesteld; de vergadering waarop het komt, is nog niet gekozen.",
                    item.body_name
                ),
            },
        ),
        ItemStatus::Returned => (
            format!("Aan te passen: {title}"),
            format!(
                "Het secretariaat vraagt u uw voorstel “{title}” ({}) aan te passen voor het op de agenda kan komen.",
                item.body_name
            ),
        ),
        ItemStatus::Rejected => (
            format!("Afgewezen: {title}"),
            format!(
                "Het secretariaat heeft uw voorstel “{title}” ({}) afgewezen.",
                item.body_name
            ),
        ),
        // Taking a proposal in review is no news for the proposer.
        _ => return Ok(0),
    };
    let mut paragraphs = vec![first];
    let comment = comment.trim();
    if !comment.is_empty() {
        let label = match decision {
            ItemStatus::Rejected => "Reden",
            _ => "Opmerking van het secretariaat",
        };
        paragraphs.push(format!("{label}: {comment}"));
    }
    paragraphs.push(format!("Beslist op {}.", dutch::nl_date(dutch::today())));
    let link = site.link(&format!("/agendapunten/{}", item.id));
    let accounts: Vec<Addressee> = sqlx::query_as(
        "SELECT acc.email, acc.display_name
         FROM account acc, agenda_item i
         WHERE i.id = $1 AND acc.disabled_at IS NULL
           AND acc.role IN ('social_partner', 'cabinet')
           AND agenda_item_owned(account_reader(acc, $2), i)
         ORDER BY acc.id",
    )
    .bind(item.id)
    .bind(dutch::today())
    .fetch_all(&mut *conn)
    .await?;
    let letter = Letter {
        name: String::new(),
        title: subject,
        paragraphs,
        link: Some(("Uw voorstel bekijken".into(), link)),
    };
    mail::notify::to_each(
        conn,
        Some(actor),
        site,
        accounts,
        Kind::ProposalDecision,
        letter,
    )
    .await
}
