//! Full-text search in Dutch. The user's text goes to PostgreSQL only as a
//! bound parameter of `websearch_to_tsquery('dutch', $1)`, which accepts any
//! text (quotes, `-`, `or` are its syntax; everything else is ignored).
//!
//! The search filters on what the searcher may see *before* it builds a
//! snippet (`ts_headline`), so no hidden text can reach a snippet.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::auth::Reader;
use crate::meetings::{MeetingKind, MeetingStatus};

/// Marks the start and end of a matched word in a snippet: characters of
/// Unicode's private use area, which no Dutch text uses. They are turned
/// into `<mark>` by the template, after escaping.
pub const START: char = '\u{e000}';
pub const STOP: char = '\u{e001}';

/// The `ts_headline` options, bound as a parameter.
pub fn headline_options() -> String {
    format!(
        "StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \""
    )
}

/// Does the query hold any word to search for? Punctuation and stop words
/// alone ("de", "het", "&|!") do not.
pub async fn has_terms(db: impl PgExecutor<'_>, q: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT numnode(websearch_to_tsquery('dutch', $1)) > 0")
        .bind(q)
        .fetch_one(db)
        .await
}

/// How many hits of each kind are shown at most.
const LIMIT: i64 = 25;

/// One hit, whatever its kind: the columns a kind does not have are NULL.
/// Rows come grouped by `kind`, best first within a kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HitRow {
    /// agreement, action_line, agenda_item, meeting or person
    pub kind: String,
    pub id: i64,
    /// the agreement's, action line's or agenda item's title, the person's
    /// name, the meeting's body
    pub title: String,
    /// of the agreement (also for an action line) or the person
    pub slug: Option<String>,
    /// an action line's label (a., i., …)
    pub label: Option<String>,
    /// the agreement of an action line
    pub agreement_title: Option<String>,
    /// of an agenda item or a meeting
    pub body_name: Option<String>,
    /// the body of a person's latest mandate, for a link to its composition
    pub body_slug: Option<String>,
    /// the day to show that composition on: the last day of that mandate
    /// when it ended before today, its first day when it starts later; none
    /// when the person sits today
    pub sits_on: Option<time::Date>,
    pub meeting_id: Option<i64>,
    pub starts_at: Option<OffsetDateTime>,
    pub published: Option<bool>,
    pub confidential: Option<bool>,
    pub meeting_kind: Option<MeetingKind>,
    pub meeting_status: Option<MeetingStatus>,
    pub snippet: String,
}

/// Everything the searcher may find, in one statement: per kind, the best
/// `LIMIT` rows are chosen on the stored vectors (`search`, see the
/// migration 20261125001000), and only those kept get a snippet
/// (`ts_headline` parses the whole text, so it is the dearest part).
///
/// Who finds what:
/// - agreements (title, subtitle, introduction, commitments, goals; the
///   title weighs most, then the subtitle) and their action lines:
///   `agreement_visible` (drafts only for signed-in users);
/// - agenda items (title, explanation): `agenda_item_visible`; their
///   decision text only where `decision_visible` (the minutes' state);
/// - meetings by their body's name; by place and notes only where
///   `meeting_internals_visible`;
/// - people by name and public functions (public information).
///
/// The rules are those of every other channel (migration …20261206000100,
/// docs/access.md).
///
/// Every kind filters on what the searcher may see *before* its snippet is
/// built, so no hidden text can reach a snippet.
pub async fn search(
    db: impl PgExecutor<'_>,
    q: &str,
    reader: Reader,
    today: time::Date,
) -> sqlx::Result<Vec<HitRow>> {
    sqlx::query_as(
        // `q` is computed once: inlined, a prepared statement's generic plan
        // would parse the query again for every row it ranks
        "WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('dutch', $1) AS q),
         agreements AS (
             SELECT a.id, a.slug, a.title, a.status = 'published' AS published,
                    a.concluded_on, s.doc, ts_rank(s.search, q.q) AS rank
             FROM agreement_search s
             JOIN agreement a ON a.id = s.agreement_id
             CROSS JOIN q
             WHERE s.search @@ q.q AND agreement_visible($3, a.status)
             ORDER BY rank DESC, a.concluded_on DESC NULLS LAST, a.title
             LIMIT $4),
         lines AS (
             SELECT l.id, l.label, l.title, a.slug, a.title AS agreement_title,
                    ts_rank(l.search, q.q) AS rank
             FROM action_line l
             JOIN agreement a ON a.id = l.agreement_id
             CROSS JOIN q
             WHERE l.search @@ q.q AND agreement_visible($3, a.status)
             ORDER BY rank DESC, a.title, l.id
             LIMIT $4),
         -- A common word matches hundreds of items: rank them on narrow rows
         -- (OFFSET 0 keeps the ranking below the join), and read the texts
         -- of the kept ones only.
         items AS (
             SELECT a.id, a.title, a.explanation,
                    CASE WHEN r.decision_shown THEN a.decision_text END AS decision_text,
                    a.body_id, a.meeting_id, r.starts_at,
                    agenda_item_under_embargo(a) AS confidential,
                    r.rank
             FROM (
                 SELECT r.id, r.rank, r.decision_shown, m.starts_at
                 FROM (
                     -- the decision text only where its decision may be
                     -- seen (`decision_visible`: the minutes' state)
                     SELECT a.id, a.meeting_id, d.shown AS decision_shown,
                            ts_rank(CASE WHEN d.shown THEN a.search || a.search_decision
                                         ELSE a.search END, q.q) AS rank
                     FROM agenda_item a
                     CROSS JOIN q
                     LEFT JOIN meeting m ON m.id = a.meeting_id
                     LEFT JOIN minutes mi ON mi.meeting_id = a.meeting_id
                     CROSS JOIN LATERAL (SELECT decision_visible($3, a, m, mi.status) AS shown) d
                     WHERE (a.search @@ q.q OR a.search_decision @@ q.q)
                       AND (a.search @@ q.q OR d.shown)
                       AND agenda_item_visible($3, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
                     OFFSET 0) r
                 LEFT JOIN meeting m ON m.id = r.meeting_id
                 ORDER BY r.rank DESC, m.starts_at DESC NULLS LAST, r.id DESC
                 LIMIT $4) r
             JOIN agenda_item a ON a.id = r.id),
         -- by the body's name (a body matches or not: then all its meetings
         -- do), or by place and notes where the searcher may see them
         meetings AS (
             SELECT m.id, b.name AS body_name, m.kind, m.status, m.starts_at,
                    m.location, m.notes, found.member,
                    ts_rank(CASE WHEN found.member THEN b.search || m.search
                                 ELSE b.search END, q.q) AS rank
             FROM (SELECT m.id, meeting_internals_visible($3, m) AS member
                   FROM body b JOIN meeting m ON m.body_id = b.id CROSS JOIN q
                   WHERE b.search @@ q.q
                   UNION
                   SELECT m.id, true FROM meeting m CROSS JOIN q
                   WHERE m.search @@ q.q AND meeting_internals_visible($3, m)) found
             JOIN meeting m ON m.id = found.id
             JOIN body b ON b.id = m.body_id
             CROSS JOIN q
             ORDER BY rank DESC, m.starts_at DESC
             LIMIT $4),
         people AS (
             SELECT p.id, p.slug, p.given_name || ' ' || p.family_name AS name,
                    p.family_name, p.given_name, s.doc, ts_rank(s.search, q.q) AS rank
             FROM person_search s
             JOIN person p ON p.id = s.person_id
             CROSS JOIN q
             WHERE s.search @@ q.q
             ORDER BY rank DESC, p.family_name, p.given_name
             LIMIT $4)
         SELECT 'agreement' AS kind, h.id, h.title, h.slug, NULL AS label,
                NULL AS agreement_title, NULL AS body_name, NULL AS body_slug,
                NULL::date AS sits_on,
                NULL::bigint AS meeting_id, NULL::timestamptz AS starts_at,
                h.published, NULL::boolean AS confidential,
                NULL::meeting_kind AS meeting_kind, NULL::meeting_status AS meeting_status,
                ts_headline('dutch', h.doc, q.q, $2) AS snippet,
                row_number() OVER (ORDER BY h.rank DESC, h.concluded_on DESC NULLS LAST, h.title)
                    AS pos
         FROM agreements h CROSS JOIN q
         UNION ALL
         SELECT 'action_line', h.id, h.title, h.slug, h.label, h.agreement_title, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL,
                ts_headline('dutch', h.title, q.q, $2 || ', HighlightAll=true'),
                row_number() OVER (ORDER BY h.rank DESC, h.agreement_title, h.id)
         FROM lines h CROSS JOIN q
         UNION ALL
         SELECT 'agenda_item', h.id, h.title, NULL, NULL, NULL, b.name, NULL, NULL,
                h.meeting_id, h.starts_at, NULL, h.confidential, NULL, NULL,
                ts_headline('dutch',
                    h.title || ' · ' || h.explanation || ' · ' || coalesce(h.decision_text, ''),
                    q.q, $2),
                row_number() OVER (ORDER BY h.rank DESC, h.starts_at DESC NULLS LAST, h.id DESC)
         FROM items h JOIN body b ON b.id = h.body_id CROSS JOIN q
         UNION ALL
         SELECT 'meeting', h.id, h.body_name, NULL, NULL, NULL, h.body_name, NULL, NULL,
                h.id, h.starts_at, NULL, NULL, h.kind, h.status,
                ts_headline('dutch',
                    CASE WHEN h.member THEN h.body_name || ' · ' || h.location || ' · ' || h.notes
                         ELSE h.body_name END,
                    q.q, $2),
                row_number() OVER (ORDER BY h.rank DESC, h.starts_at DESC)
         FROM meetings h CROSS JOIN q
         UNION ALL
         SELECT 'person', h.id, h.name, h.slug, NULL, NULL, NULL, mb.slug,
                CASE WHEN mb.valid_until < $5 THEN mb.valid_until
                     WHEN mb.valid_from > $5 THEN mb.valid_from END,
                NULL, NULL, NULL, NULL, NULL, NULL,
                ts_headline('dutch', h.doc, q.q, $2),
                row_number() OVER (ORDER BY h.rank DESC, h.family_name, h.given_name)
         FROM people h
         CROSS JOIN q
         LEFT JOIN LATERAL (
             SELECT b.slug, ms.valid_from, ms.valid_until
             FROM membership ms JOIN body b ON b.id = ms.body_id
             WHERE ms.person_id = h.id AND ms.superseded_at IS NULL
             ORDER BY ms.valid_from DESC, ms.id DESC LIMIT 1) mb ON true
         ORDER BY kind, pos",
    )
    .bind(q)
    .bind(headline_options())
    .bind(reader)
    .bind(LIMIT)
    .bind(today)
    .fetch_all(db)
    .await
}
