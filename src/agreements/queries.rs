//! Agreements: the text, goals, the tree of action lines and signatories.

use sqlx::PgExecutor;
use time::Date;

use crate::composition::queries::Side;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Agreement {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    pub period_from: Option<i32>,
    pub period_until: Option<i32>,
    pub introduction: String,
    pub published: bool,
    pub body_slug: String,
    pub body_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Commitment {
    pub position: i32,
    pub text: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Goal {
    pub position: i32,
    pub text: String,
    pub target_value: Option<String>,
    pub target_unit: Option<String>,
    pub deadline: Option<Date>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionLineRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub label: String,
    pub title: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Signatory {
    pub side: Side,
    pub person_name: String,
    pub organisation_name: String,
    pub capacity: String,
}

/// Published agreements, and drafts too when `include_drafts`.
pub async fn list(db: impl PgExecutor<'_>, include_drafts: bool) -> sqlx::Result<Vec<Agreement>> {
    sqlx::query_as(
        "SELECT a.id, a.slug, a.title, a.subtitle, a.kind_label, a.concluded_on,
                a.period_from, a.period_until, a.introduction, a.status = 'published' AS published,
                b.slug AS body_slug, b.name AS body_name
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE a.status = 'published' OR $1
         ORDER BY a.concluded_on DESC NULLS LAST, a.period_from DESC NULLS LAST, a.id DESC",
    )
    .bind(include_drafts)
    .fetch_all(db)
    .await
}

pub async fn by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Agreement>> {
    sqlx::query_as(
        "SELECT a.id, a.slug, a.title, a.subtitle, a.kind_label, a.concluded_on,
                a.period_from, a.period_until, a.introduction, a.status = 'published' AS published,
                b.slug AS body_slug, b.name AS body_name
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE a.slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await
}

pub async fn commitments(db: impl PgExecutor<'_>, agreement: i64) -> sqlx::Result<Vec<Commitment>> {
    sqlx::query_as(
        "SELECT position, text FROM agreement_commitment WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub async fn goals(db: impl PgExecutor<'_>, agreement: i64) -> sqlx::Result<Vec<Goal>> {
    sqlx::query_as(
        "SELECT position, text, target_value::text AS target_value, target_unit, deadline
         FROM goal WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

/// All action lines of an agreement, parents before children, siblings in
/// order: a depth-first walk of the tree, in one query.
pub async fn action_lines(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<ActionLineRow>> {
    sqlx::query_as(
        "WITH RECURSIVE tree AS (
             SELECT id, parent_id, label, title, ARRAY[position] AS path
             FROM action_line WHERE agreement_id = $1 AND parent_id IS NULL
             UNION ALL
             SELECT c.id, c.parent_id, c.label, c.title, t.path || c.position
             FROM action_line c JOIN tree t ON c.parent_id = t.id
         )
         SELECT id, parent_id, label, title FROM tree ORDER BY path",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub async fn signatories(db: impl PgExecutor<'_>, agreement: i64) -> sqlx::Result<Vec<Signatory>> {
    sqlx::query_as(
        "SELECT s.side, p.given_name || ' ' || p.family_name AS person_name,
                o.name AS organisation_name, s.capacity
         FROM signatory s JOIN person p ON p.id = s.person_id
         JOIN organisation o ON o.id = s.organisation_id
         WHERE s.agreement_id = $1 ORDER BY s.position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}
