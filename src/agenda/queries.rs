//! Agenda items: proposals, the secretariat's review, the agenda of a
//! meeting. Every write runs in the caller's transaction with its audit row
//! and, for a change of status, an `agenda_item_event`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use crate::audit;
use crate::auth::Reader;
use crate::base::Result;
use crate::base::write::Outcome;
use crate::meetings::MeetingStatus;

crate::coded! {
    pub enum ItemKind: "agenda_item_kind" {
        Information => ("information", "ter informatie"),
        Discussion => ("discussion", "ter bespreking"),
        Decision => ("decision", "ter beslissing"),
    }
}

crate::coded! {
    pub enum ItemStatus: "agenda_item_status" {
        Submitted => ("submitted", "ingediend"),
        InReview => ("in_review", "in behandeling"),
        Returned => ("returned", "teruggestuurd"),
        Accepted => ("accepted", "aanvaard"),
        Deferred => ("deferred", "uitgesteld"),
        Rejected => ("rejected", "afgewezen"),
        Withdrawn => ("withdrawn", "ingetrokken"),
        DealtWith => ("dealt_with", "behandeld"),
    }
}

impl ItemStatus {
    /// The proposer may still change or withdraw it.
    pub fn is_open_to_proposer(self) -> bool {
        matches!(self, ItemStatus::Submitted | ItemStatus::Returned)
    }

    /// Waiting for the secretariat's decision.
    pub fn awaits_review(self) -> bool {
        matches!(
            self,
            ItemStatus::Submitted | ItemStatus::InReview | ItemStatus::Deferred
        )
    }
}

/// The statuses the secretariat decides from.
pub const REVIEWABLE: [ItemStatus; 3] = [
    ItemStatus::Submitted,
    ItemStatus::InReview,
    ItemStatus::Deferred,
];
/// The statuses the proposer may edit or withdraw in.
pub const OPEN: [ItemStatus; 2] = [ItemStatus::Submitted, ItemStatus::Returned];

crate::coded! {
    /// What became of an item at its meeting.
    pub enum ItemOutcome: "agenda_outcome" {
        Noted => ("noted", "kennisgenomen"),
        Discussed => ("discussed", "besproken"),
        Decided => ("decided", "beslist"),
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub meeting_id: Option<i64>,
    #[serde(with = "crate::base::dutch::moment_option")]
    pub meeting_starts_at: Option<OffsetDateTime>,
    pub meeting_status: Option<MeetingStatus>,
    pub proposer_organisation_id: Option<i64>,
    pub proposer_minister_id: Option<i64>,
    pub proposer_account_id: Option<i64>,
    pub proposer: String,
    pub title: String,
    pub explanation: String,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub answer: Option<String>,
    pub position: Option<i32>,
    pub number: Option<String>,
    pub outcome: Option<ItemOutcome>,
    pub decision_text: Option<String>,
    pub confidential: bool,
    #[serde(with = "crate::base::dutch::moment_option")]
    pub embargo_until: Option<OffsetDateTime>,
    pub carried_over_from_id: Option<i64>,
    /// The agreement it concerns.
    pub agreement_id: Option<i64>,
    /// The earlier meeting whose minutes this item approves ("Goedkeuring
    /// van het verslag"): decided, they are approved.
    pub approves_minutes_of_id: Option<i64>,
    pub version: i32,
    /// Declared conflicts of interest: shown wherever the item is.
    pub conflicts: sqlx::types::Json<Vec<super::conflicts::Conflict>>,
}

/// The items' columns. `reader` (an SQL expression of type `reader`) sees
/// the decision (outcome and decision text) only where `decision_visible`
/// lets it; without one (the secretariat's and the operations' own reads)
/// it is as stored.
fn select(reader: Option<&str>) -> String {
    let decided = |column: &str| match reader {
        Some(r) => format!("CASE WHEN decision_visible({r}, a, m, mi.status) THEN {column} END"),
        None => column.to_string(),
    };
    format!(
        "SELECT a.id, a.body_id, b.name AS body_name, a.meeting_id,
        m.starts_at AS meeting_starts_at, m.status AS meeting_status,
        a.proposer_organisation_id, a.proposer_minister_id, a.proposer_account_id,
        -- The minister's name only for items a minister proposed: joined,
        -- the generic plan hashed every person for every agenda read.
        coalesce(CASE WHEN a.proposer_minister_id IS NOT NULL THEN
                     (SELECT 'kabinet ' || pm.given_name || ' ' || pm.family_name
                      FROM person pm WHERE pm.id = a.proposer_minister_id)
                 END, o.short_name, '') AS proposer,
        a.title, a.explanation, a.kind, a.status, a.answer, a.position, a.number,
        {} AS outcome, {} AS decision_text,
        a.confidential, a.embargo_until, a.carried_over_from_id, a.agreement_id,
        a.approves_minutes_of_id, a.version,
        (SELECT coalesce(json_agg(json_build_object(
                    'person', p.given_name || ' ' || p.family_name, 'reason', c.reason)
                    ORDER BY p.family_name, p.given_name), '[]')
         FROM conflict_of_interest c JOIN person p ON p.id = c.person_id
         WHERE c.agenda_item_id = a.id) AS conflicts
    FROM agenda_item a
    JOIN body b ON b.id = a.body_id
    LEFT JOIN meeting m ON m.id = a.meeting_id
    LEFT JOIN minutes mi ON mi.meeting_id = a.meeting_id
    LEFT JOIN organisation o ON o.id = a.proposer_organisation_id",
        decided("a.outcome"),
        decided("a.decision_text")
    )
}

/// The item, if `reader` may see it (`agenda_item_visible`, on the day of
/// its meeting).
pub async fn get_visible(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<AgendaItem>> {
    sqlx::query_as(&format!(
        "{} WHERE a.id = $1
            AND agenda_item_visible($2, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)",
        select(Some("$2"))
    ))
    .bind(id)
    .bind(reader)
    .fetch_optional(db)
    .await
}

/// The item, if `reader` may work on it: the secretariat any, a proposer
/// its own (`agenda_item_owned`). Others see items on the meeting pages.
pub async fn get_for_proposer(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<AgendaItem>> {
    sqlx::query_as(&format!(
        "{} WHERE a.id = $1 AND (($2::reader).reads_all OR agenda_item_owned($2, a))",
        select(Some("$2"))
    ))
    .bind(id)
    .bind(reader)
    .fetch_optional(db)
    .await
}

pub async fn exists(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agenda_item WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AgendaItem>> {
    sqlx::query_as(&format!("{} WHERE a.id = $1", select(None)))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The items `reader` proposed (`agenda_item_owned`): of its organisation,
/// or of its minister's cabinet.
pub async fn for_proposer(
    db: impl PgExecutor<'_>,
    reader: Reader,
) -> sqlx::Result<Vec<AgendaItem>> {
    sqlx::query_as(&format!(
        "{} WHERE agenda_item_owned($1, a) ORDER BY a.created_at DESC, a.id DESC",
        select(Some("$1"))
    ))
    .bind(reader)
    .fetch_all(db)
    .await
}

/// Proposals waiting for the secretariat, oldest first.
pub async fn queue(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<AgendaItem>> {
    sqlx::query_as(&format!(
        "{} WHERE a.status IN ('submitted', 'in_review', 'deferred') AND a.position IS NULL
         ORDER BY a.created_at, a.id",
        select(None)
    ))
    .fetch_all(db)
    .await
}

/// What the review queue warns of, per proposal: submitted after its
/// meeting's proposal deadline; for decision without a document;
/// confidential without a release time; competences none of the invited
/// ministers holds on the meeting's day.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Completeness {
    pub id: i64,
    pub late: bool,
    pub no_document: bool,
    pub no_release: bool,
    pub no_minister: bool,
}

pub async fn queue_completeness(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Completeness>> {
    sqlx::query_as(
        "SELECT a.id,
                coalesce(a.created_at > m.proposal_deadline, false) AS late,
                a.kind = 'decision'
                    AND NOT EXISTS (SELECT 1 FROM document d WHERE d.agenda_item_id = a.id)
                    AS no_document,
                a.confidential AND a.embargo_until IS NULL AS no_release,
                m.id IS NOT NULL
                    AND EXISTS (SELECT 1 FROM agenda_item_competence c WHERE c.agenda_item_id = a.id)
                    AND NOT EXISTS (
                        SELECT 1 FROM agenda_item_competence c
                        JOIN minister_competence mc ON mc.competence_id = c.competence_id
                        JOIN meeting_participant mp
                          ON mp.meeting_id = m.id AND mp.person_id = mc.person_id AND mp.invited
                        WHERE c.agenda_item_id = a.id
                          AND (m.starts_at AT TIME ZONE 'Europe/Brussels')::date
                              BETWEEN mc.valid_from AND coalesce(mc.valid_until, 'infinity'))
                    AS no_minister
         FROM agenda_item a LEFT JOIN meeting m ON m.id = a.meeting_id
         WHERE a.status IN ('submitted', 'in_review', 'deferred') AND a.position IS NULL",
    )
    .fetch_all(db)
    .await
}

/// The agenda of a meeting, in order, as `reader` may see it
/// (`agenda_item_visible`: a confidential item only for the members).
pub async fn on_meeting(
    db: impl PgExecutor<'_>,
    meeting: i64,
    reader: Reader,
) -> sqlx::Result<Vec<AgendaItem>> {
    sqlx::query_as(&format!(
        "{} WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)
            AND agenda_item_visible($2, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY a.position",
        select(Some("$2"))
    ))
    .bind(meeting)
    .bind(reader)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub from_status: Option<ItemStatus>,
    pub to_status: ItemStatus,
    pub comment: String,
    pub who: Option<String>,
    pub at: OffsetDateTime,
}

pub async fn events(db: impl PgExecutor<'_>, item: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "SELECT e.from_status, e.to_status, e.comment, ac.display_name AS who, e.at
         FROM agenda_item_event e LEFT JOIN account ac ON ac.id = e.account_id
         WHERE e.agenda_item_id = $1 ORDER BY e.at, e.id",
    )
    .bind(item)
    .fetch_all(db)
    .await
}

pub async fn competences(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM competence ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn item_competences(
    db: impl PgExecutor<'_>,
    item: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT c.id, c.name FROM agenda_item_competence ic JOIN competence c ON c.id = ic.competence_id
         WHERE ic.agenda_item_id = $1 ORDER BY c.name",
    )
    .bind(item)
    .fetch_all(db)
    .await
}

/// A meeting one can still put items on.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct OpenMeeting {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    #[serde(with = "crate::base::dutch::moment")]
    pub starts_at: OffsetDateTime,
    pub status: MeetingStatus,
}

pub async fn open_meetings(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<OpenMeeting>> {
    sqlx::query_as(
        "SELECT m.id, m.body_id, b.name AS body_name, m.starts_at, m.status
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE m.status IN ('planned', 'convened') ORDER BY m.starts_at, m.id",
    )
    .fetch_all(db)
    .await
}

/// What a proposer (or the secretariat) fills in.
#[derive(Debug, Clone, Serialize)]
pub struct ItemFields {
    pub body_id: i64,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub explanation: String,
    pub kind: ItemKind,
    pub competences: Vec<i64>,
    pub confidential: bool,
    /// When a confidential item becomes public by itself (none: it stays
    /// confidential).
    #[serde(with = "crate::base::dutch::moment_option")]
    pub embargo_until: Option<OffsetDateTime>,
    /// The agreement it concerns.
    pub agreement_id: Option<i64>,
    /// The earlier meeting whose minutes it approves (the secretariat's
    /// own item only).
    pub approves_minutes_of: Option<i64>,
}

/// Who proposes: an organisation, or a minister's cabinet.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Proposer {
    pub organisation: Option<i64>,
    pub minister: Option<i64>,
    pub account: i64,
}

async fn event(
    conn: &mut PgConnection,
    actor: i64,
    item: i64,
    from: Option<ItemStatus>,
    to: ItemStatus,
    comment: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO agenda_item_event (agenda_item_id, from_status, to_status, comment, account_id)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(item)
    .bind(from)
    .bind(to)
    .bind(comment)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

async fn set_competences(conn: &mut PgConnection, item: i64, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM agenda_item_competence WHERE agenda_item_id = $1")
        .bind(item)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO agenda_item_competence (agenda_item_id, competence_id)
         SELECT $1, c.id FROM competence c WHERE c.id = ANY($2) ON CONFLICT DO NOTHING",
    )
    .bind(item)
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Numbers follow the order until the meeting is convened; after that they
/// stay put, and only items without a number get one.
async fn renumber(conn: &mut PgConnection, meeting: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE agenda_item a SET number = a.position::text
         FROM meeting m
         WHERE m.id = a.meeting_id AND a.meeting_id = $1 AND a.position IS NOT NULL
           AND (m.status = 'planned' OR a.number IS NULL)",
    )
    .bind(meeting)
    .execute(conn)
    .await?;
    Ok(())
}

/// A proposal, submitted; or, with `place`, the secretariat's own item put
/// straight on the meeting's agenda.
pub async fn create(
    conn: &mut PgConnection,
    by: Proposer,
    f: &ItemFields,
    place: bool,
) -> Result<Outcome<i64>> {
    let status = if place {
        ItemStatus::Accepted
    } else {
        ItemStatus::Submitted
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, proposer_minister_id,
                                  proposer_account_id, title, explanation, kind, confidential, status, position,
                                  embargo_until, agreement_id, approves_minutes_of_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 CASE WHEN $11 THEN (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $2) END,
                 $12, $13, $14)
         RETURNING id",
    )
    .bind(f.body_id)
    .bind(f.meeting_id)
    .bind(by.organisation)
    .bind(by.minister)
    .bind(by.account)
    .bind(&f.title)
    .bind(&f.explanation)
    .bind(f.kind)
    .bind(f.confidential)
    .bind(status)
    .bind(place)
    .bind(f.embargo_until)
    .bind(f.agreement_id)
    .bind(f.approves_minutes_of)
    .fetch_one(&mut *conn)
    .await?;
    set_competences(conn, id, &f.competences).await?;
    let comment = if place {
        "Door het secretariaat op de agenda gezet"
    } else {
        "Ingediend"
    };
    event(conn, by.account, id, None, status, comment).await?;
    if let (true, Some(m)) = (place, f.meeting_id) {
        renumber(conn, m).await?;
    }
    audit::Entry::new("create", "agenda_item", id)
        .after(json!({ "fields": f, "proposer": by, "status": status }))
        .write(conn, by.account)
        .await?;
    Ok(Outcome::Done(id))
}

/// The proposer's changes; a returned item is submitted again.
pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgendaItem,
    seen_version: i32,
    f: &ItemFields,
) -> Result<Outcome> {
    let rows = sqlx::query(
        "UPDATE agenda_item SET body_id = $3, meeting_id = $4, title = $5, explanation = $6, kind = $7,
                confidential = $8, embargo_until = $9, agreement_id = $10, status = 'submitted',
                version = version + 1,
                modified_at = now()
         WHERE id = $1 AND version = $2 AND status IN ('submitted', 'returned')",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(f.body_id)
    .bind(f.meeting_id)
    .bind(&f.title)
    .bind(&f.explanation)
    .bind(f.kind)
    .bind(f.confidential)
    .bind(f.embargo_until)
    .bind(f.agreement_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    set_competences(conn, before.id, &f.competences).await?;
    if before.status == ItemStatus::Returned {
        event(
            conn,
            actor,
            before.id,
            Some(ItemStatus::Returned),
            ItemStatus::Submitted,
            "Aangepast en opnieuw ingediend",
        )
        .await?;
    }
    audit::Entry::new("update", "agenda_item", before.id)
        .before(json!(before))
        .after(json!(f))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// A change of status.
pub struct Transition<'a> {
    pub from: &'a [ItemStatus],
    pub to: ItemStatus,
    /// The meeting it is for afterwards (NULL: none).
    pub meeting: Option<i64>,
    /// Put it at the end of that meeting's agenda.
    pub place: bool,
    /// What the proposer sees as the secretariat's answer.
    pub answer: Option<&'a str>,
    pub comment: &'a str,
}

pub async fn transition(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgendaItem,
    seen_version: i32,
    t: &Transition<'_>,
) -> Result<Outcome> {
    let rows = sqlx::query(
        "UPDATE agenda_item SET status = $3, meeting_id = $4,
                position = CASE WHEN $5 THEN (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $4) END,
                number = NULL, answer = $6, version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND status = ANY($7)",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(t.to)
    .bind(t.meeting)
    .bind(t.place)
    .bind(t.answer)
    .bind(t.from)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    event(conn, actor, before.id, Some(before.status), t.to, t.comment).await?;
    if let (true, Some(m)) = (t.place, t.meeting) {
        renumber(conn, m).await?;
    }
    audit::Entry::new("set_status", "agenda_item", before.id).before(json!({ "status": before.status, "meeting_id": before.meeting_id })).after(json!({ "status": t.to, "meeting_id": t.meeting, "answer": t.answer, "comment": t.comment })).write(conn, actor)
    .await?;
    Ok(Outcome::Done(()))
}

/// Swaps an item with its neighbour above (`up`) or below; stale when
/// there is none (any more).
pub async fn move_item(
    conn: &mut PgConnection,
    actor: i64,
    meeting: i64,
    item: i64,
    up: bool,
) -> Result<Outcome> {
    // Both rows briefly share a position inside the swap.
    sqlx::query("SET CONSTRAINTS agenda_item_position_key DEFERRED")
        .execute(&mut *conn)
        .await?;
    let rows: Vec<(i64, i32)> = sqlx::query_as(
        "SELECT id, position FROM agenda_item
         WHERE meeting_id = $1 AND status IN ('accepted', 'dealt_with') AND position IS NOT NULL
         ORDER BY position FOR UPDATE",
    )
    .bind(meeting)
    .fetch_all(&mut *conn)
    .await?;
    let Some(i) = rows.iter().position(|(id, _)| *id == item) else {
        return Ok(Outcome::Stale);
    };
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    let Some(&(other, other_pos)) = j.and_then(|j| rows.get(j)) else {
        return Ok(Outcome::Stale);
    };
    let my_pos = rows[i].1;
    for (id, pos) in [(item, other_pos), (other, my_pos)] {
        sqlx::query("UPDATE agenda_item SET position = $2, modified_at = now(), version = version + 1 WHERE id = $1")
            .bind(id)
            .bind(pos)
            .execute(&mut *conn)
            .await?;
    }
    renumber(conn, meeting).await?;
    audit::Entry::new("move", "agenda_item", item)
        .before(json!({ "position": my_pos }))
        .after(json!({ "position": other_pos, "swapped_with": other }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// An item on a meeting's agenda as the builder orders it.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Placed {
    pub id: i64,
    pub position: i32,
    pub version: i32,
}

/// The items on the meeting's agenda, in order, their rows locked until the
/// end of the transaction: what a move works on.
pub async fn lock_order(conn: &mut PgConnection, meeting: i64) -> sqlx::Result<Vec<Placed>> {
    sqlx::query_as(
        "SELECT id, position, version FROM agenda_item
         WHERE meeting_id = $1 AND status IN ('accepted', 'dealt_with') AND position IS NOT NULL
         ORDER BY position FOR UPDATE",
    )
    .bind(meeting)
    .fetch_all(conn)
    .await
}

/// Moves `order[from]` to index `to` of the (locked) order: the items in
/// between shift by one, each keeping to the places the agenda had (what
/// else holds a place, e.g. a carried-over item, stays put). Numbers follow
/// the existing rules (`renumber`); audited as a move.
pub async fn move_to(
    conn: &mut PgConnection,
    actor: i64,
    meeting: i64,
    order: &[Placed],
    from: usize,
    to: usize,
) -> Result<Outcome> {
    let moved = order[from];
    let mut ids: Vec<i64> = order.iter().map(|p| p.id).collect();
    let id = ids.remove(from);
    ids.insert(to, id);
    // Rows briefly share a position while they shift.
    sqlx::query("SET CONSTRAINTS agenda_item_position_key DEFERRED")
        .execute(&mut *conn)
        .await?;
    for (new_id, old) in ids.iter().zip(order) {
        if *new_id == old.id {
            continue;
        }
        sqlx::query(
            "UPDATE agenda_item SET position = $2, modified_at = now(), version = version + 1
             WHERE id = $1",
        )
        .bind(new_id)
        .bind(old.position)
        .execute(&mut *conn)
        .await?;
    }
    renumber(conn, meeting).await?;
    audit::Entry::new("move", "agenda_item", moved.id)
        .before(json!({ "position": moved.position, "place": from + 1 }))
        .after(json!({ "position": order[to].position, "place": to + 1 }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Records the decision on an accepted item (it is then dealt with), or
/// changes it on one already dealt with (while its minutes are open):
/// stale when the item changed since the form was loaded.
pub async fn set_decision(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgendaItem,
    seen_version: i32,
    outcome: ItemOutcome,
    decision_text: Option<&str>,
) -> Result<Outcome> {
    if !matches!(before.status, ItemStatus::Accepted | ItemStatus::DealtWith) {
        return Ok(Outcome::Stale);
    }
    let rows = sqlx::query(
        "UPDATE agenda_item SET status = 'dealt_with', outcome = $3, decision_text = $4,
                version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND status = $5",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(outcome)
    .bind(decision_text)
    .bind(before.status)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    let after = json!({ "status": ItemStatus::DealtWith, "outcome": outcome, "decision_text": decision_text });
    let entry = if before.status == ItemStatus::Accepted {
        let (from, to) = (Some(before.status), ItemStatus::DealtWith);
        event(conn, actor, before.id, from, to, outcome.label()).await?;
        audit::Entry::new("outcome", "agenda_item", before.id)
            .before(json!({ "status": before.status }))
    } else {
        audit::Entry::new("revise_outcome", "agenda_item", before.id)
            .before(json!({ "outcome": before.outcome, "decision_text": before.decision_text }))
    };
    entry.after(after).write(conn, actor).await?;
    Ok(Outcome::Done(()))
}

/// Corrects the decision text of an item of approved minutes: the text it
/// had (the caller records the correction; this writes and audits the
/// change). `None` when the item is no decided item of that meeting.
pub async fn correct_decision(
    conn: &mut PgConnection,
    actor: i64,
    meeting: i64,
    item: i64,
    text: &str,
) -> Result<Option<String>> {
    let old: Option<Option<String>> = sqlx::query_scalar(
        "SELECT decision_text FROM agenda_item
         WHERE id = $1 AND meeting_id = $2 AND status = 'dealt_with' FOR UPDATE",
    )
    .bind(item)
    .bind(meeting)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(old) = old else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE agenda_item SET decision_text = $2, version = version + 1, modified_at = now()
         WHERE id = $1",
    )
    .bind(item)
    .bind(text)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("correct_decision", "agenda_item", item)
        .before(json!({ "decision_text": old }))
        .after(json!({ "decision_text": text }))
        .write(conn, actor)
        .await?;
    Ok(Some(old.unwrap_or_default()))
}

/// Carries an accepted item over to a later meeting: it stays on the agenda
/// that was sent (as deferred, its number kept), and a copy linked to it goes
/// to the end of the later meeting's agenda.
pub async fn carry_over(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgendaItem,
    seen_version: i32,
    to_meeting: i64,
    note: &str,
) -> Result<Outcome<i64>> {
    let rows = sqlx::query(
        "UPDATE agenda_item SET status = 'deferred', answer = $3, version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND status = 'accepted'",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(note)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, proposer_minister_id,
                                  proposer_account_id, title, explanation, kind, confidential, status,
                                  position, carried_over_from_id, agreement_id,
                                  approves_minutes_of_id)
         SELECT body_id, $2, proposer_organisation_id, proposer_minister_id, proposer_account_id, title,
                explanation, kind, confidential, 'accepted',
                (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $2), id,
                agreement_id, approves_minutes_of_id
         FROM agenda_item WHERE id = $1
         RETURNING id",
    )
    .bind(before.id)
    .bind(to_meeting)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO agenda_item_competence (agenda_item_id, competence_id)
         SELECT $2, competence_id FROM agenda_item_competence WHERE agenda_item_id = $1",
    )
    .bind(before.id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    event(
        conn,
        actor,
        before.id,
        Some(ItemStatus::Accepted),
        ItemStatus::Deferred,
        note,
    )
    .await?;
    event(
        conn,
        actor,
        id,
        None,
        ItemStatus::Accepted,
        &format!("Doorgeschoven van agendapunt {}", before.id),
    )
    .await?;
    renumber(conn, to_meeting).await?;
    audit::Entry::new("carry_over", "agenda_item", before.id)
        .before(json!({ "meeting_id": before.meeting_id, "status": before.status }))
        .after(json!({ "meeting_id": to_meeting, "new_item": id }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

/// The item's status, its row locked until the end of the transaction.
pub async fn lock_status(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<ItemStatus>> {
    sqlx::query_scalar("SELECT status FROM agenda_item WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(conn)
        .await
}
