//! The SQL of the open data: public records only. No account data is ever
//! read here, and only published agreements.

use sqlx::PgExecutor;
use sqlx::postgres::PgRow;
use time::{Date, OffsetDateTime};

use crate::composition::{MembershipRole, Side};

/// What a list or a single record asks for. Every field is optional; every
/// query is given all of them, in this order (`$1` since … `$5` person),
/// and reads those it knows. The single-record pages ask the database for
/// their record instead of loading the whole list.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter<'a> {
    /// Modified at or after.
    pub since: Option<OffsetDateTime>,
    /// Of this body (its slug).
    pub body: Option<&'a str>,
    /// One record, by its slug.
    pub slug: Option<&'a str>,
    /// One record, by its id.
    pub id: Option<i64>,
    /// Memberships of one person.
    pub person: Option<i64>,
}

/// The rows of `sql` that the filter lets through.
async fn filtered<T>(db: impl PgExecutor<'_>, f: Filter<'_>, sql: &'static str) -> Rows<T>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(f.since)
        .bind(f.body)
        .bind(f.slug)
        .bind(f.id)
        .bind(f.person)
        .fetch_all(db)
        .await
}

type Rows<T> = sqlx::Result<Vec<T>>;

impl<'a> Filter<'a> {
    pub fn since(since: Option<OffsetDateTime>) -> Self {
        Filter {
            since,
            ..Filter::default()
        }
    }

    pub fn slug(slug: &'a str) -> Self {
        Filter {
            slug: Some(slug),
            ..Filter::default()
        }
    }

    pub fn id(id: i64) -> Self {
        Filter {
            id: Some(id),
            ..Filter::default()
        }
    }

    pub fn person(person: i64) -> Self {
        Filter {
            person: Some(person),
            ..Filter::default()
        }
    }
}

/// When a record was made and last changed: every OParl object says so.
#[derive(Debug, sqlx::FromRow)]
pub struct Stamps {
    pub created_at: OffsetDateTime,
    pub modified_at: OffsetDateTime,
}

#[derive(Debug, sqlx::FromRow)]
pub struct BodyRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

pub async fn bodies(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<BodyRow> {
    const SQL: &str = "SELECT slug, name, description, created_at, modified_at FROM body
         WHERE ($1::timestamptz IS NULL OR modified_at >= $1) AND ($3::text IS NULL OR slug = $3)
         ORDER BY sort_order, id";
    filtered(db, f, SQL).await
}

#[derive(Debug, sqlx::FromRow)]
pub struct OrganisationRow {
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub website: Option<String>,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

pub async fn organisations(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<OrganisationRow> {
    const SQL: &str =
        "SELECT slug, name, short_name, kind::text AS kind, website, created_at, modified_at
         FROM organisation
         WHERE ($1::timestamptz IS NULL OR modified_at >= $1) AND ($3::text IS NULL OR slug = $3)
         ORDER BY id";
    filtered(db, f, SQL).await
}

#[derive(Debug, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub slug: String,
    pub given_name: String,
    pub family_name: String,
    /// Public functions only, as written in the sources.
    pub functions: Vec<String>,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

pub async fn people(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<PersonRow> {
    const SQL: &str = "SELECT p.id, p.slug, p.given_name, p.family_name,
                coalesce(array(SELECT f.title FROM person_function f WHERE f.person_id = p.id
                               ORDER BY f.valid_from NULLS FIRST, f.id), '{}') AS functions,
                p.created_at, p.modified_at
         FROM person p
         WHERE ($1::timestamptz IS NULL OR p.modified_at >= $1) AND ($3::text IS NULL OR p.slug = $3)
         ORDER BY p.id";
    filtered(db, f, SQL).await
}

#[derive(Debug, sqlx::FromRow)]
pub struct MembershipRow {
    pub id: i64,
    pub body_slug: String,
    pub person_id: i64,
    pub person_slug: String,
    pub organisation_slug: String,
    pub role: MembershipRole,
    pub side: Side,
    pub function_title: Option<String>,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub substitute_for_id: Option<i64>,
    pub corrects_id: Option<i64>,
    pub superseded: bool,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

/// All memberships, superseded ones included: open data shows them as
/// deleted, so that a copy elsewhere learns they no longer count.
pub async fn memberships(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<MembershipRow> {
    const SQL: &str = "SELECT m.id, b.slug AS body_slug, m.person_id, p.slug AS person_slug,
                o.slug AS organisation_slug, m.role, m.side, m.function_title,
                m.valid_from, m.valid_until, m.substitute_for_id, m.corrects_id,
                m.superseded_at IS NOT NULL AS superseded, m.created_at, m.modified_at
         FROM membership m
         JOIN body b ON b.id = m.body_id
         JOIN person p ON p.id = m.person_id
         JOIN organisation o ON o.id = m.organisation_id
         WHERE ($1::timestamptz IS NULL OR m.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR m.id = $4)
           AND ($5::bigint IS NULL OR m.person_id = $5)
         ORDER BY m.id";
    filtered(db, f, SQL).await
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub body_slug: String,
    pub body_name: String,
    pub kind: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub status: String,
    /// Are its decisions public (minutes approved, or the decision list
    /// published): then its decision list is its results protocol.
    pub decisions_public: bool,
    /// Its agenda as an anonymous reader may see it, with the files.
    pub agenda: sqlx::types::Json<Vec<ItemRow>>,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

/// An agenda item as open data shows it: public items only
/// (`agenda_item_visible` for a reader who is not signed in).
#[derive(Debug, Clone, serde::Deserialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub meeting_id: i64,
    pub number: String,
    pub position: i32,
    pub title: String,
    pub outcome: Option<String>,
    pub decision_text: Option<String>,
    pub body_slug: String,
    /// The agreement it concerns, when that is public (its slug).
    pub paper: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified_at: OffsetDateTime,
    pub files: sqlx::types::Json<Vec<FileRow>>,
}

/// A public document of a public agenda item (`document_visible`).
#[derive(Debug, Clone, serde::Deserialize, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub agenda_item_id: i64,
    pub meeting_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

/// The anonymous reader of the visibility rules, today in Brussels.
macro_rules! anonymous {
    () => {
        "ROW(false, false, NULL::bigint, NULL::bigint,
             (now() AT TIME ZONE 'Europe/Brussels')::date)::reader"
    };
}

/// One public document as a JSON object (inside an item's `files`).
macro_rules! file_object {
    () => {
        "json_build_object('id', d.id, 'agenda_item_id', d.agenda_item_id,
            'meeting_id', a.meeting_id, 'filename', d.filename, 'content_type', d.content_type,
            'size_bytes', d.size_bytes, 'uploaded_at', d.uploaded_at)"
    };
}

/// A column of the decision on the agenda item `a` of meeting `m`, where
/// the public may see it (`decision_visible`), else NULL.
macro_rules! decided {
    ($column:literal) => {
        concat!(
            "CASE WHEN decision_visible(",
            anonymous!(),
            ", a, m, (SELECT mi.status FROM minutes mi WHERE mi.meeting_id = m.id)) THEN ",
            $column,
            " END"
        )
    };
}

/// The slug of the agreement the agenda item `a` concerns, when it is public.
macro_rules! public_paper {
    () => {
        concat!(
            "(SELECT g.slug FROM agreement g
              WHERE g.id = a.agreement_id AND agreement_visible(",
            anonymous!(),
            ", g.status))"
        )
    };
}

/// The public documents of the agenda item `a` (meeting day `day`).
macro_rules! public_files {
    () => {
        concat!(
            "(SELECT coalesce(json_agg(",
            file_object!(),
            " ORDER BY d.id), '[]') FROM document d
              WHERE d.agenda_item_id = a.id AND NOT d.superseded
                AND document_visible(",
            anonymous!(),
            ", d.confidential, a, a.body_id, x.day))"
        )
    };
}

/// Public agenda items, each with its public files (one `$4` for one).
pub async fn agenda_items(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<ItemRow> {
    const SQL: &str = concat!(
        "SELECT a.id, a.meeting_id, coalesce(a.number, a.position::text) AS number, a.position,
                a.title, ",
        decided!("a.outcome::text"),
        " AS outcome, ",
        decided!("a.decision_text"),
        " AS decision_text, a.created_at, a.modified_at,
                b.slug AS body_slug, ",
        public_paper!(),
        " AS paper, ",
        public_files!(),
        " AS files
         FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id JOIN body b ON b.id = a.body_id
         CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
         WHERE agenda_item_on_agenda(a) AND agenda_item_visible(",
        anonymous!(),
        ", a, x.day)
           AND ($1::timestamptz IS NULL OR a.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR a.id = $4)
         ORDER BY m.starts_at, a.position, a.id"
    );
    filtered(db, f, SQL).await
}

/// Public documents of public agenda items (one `$4` for one).
pub async fn files(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<FileRow> {
    const SQL: &str = concat!(
        "SELECT d.id, d.agenda_item_id, a.meeting_id, d.filename, d.content_type, d.size_bytes,
                d.uploaded_at
         FROM document d JOIN agenda_item a ON a.id = d.agenda_item_id
         JOIN meeting m ON m.id = a.meeting_id JOIN body b ON b.id = a.body_id
         CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
         WHERE NOT d.superseded AND agenda_item_on_agenda(a)
           AND document_visible(",
        anonymous!(),
        ", d.confidential, a, a.body_id, x.day)
           AND ($1::timestamptz IS NULL OR d.uploaded_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR d.id = $4)
         ORDER BY d.id"
    );
    filtered(db, f, SQL).await
}

pub async fn meetings(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<MeetingRow> {
    const SQL: &str = concat!(
        "SELECT m.id, b.slug AS body_slug, b.name AS body_name, m.kind::text AS kind,
                m.starts_at, m.ends_at, m.status::text AS status, m.created_at, m.modified_at,
                (m.decisions_published_at IS NOT NULL
                 OR EXISTS (SELECT 1 FROM minutes mi
                            WHERE mi.meeting_id = m.id AND mi.status = 'approved'))
                    AS decisions_public,
                (SELECT coalesce(json_agg(json_build_object(
                        'id', a.id, 'meeting_id', a.meeting_id,
                        'number', coalesce(a.number, a.position::text), 'position', a.position,
                        'title', a.title, 'outcome', ",
        decided!("a.outcome"),
        ", 'decision_text', ",
        decided!("a.decision_text"),
        ",
                        'created_at', a.created_at, 'modified_at', a.modified_at,
                        'body_slug', b.slug, 'paper', ",
        public_paper!(),
        ", 'files', ",
        public_files!(),
        ") ORDER BY a.position), '[]')
                 FROM agenda_item a
                 CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
                 WHERE a.meeting_id = m.id AND agenda_item_on_agenda(a)
                   AND agenda_item_visible(",
        anonymous!(),
        ", a, x.day)) AS agenda
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE ($1::timestamptz IS NULL OR m.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR m.id = $4)
         ORDER BY m.starts_at, m.id"
    );
    filtered(db, f, SQL).await
}

#[derive(Debug, sqlx::FromRow)]
pub struct PaperRow {
    pub slug: String,
    pub body_slug: String,
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    /// The public agenda items that dealt with it.
    pub consultations: sqlx::types::Json<Vec<ItemRow>>,
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

/// Published agreements only (`agreement_visible` for the anonymous
/// reader): drafts are not public.
pub async fn papers(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<PaperRow> {
    const SQL: &str = concat!(
        "SELECT g.slug, b.slug AS body_slug, g.title, g.subtitle, g.kind_label, g.concluded_on,
                g.created_at, g.modified_at,
                (SELECT coalesce(json_agg(json_build_object(
                        'id', a.id, 'meeting_id', a.meeting_id,
                        'number', coalesce(a.number, a.position::text), 'position', a.position,
                        'title', a.title, 'outcome', NULL, 'decision_text', NULL,
                        'created_at', a.created_at, 'modified_at', a.modified_at,
                        'body_slug', ab.slug, 'paper', g.slug, 'files', '[]'::json)
                        ORDER BY m.starts_at, a.position), '[]')
                 FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id
                 JOIN body ab ON ab.id = a.body_id
                 WHERE a.agreement_id = g.id AND agenda_item_on_agenda(a)
                   AND agenda_item_visible(",
        anonymous!(),
        ", a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)) AS consultations
         FROM agreement g JOIN body b ON b.id = g.body_id
         WHERE agreement_visible(",
        anonymous!(),
        ", g.status)
           AND ($1::timestamptz IS NULL OR g.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($3::text IS NULL OR g.slug = $3)
         ORDER BY g.id"
    );
    filtered(db, f, SQL).await
}

/// An agenda item that was on a public agenda and is no longer (deferred,
/// moved off it): open data shows it as `deleted`. Only what was public:
/// never a confidential one.
#[derive(Debug, sqlx::FromRow)]
pub struct RemovedItem {
    pub id: i64,
    /// Its place on the last sent agenda that listed it (0 if none did):
    /// the schema wants an `order` even of a deleted item.
    pub last_order: i32,
    pub created_at: OffsetDateTime,
    pub modified_at: OffsetDateTime,
}

/// Agenda items taken off a public agenda (one `$4` for one).
pub async fn removed_items(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<RemovedItem> {
    const SQL: &str = "SELECT a.id, a.created_at, a.modified_at,
                coalesce((SELECT vi.position FROM agenda_version_item vi
                          WHERE vi.agenda_item_id = a.id ORDER BY vi.version_id DESC LIMIT 1), 0)
                    AS last_order
         FROM agenda_item a JOIN body b ON b.id = a.body_id
         WHERE NOT agenda_item_on_agenda(a) AND NOT a.confidential
           AND EXISTS (SELECT FROM agenda_item_event e
                       WHERE e.agenda_item_id = a.id AND e.to_status = 'accepted')
           AND ($1::timestamptz IS NULL OR a.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR a.id = $4)
         ORDER BY a.id";
    filtered(db, f, SQL).await
}
