//! Agenda versions: convening a meeting sends its agenda and freezes
//! version A; sending a changed agenda later freezes B, C… Every version
//! stays readable (`/vergaderingen/{id}/agenda/versies/{letter}`), and the
//! difference between two versions is listed per item: new, removed,
//! moved, renamed, documents added or removed, in words and symbols.
//!
//! Each reader sees of a version what the rules let them see of its items
//! (`agenda_item_visible_listed`, `document_visible`): a confidential item
//! leaves no trace in a version or a difference for whoever may not see it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use super::queries::ItemKind;
use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::error::{AppError, Result};
use crate::base::{AppState, Id, PageCtx, dutch, page};
use crate::meetings::{InvitationReason, Meeting};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/vergaderingen/{id}/agenda/versies/{letter}",
            Access::Public,
            show,
        )
        .get(
            "/vergaderingen/{id}/agenda/verschil",
            Access::Public,
            compare,
        )
}

/// A document as a version listed it. Two are the same when they are the
/// same stored document (`id`): a document row never changes, and
/// versions frozen before document versions existed lack the newer fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Doc {
    pub id: i64,
    pub filename: String,
    pub confidential: bool,
    /// The first version of this document (all its versions share it), and
    /// this one's number (1, 2 = bis…).
    #[serde(default)]
    pub lineage: Option<i64>,
    #[serde(default = "first")]
    pub version_no: i32,
}

fn first() -> i32 {
    1
}

impl PartialEq for Doc {
    fn eq(&self, other: &Doc) -> bool {
        self.id == other.id
    }
}

impl Eq for Doc {}

impl Doc {
    /// Is `other` a version of the same document?
    fn same_document(&self, other: &Doc) -> bool {
        self.lineage.unwrap_or(self.id) == other.lineage.unwrap_or(other.id)
    }

    /// "nota.pdf (bis)"
    pub fn name(&self) -> String {
        super::documents::named(&self.filename, self.version_no)
    }
}

/// An item as a version listed it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    pub item_id: i64,
    pub position: i32,
    pub number: String,
    pub title: String,
    pub kind: ItemKind,
    pub confidential: bool,
    pub documents: Json<Vec<Doc>>,
    /// Who proposed it ([`PROPOSER`]): the item's, not frozen, as an item
    /// never changes hands.
    pub proposer: String,
}

/// Who proposed agenda item `a`, named as the agenda pages name them
/// (`queries::SELECT`): a minister's cabinet, an organisation, or nobody
/// (the secretariat's own items).
pub(super) const PROPOSER: &str = "coalesce(
        (SELECT 'kabinet ' || p.given_name || ' ' || p.family_name
         FROM person p WHERE p.id = a.proposer_minister_id),
        (SELECT o.short_name FROM organisation o WHERE o.id = a.proposer_organisation_id), '')";

/// A sent version, with the meeting as it sent it: moving the meeting or
/// changing who is invited later does not change what a version said.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub letter: String,
    pub sent_at: OffsetDateTime,
    /// The agenda as the meeting dealt with it.
    pub adopted: bool,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub online_url: Option<String>,
    /// The invitation list (`meeting_invitation_list`), for whom
    /// `meetings::is_member` lets see it.
    pub invitees: Json<Vec<Invitee>>,
}

/// Someone on the invitation list a version sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub name: String,
    pub organisation: Option<String>,
    pub reason: InvitationReason,
}

impl Version {
    pub fn sent(&self) -> String {
        dutch::nl_datetime(self.sent_at)
    }

    /// `meeting` as this version sent it: the hours, place and online link
    /// then; its body, kind and status as they are now (a version of a
    /// meeting cancelled since says so). Shown as any meeting is
    /// (`Meeting::facts`, `Meeting::when`).
    pub fn meeting_as_sent(&self, meeting: &Meeting) -> Meeting {
        Meeting {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            location: self.location.clone(),
            online_url: self.online_url.clone(),
            ..meeting.clone()
        }
    }
}

const DOCUMENTS_NOW: &str = "coalesce((SELECT jsonb_agg(jsonb_build_object(
        'id', d.id, 'filename', d.filename, 'confidential', d.confidential,
        'lineage', coalesce(d.first_id, d.id), 'version_no', d.version_no) ORDER BY d.id)
     FROM document d WHERE d.agenda_item_id = a.id AND NOT d.superseded), '[]')";

/// The agenda as it stands, every item on it (what a new version freezes).
async fn current(conn: &mut PgConnection, meeting: i64) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(&format!(
        "SELECT a.id AS item_id, a.position, coalesce(a.number, a.position::text) AS number,
                a.title, a.kind, a.confidential, {DOCUMENTS_NOW} AS documents,
                {PROPOSER} AS proposer
         FROM agenda_item a WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)
         ORDER BY a.position"
    ))
    .bind(meeting)
    .fetch_all(conn)
    .await
}

/// Version `letter` of `meeting` as `reader` may see it.
pub async fn listed(
    db: impl PgExecutor<'_>,
    meeting: i64,
    letter: &str,
    reader: Reader,
) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(&format!(
        "SELECT vi.agenda_item_id AS item_id, vi.position, vi.number, vi.title, vi.kind,
                vi.confidential,
                coalesce((SELECT jsonb_agg(e ORDER BY (e->>'id')::bigint)
                          FROM jsonb_array_elements(vi.documents) e
                          WHERE document_visible($3, (e->>'confidential')::boolean, a, a.body_id,
                                                 x.day)), '[]') AS documents,
                {PROPOSER} AS proposer
         FROM agenda_version v
         JOIN agenda_version_item vi ON vi.version_id = v.id
         JOIN agenda_item a ON a.id = vi.agenda_item_id
         JOIN meeting m ON m.id = v.meeting_id
         CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
         WHERE v.meeting_id = $1 AND v.letter = $2
           AND agenda_item_visible_listed($3, a, x.day)
         ORDER BY vi.position"
    ))
    .bind(meeting)
    .bind(letter)
    .bind(reader)
    .fetch_all(db)
    .await
}

/// The versions of a meeting, oldest first.
pub async fn sent(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Vec<Version>> {
    sqlx::query_as(
        "SELECT letter, sent_at, adopted, starts_at, ends_at, location, online_url, invitees
         FROM agenda_version WHERE meeting_id = $1 ORDER BY letter",
    )
    .bind(meeting)
    .fetch_all(db)
    .await
}

/// What freezing a version did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frozen {
    /// The new version's letter, and the one before it (none for A).
    New {
        letter: String,
        previous: Option<String>,
    },
    /// The agenda is as the last version listed it: nothing to send.
    Unchanged(String),
    /// All 26 letters are used.
    Full,
}

/// Freezes the agenda of `meeting` as its next version, with the meeting's
/// hours, place, online link and invitation list as they are now, in the
/// caller's transaction (the meeting's row is locked, so that two sendings
/// at once take two letters in turn).
pub async fn freeze(
    conn: &mut PgConnection,
    actor: Option<i64>,
    meeting: i64,
) -> sqlx::Result<Frozen> {
    sqlx::query("SELECT 1 FROM meeting WHERE id = $1 FOR UPDATE")
        .bind(meeting)
        .execute(&mut *conn)
        .await?;
    let versions = sent(&mut *conn, meeting).await?;
    let now = current(conn, meeting).await?;
    let previous = versions.last().map(|v| v.letter.clone());
    if let Some(last) = &previous {
        let everything = Reader {
            reads_all: true,
            signed_in: true,
            organisation_id: None,
            minister_id: None,
            today: dutch::today(),
        };
        if listed(&mut *conn, meeting, last, everything).await? == now {
            return Ok(Frozen::Unchanged(last.clone()));
        }
    }
    let Some(letter) = u8::try_from(versions.len())
        .ok()
        .filter(|n| *n < 26)
        .map(|n| char::from(b'A' + n).to_string())
    else {
        return Ok(Frozen::Full);
    };
    sqlx::query(&format!(
        "WITH v AS (INSERT INTO agenda_version (meeting_id, letter, sent_by, starts_at, ends_at,
                                                location, online_url, invitees)
                    SELECT id, $2, $3, starts_at, ends_at, location, online_url,
                           meeting_invitation_list(id)
                    FROM meeting WHERE id = $1 RETURNING id)
         INSERT INTO agenda_version_item (version_id, agenda_item_id, position, number, title,
                                          kind, confidential, documents)
         SELECT v.id, a.id, a.position, coalesce(a.number, a.position::text), a.title, a.kind,
                a.confidential, {DOCUMENTS_NOW}
         FROM v, agenda_item a WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)"
    ))
    .bind(meeting)
    .bind(&letter)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    crate::audit::Entry::new("send_agenda_version", "meeting", meeting)
        .after(serde_json::json!({ "letter": letter, "items": now.len() }))
        .write(conn, actor)
        .await?;
    Ok(Frozen::New { letter, previous })
}

/// Records the agenda the meeting dealt with (vastgestelde agenda): what
/// it listed last, frozen as a new version first if it changed since.
pub async fn adopt(conn: &mut PgConnection, actor: Option<i64>, meeting: i64) -> sqlx::Result<()> {
    if freeze(conn, actor, meeting).await? == Frozen::Full {
        tracing::warn!(
            meeting,
            "agenda: 26 versions, the last one is adopted as it is"
        );
    }
    sqlx::query(
        "UPDATE agenda_version SET adopted = (letter = (SELECT max(letter) FROM agenda_version
                                                      WHERE meeting_id = $1))
         WHERE meeting_id = $1",
    )
    .bind(meeting)
    .execute(conn)
    .await?;
    Ok(())
}

/// One change between two versions, for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// A symbol for the eye (`+`, `−`, `↕`, `✎`, `📎`); the words say it too.
    pub symbol: &'static str,
    pub text: String,
}

fn change(symbol: &'static str, text: String) -> Change {
    Change { symbol, text }
}

/// What changed from `from` to `to`, in agenda order of `to` (removed
/// items last). Once an agenda is sent its numbers stay; a move changes
/// an item's place among the items both versions list.
pub fn diff(from: &[Listed], to: &[Listed]) -> Vec<Change> {
    let common = |list: &[Listed]| -> Vec<i64> {
        list.iter()
            .map(|i| i.item_id)
            .filter(|id| {
                from.iter().any(|a| a.item_id == *id) && to.iter().any(|b| b.item_id == *id)
            })
            .collect()
    };
    let (order_a, order_b) = (common(from), common(to));
    let place = |order: &[i64], id: i64| order.iter().position(|x| *x == id).map_or(0, |p| p + 1);
    let mut changes = Vec::new();
    for b in to {
        let Some(a) = from.iter().find(|a| a.item_id == b.item_id) else {
            changes.push(change(
                "+",
                format!("Nieuw: {}. {} ({})", b.number, b.title, b.kind.label()),
            ));
            continue;
        };
        let (was, is) = (place(&order_a, a.item_id), place(&order_b, b.item_id));
        if was != is {
            changes.push(change(
                "↕",
                format!(
                    "Verplaatst van plaats {was} naar plaats {is}: {}. {}",
                    b.number, b.title
                ),
            ));
        }
        if a.number != b.number {
            changes.push(change(
                "↕",
                format!(
                    "Nieuw nummer: {} wordt {} ({})",
                    a.number, b.number, b.title
                ),
            ));
        }
        if a.title != b.title {
            changes.push(change(
                "✎",
                format!(
                    "Nieuwe titel voor {}: “{}” wordt “{}”",
                    b.number, a.title, b.title
                ),
            ));
        }
        // A new version of a document that `from` listed replaces it.
        let replaced = |old: &Doc| b.documents.iter().find(|d| d.same_document(old));
        for d in b.documents.iter().filter(|d| !a.documents.contains(d)) {
            if a.documents.iter().any(|old| d.same_document(old)) {
                continue;
            }
            let text = format!(
                "Document toegevoegd bij {}. {}: {}",
                b.number,
                b.title,
                d.name()
            );
            changes.push(change("📎", text));
        }
        for d in a.documents.iter().filter(|d| !b.documents.contains(d)) {
            changes.push(match replaced(d) {
                Some(new) => change(
                    "📎",
                    format!(
                        "Document vervangen bij {}. {}: {} wordt {}",
                        b.number,
                        b.title,
                        d.name(),
                        new.name()
                    ),
                ),
                None => change(
                    "−",
                    format!(
                        "Document weggehaald bij {}. {}: {}",
                        b.number,
                        b.title,
                        d.name()
                    ),
                ),
            });
        }
    }
    for a in from
        .iter()
        .filter(|a| to.iter().all(|b| b.item_id != a.item_id))
    {
        changes.push(change(
            "−",
            format!("Van de agenda gehaald: {}. {}", a.number, a.title),
        ));
    }
    changes
}

#[derive(Template)]
#[template(path = "agenda/version.html")]
struct VersionPage {
    ctx: PageCtx,
    meeting: Meeting,
    /// The meeting as the version sent it.
    sent: Meeting,
    /// Label and value, as the version's PDF heads itself: place and
    /// online link only for whom `meetings::is_member` lets see them.
    facts: Vec<[String; 2]>,
    /// May the reader see the place and the invitation list
    /// (`meetings::is_member`, as on the meeting page)?
    member: bool,
    version: Version,
    previous: Option<String>,
    items: Vec<Listed>,
}

/// The meeting and sent version a path names (`{id}`, `{letter}`), the
/// versions of that meeting and the place of this one among them; "not
/// found" for anything else.
pub async fn of_path(
    state: &AppState,
    (id, letter): &(String, String),
) -> Result<(Meeting, Vec<Version>, usize)> {
    let id = crate::base::extract::parse_id(id)?;
    let meeting = crate::meetings::load(state, id).await?;
    let versions = sent(&state.db, id).await?;
    let at = versions
        .iter()
        .position(|v| v.letter == *letter)
        .ok_or(AppError::NotFound)?;
    Ok((meeting, versions, at))
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> Result<Response> {
    let (meeting, mut versions, at) = of_path(&state, &path).await?;
    let reader = Reader::of(ctx.user.as_ref());
    let items = listed(&state.db, meeting.id, &path.1, reader).await?;
    let member = crate::meetings::is_member(&state, ctx.user.as_ref(), &meeting).await?;
    let previous = at.checked_sub(1).map(|p| versions[p].letter.clone());
    let version = versions.swap_remove(at);
    let sent = version.meeting_as_sent(&meeting);
    Ok(page::render(&VersionPage {
        ctx,
        facts: sent.facts(member),
        member,
        meeting,
        sent,
        version,
        previous,
        items,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct Between {
    #[serde(default)]
    van: String,
    #[serde(default)]
    naar: String,
}

#[derive(Template)]
#[template(path = "agenda/compare.html")]
struct ComparePage {
    ctx: PageCtx,
    meeting: Meeting,
    versions: Vec<Version>,
    between: Between,
    changes: Option<Vec<Change>>,
    error: Option<&'static str>,
}

/// Without a choice, the form to choose two versions; with two versions
/// of this meeting, what changed from the one to the other.
async fn compare(
    ctx: PageCtx,
    State(state): State<AppState>,
    Id(id): Id,
    Query(between): Query<Between>,
) -> Result<Response> {
    let meeting = crate::meetings::load(&state, id).await?;
    let versions = sent(&state.db, id).await?;
    let known = |l: &str| versions.iter().any(|v| v.letter == l);
    let (mut changes, mut error) = (None, None);
    if !between.van.is_empty() || !between.naar.is_empty() {
        if !known(&between.van) || !known(&between.naar) {
            error = Some("Kies twee verstuurde versies van deze vergadering.");
        } else if between.van == between.naar {
            error = Some("Kies twee verschillende versies.");
        } else {
            let reader = Reader::of(ctx.user.as_ref());
            let from = listed(&state.db, id, &between.van, reader).await?;
            let to = listed(&state.db, id, &between.naar, reader).await?;
            changes = Some(diff(&from, &to));
        }
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = ComparePage {
        ctx,
        meeting,
        versions,
        between,
        changes,
        error,
    };
    Ok((status, page::render(&page)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, number: &str, title: &str, docs: &[(i64, &str)]) -> Listed {
        Listed {
            item_id: id,
            position: number.parse().unwrap_or(0),
            number: number.into(),
            title: title.into(),
            kind: ItemKind::Discussion,
            confidential: false,
            documents: Json(
                docs.iter()
                    .map(|(id, f)| Doc {
                        id: *id,
                        filename: (*f).into(),
                        confidential: false,
                        lineage: None,
                        version_no: 1,
                    })
                    .collect(),
            ),
            proposer: String::new(),
        }
    }

    #[test]
    fn the_difference_names_each_change_in_words_and_a_symbol() {
        let a = [
            item(1, "1", "Verslag", &[]),
            item(2, "2", "Loopbanen", &[]),
            item(3, "3", "Varia", &[]),
        ];
        // Sent: numbers stay; 2 moved before 1, renamed, a document added;
        // 3 withdrawn, 4 new.
        let b = [
            item(2, "2", "Loopbaanbegeleiding", &[(9, "nota.pdf")]),
            item(1, "1", "Verslag", &[]),
            item(4, "4", "Opleidingscheques", &[]),
        ];
        let texts: Vec<String> = diff(&a, &b)
            .into_iter()
            .map(|c| format!("{} {}", c.symbol, c.text))
            .collect();
        assert_eq!(
            texts,
            [
                "↕ Verplaatst van plaats 2 naar plaats 1: 2. Loopbaanbegeleiding",
                "✎ Nieuwe titel voor 2: “Loopbanen” wordt “Loopbaanbegeleiding”",
                "📎 Document toegevoegd bij 2. Loopbaanbegeleiding: nota.pdf",
                "↕ Verplaatst van plaats 1 naar plaats 2: 1. Verslag",
                "+ Nieuw: 4. Opleidingscheques (ter bespreking)",
                "− Van de agenda gehaald: 3. Varia",
            ]
        );
        assert!(diff(&a, &a).is_empty());
        // A version frozen before document versions existed names its
        // documents without their lineage: the same document all the same.
        let mut old = b.clone();
        for item in &mut old {
            for d in item.documents.0.iter_mut() {
                d.lineage = Some(d.id);
                d.version_no = 1;
            }
        }
        assert!(diff(&old, &b).is_empty());
    }
}
