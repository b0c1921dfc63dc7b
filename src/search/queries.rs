//! Full-text search in Dutch. The user's text goes to PostgreSQL only as a
//! bound parameter of `websearch_to_tsquery('dutch', $1)`, which accepts any
//! text (quotes, `-`, `or` are its syntax; everything else is ignored).
//!
//! Every query filters on what the searcher may see *before* it builds a
//! snippet (`ts_headline`), so no hidden text can reach a snippet.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::meetings::queries::{MeetingKind, MeetingStatus};

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

/// Who searches, as the queries need it.
#[derive(Debug, Clone, Default)]
pub struct Searcher {
    pub signed_in: bool,
    /// the secretariat and administrators see everything
    pub staff: bool,
    pub organisation_id: Option<i64>,
    pub minister_id: Option<i64>,
    /// bodies the searcher's organisation (or minister) sits in today
    pub bodies: Vec<i64>,
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingHit {
    pub id: i64,
    pub body_name: String,
    pub kind: MeetingKind,
    pub status: MeetingStatus,
    pub starts_at: OffsetDateTime,
    pub snippet: String,
}

/// Meetings by their body's name; by place and notes only for members of
/// the body (and the secretariat).
pub async fn meetings(
    db: impl PgExecutor<'_>,
    q: &str,
    who: &Searcher,
) -> sqlx::Result<Vec<MeetingHit>> {
    sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('dutch', $1) AS q)
         SELECT m.id, b.name AS body_name, m.kind, m.status, m.starts_at,
                ts_headline('dutch', d.doc, q.q, $2) AS snippet
         FROM meeting m
         JOIN body b ON b.id = m.body_id
         CROSS JOIN q
         CROSS JOIN LATERAL (
             SELECT CASE WHEN m.body_id = ANY($3)
                         THEN b.name || ' · ' || m.location || ' · ' || m.notes
                         ELSE b.name END AS doc) d
         WHERE to_tsvector('dutch', b.name) @@ q.q
            OR (m.body_id = ANY($3)
                AND to_tsvector('dutch', m.location || ' ' || m.notes) @@ q.q)
         ORDER BY ts_rank(to_tsvector('dutch', d.doc), q.q) DESC, m.starts_at DESC
         LIMIT $4",
    )
    .bind(q)
    .bind(headline_options())
    .bind(&who.bodies)
    .bind(LIMIT)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgendaItemHit {
    pub id: i64,
    pub title: String,
    pub meeting_id: Option<i64>,
    pub body_name: String,
    pub starts_at: Option<OffsetDateTime>,
    pub confidential: bool,
    pub snippet: String,
}

/// Agenda items, by title, explanation and decision. Who sees which:
/// - the secretariat: all;
/// - the proposer's own organisation (or minister): their own, in any state;
/// - others: items on a meeting's agenda; a confidential one (its embargo
///   not yet passed) only for members of the item's body.
pub async fn agenda_items(
    db: impl PgExecutor<'_>,
    q: &str,
    who: &Searcher,
) -> sqlx::Result<Vec<AgendaItemHit>> {
    sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('dutch', $1) AS q)
         SELECT a.id, a.title, a.meeting_id, b.name AS body_name, m.starts_at,
                (a.confidential AND (a.embargo_until IS NULL OR a.embargo_until > now()))
                    AS confidential,
                ts_headline('dutch',
                    a.title || ' · ' || a.explanation || ' · ' || coalesce(a.decision_text, ''),
                    q.q, $2) AS snippet
         FROM agenda_item a
         JOIN body b ON b.id = a.body_id
         LEFT JOIN meeting m ON m.id = a.meeting_id
         CROSS JOIN q
         WHERE to_tsvector('dutch', a.title || ' ' || a.explanation || ' ' || coalesce(a.decision_text, ''))
               @@ q.q
           AND ($3
                OR a.proposer_organisation_id = $4
                OR a.proposer_minister_id = $5
                OR (a.meeting_id IS NOT NULL
                    AND a.status IN ('accepted', 'deferred', 'dealt_with')
                    AND (NOT a.confidential
                         OR a.embargo_until <= now()
                         OR a.body_id = ANY($6))))
         ORDER BY ts_rank(to_tsvector('dutch', a.title || ' ' || a.explanation || ' '
                          || coalesce(a.decision_text, '')), q.q) DESC,
                  m.starts_at DESC NULLS LAST, a.id DESC
         LIMIT $7",
    )
    .bind(q)
    .bind(headline_options())
    .bind(who.staff)
    .bind(who.organisation_id)
    .bind(who.minister_id)
    .bind(&who.bodies)
    .bind(LIMIT)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgreementHit {
    pub slug: String,
    pub title: String,
    pub published: bool,
    pub snippet: String,
}

/// Agreements, by title, subtitle, introduction, commitments and goals;
/// drafts only for signed-in users. The title weighs most, then the
/// subtitle, then the rest.
pub async fn agreements(
    db: impl PgExecutor<'_>,
    q: &str,
    who: &Searcher,
) -> sqlx::Result<Vec<AgreementHit>> {
    sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('dutch', $1) AS q)
         SELECT a.slug, a.title, a.status = 'published' AS published,
                ts_headline('dutch', d.doc, q.q, $2) AS snippet
         FROM agreement a
         CROSS JOIN q
         CROSS JOIN LATERAL (
             SELECT concat_ws(' · ', nullif(a.subtitle, ''), nullif(a.introduction, ''),
                        (SELECT string_agg(c.text, ' ' ORDER BY c.position)
                         FROM agreement_commitment c WHERE c.agreement_id = a.id),
                        (SELECT string_agg(g.text, ' ' ORDER BY g.position)
                         FROM goal g WHERE g.agreement_id = a.id)) AS doc) d
         CROSS JOIN LATERAL (
             SELECT setweight(to_tsvector('dutch', a.title), 'A')
                    || setweight(to_tsvector('dutch', a.subtitle), 'B')
                    || setweight(to_tsvector('dutch', d.doc), 'D') AS v) v
         WHERE (a.status = 'published' OR $3) AND v.v @@ q.q
         ORDER BY ts_rank(v.v, q.q) DESC, a.concluded_on DESC NULLS LAST, a.title
         LIMIT $4",
    )
    .bind(q)
    .bind(headline_options())
    .bind(who.signed_in)
    .bind(LIMIT)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionLineHit {
    pub id: i64,
    pub label: String,
    pub agreement_slug: String,
    pub agreement_title: String,
    pub snippet: String,
}

/// Action lines by title, of agreements the searcher may see.
pub async fn action_lines(
    db: impl PgExecutor<'_>,
    q: &str,
    who: &Searcher,
) -> sqlx::Result<Vec<ActionLineHit>> {
    sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('dutch', $1) AS q)
         SELECT l.id, l.label, a.slug AS agreement_slug, a.title AS agreement_title,
                ts_headline('dutch', l.title, q.q, $2 || ', HighlightAll=true') AS snippet
         FROM action_line l
         JOIN agreement a ON a.id = l.agreement_id
         CROSS JOIN q
         WHERE to_tsvector('dutch', l.title) @@ q.q
           AND (a.status = 'published' OR $3)
         ORDER BY ts_rank(to_tsvector('dutch', l.title), q.q) DESC, a.title, l.id
         LIMIT $4",
    )
    .bind(q)
    .bind(headline_options())
    .bind(who.signed_in)
    .bind(LIMIT)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonHit {
    pub slug: String,
    pub name: String,
    /// the body of their latest mandate, for a link to its composition
    pub body_slug: Option<String>,
    pub snippet: String,
}

/// People, by name and public functions (public information).
pub async fn people(
    db: impl PgExecutor<'_>,
    q: &str,
    _who: &Searcher,
) -> sqlx::Result<Vec<PersonHit>> {
    sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('dutch', $1) AS q)
         SELECT p.slug, p.given_name || ' ' || p.family_name AS name, mb.slug AS body_slug,
                ts_headline('dutch', d.doc, q.q, $2) AS snippet
         FROM person p
         CROSS JOIN q
         CROSS JOIN LATERAL (
             SELECT p.given_name || ' ' || p.family_name || ' · '
                    || coalesce(string_agg(f.title, ' · ' ORDER BY f.valid_from DESC NULLS LAST, f.id), '')
                    AS doc
             FROM person_function f WHERE f.person_id = p.id) d
         LEFT JOIN LATERAL (
             SELECT b.slug FROM membership ms JOIN body b ON b.id = ms.body_id
             WHERE ms.person_id = p.id AND ms.superseded_at IS NULL
             ORDER BY ms.valid_from DESC, ms.id DESC LIMIT 1) mb ON true
         WHERE to_tsvector('dutch', d.doc) @@ q.q
         ORDER BY ts_rank(to_tsvector('dutch', d.doc), q.q) DESC, p.family_name, p.given_name
         LIMIT $3",
    )
    .bind(q)
    .bind(headline_options())
    .bind(LIMIT)
    .fetch_all(db)
    .await
}
