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
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

pub async fn meetings(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<MeetingRow> {
    const SQL: &str = "SELECT m.id, b.slug AS body_slug, b.name AS body_name, m.kind::text AS kind,
                m.starts_at, m.ends_at, m.status::text AS status, m.created_at, m.modified_at
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE ($1::timestamptz IS NULL OR m.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($4::bigint IS NULL OR m.id = $4)
         ORDER BY m.starts_at, m.id";
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
    #[sqlx(flatten)]
    pub stamps: Stamps,
}

/// Published agreements only: drafts are not public.
pub async fn papers(db: impl PgExecutor<'_>, f: Filter<'_>) -> Rows<PaperRow> {
    const SQL: &str =
        "SELECT a.slug, b.slug AS body_slug, a.title, a.subtitle, a.kind_label, a.concluded_on,
                a.created_at, a.modified_at
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE a.status = 'published'
           AND ($1::timestamptz IS NULL OR a.modified_at >= $1)
           AND ($2::text IS NULL OR b.slug = $2)
           AND ($3::text IS NULL OR a.slug = $3)
         ORDER BY a.id";
    filtered(db, f, SQL).await
}
