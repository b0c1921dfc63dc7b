//! The agreement itself: its record, its commitments, publishing, and the
//! version every change to the agreement or its parts claims.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::Date;

use super::{AgreementText, Commitment, replace_rows};
use super::{Row, Rows};
use crate::audit;
use crate::base::Result;
use crate::base::{Outcome, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize, serde::Deserialize)]
#[sqlx(type_name = "agreement_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Draft,
    Published,
}

/// An agreement as the editor sees it: every column it may change.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AgreementRecord {
    pub id: i64,
    pub slug: String,
    pub body_id: i64,
    pub meeting_id: Option<i64>,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub text: AgreementText,
    pub status: AgreementStatus,
    pub version: i32,
}

/// What the agreement form sets, checked.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementFields {
    pub body_id: i64,
    pub meeting_id: Option<i64>,
    #[serde(flatten)]
    pub text: AgreementText,
    pub commitments: Vec<String>,
}

/// A formal meeting that can have concluded an agreement.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct MeetingChoice {
    pub id: i64,
    pub body_id: i64,
    pub starts_on: Date,
    pub body_name: String,
}

impl AgreementFields {
    /// Binds the fields as the next parameters, in the order of the columns.
    fn bind<'q>(&'q self, q: super::Scalar<'q>) -> super::Scalar<'q> {
        self.text.bind(q.bind(self.body_id).bind(self.meeting_id))
    }
}

impl AgreementText {
    fn bind<'q>(&'q self, q: super::Scalar<'q>) -> super::Scalar<'q> {
        q.bind(&self.title)
            .bind(&self.subtitle)
            .bind(&self.kind_label)
            .bind(self.concluded_on)
            .bind(self.period_from)
            .bind(self.period_until)
            .bind(&self.introduction)
    }
}

pub async fn record_by_slug(db: impl PgExecutor<'_>, slug: &str) -> Row<AgreementRecord> {
    const SQL: &str =
        "SELECT id, slug, body_id, meeting_id, title, subtitle, kind_label, concluded_on,
                period_from, period_until, introduction, status, version
         FROM agreement WHERE slug = $1";
    sqlx::query_as(SQL).bind(slug).fetch_optional(db).await
}

/// Formal meetings, newest first: agreements are concluded there.
pub async fn formal_meetings(db: impl PgExecutor<'_>) -> Rows<MeetingChoice> {
    sqlx::query_as(
        "SELECT m.id, m.body_id, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS starts_on,
                b.name AS body_name
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE m.kind = 'formal' AND m.status <> 'cancelled'
         ORDER BY m.starts_at DESC",
    )
    .fetch_all(db)
    .await
}

pub async fn slug_taken(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agreement WHERE slug = $1)")
        .bind(slug)
        .fetch_one(db)
        .await
}

/// The commitments of an agreement, numbered in the order given.
const COMMITMENTS: (&str, &str) = (
    "DELETE FROM agreement_commitment WHERE agreement_id = $1",
    "INSERT INTO agreement_commitment (agreement_id, position, text)
     SELECT $1, ord::integer, text FROM unnest($2::text[]) WITH ORDINALITY AS c(text, ord)",
);

/// A readable address from the title: "Iedereen aan boord" → "iedereen-aan-boord".
pub fn slugify(title: &str) -> String {
    crate::base::dutch::slug(title, 60, "akkoord")
}

async fn free_slug(conn: &mut PgConnection, f: &AgreementFields) -> sqlx::Result<String> {
    let mut base = slugify(&f.text.title);
    if let Some(year) = f.text.concluded_on.map(|d| d.year()).or(f.text.period_from) {
        base = format!("{base}-{year}");
    }
    let mut slug = base.clone();
    let mut n = 2;
    // "nieuw" is the address of the form for a new agreement.
    while slug == "nieuw" || slug_taken(&mut *conn, &slug).await? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

/// A new draft agreement with its commitments, at a free address made from
/// its title and year; done with that address.
pub async fn create(
    conn: &mut PgConnection,
    actor: i64,
    f: &AgreementFields,
) -> Result<Outcome<String>> {
    let slug = &free_slug(&mut *conn, f).await?;
    let insert = sqlx::query_scalar(
        "INSERT INTO agreement (slug, body_id, meeting_id, title, subtitle, kind_label, concluded_on,
                                period_from, period_until, introduction)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(slug);
    let id = f.bind(insert).fetch_one(&mut *conn).await?;
    replace_rows(conn, COMMITMENTS, id, &f.commitments).await?;
    audit::Entry::new("create", "agreement", id)
        .after(json!({ "slug": slug, "fields": f }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(slug.clone()))
}

/// A change to an agreement or one of its parts: who makes it, to which
/// agreement, and the agreement's version it was made from (see [`claim`]).
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub actor: i64,
    pub agreement: i64,
    pub seen: Version,
}

impl Change {
    pub fn new(actor: i64, agreement: i64, seen: Version) -> Self {
        Change {
            actor,
            agreement,
            seen,
        }
    }
}

/// Claims the agreement for one change: every change to an agreement or
/// its parts goes through here, so two editors never overwrite each other.
/// Stale when someone else changed it since `seen`.
pub async fn claim(conn: &mut PgConnection, agreement: i64, seen: Version) -> Result<Outcome> {
    let row: Option<i32> = sqlx::query_scalar(
        "UPDATE agreement SET version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 RETURNING version",
    )
    .bind(agreement)
    .bind(seen.0)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(_) => Outcome::Done(()),
        None => Outcome::Stale,
    })
}

pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgreementRecord,
    seen: Version,
    f: &AgreementFields,
) -> Result<Outcome> {
    done!(claim(conn, before.id, seen).await?);
    let old_commitments: Vec<String> = sqlx::query_scalar(
        "SELECT text FROM agreement_commitment WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(before.id)
    .fetch_all(&mut *conn)
    .await?;
    let update = sqlx::query_scalar(
        "UPDATE agreement SET body_id = $2, meeting_id = $3, title = $4, subtitle = $5,
                kind_label = $6, concluded_on = $7, period_from = $8, period_until = $9,
                introduction = $10
         WHERE id = $1 RETURNING id",
    )
    .bind(before.id);
    f.bind(update).fetch_one(&mut *conn).await?;
    replace_rows(conn, COMMITMENTS, before.id, &f.commitments).await?;
    audit::Entry::new("update", "agreement", before.id)
        .before(json!({ "record": before, "commitments": old_commitments }))
        .after(json!(f))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

pub async fn publish(conn: &mut PgConnection, by: Change) -> Result<Outcome> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let (actor, agreement) = (by.actor, by.agreement);
    sqlx::query(
        "UPDATE agreement SET status = 'published', published_at = now()
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(agreement)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("publish", "agreement", agreement)
        .before(json!({ "status": "draft" }))
        .after(json!({ "status": "published" }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

pub async fn commitments(db: impl PgExecutor<'_>, agreement: i64) -> Rows<Commitment> {
    const SQL: &str =
        "SELECT position, text FROM agreement_commitment WHERE agreement_id = $1 ORDER BY position";
    sqlx::query_as(SQL).bind(agreement).fetch_all(db).await
}

pub async fn slug_and_title(db: impl PgExecutor<'_>, agreement: i64) -> Row<(String, String)> {
    sqlx::query_as("SELECT slug, title FROM agreement WHERE id = $1")
        .bind(agreement)
        .fetch_optional(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable() {
        assert_eq!(
            slugify("Iedereen aan boord – samen!"),
            "iedereen-aan-boord-samen"
        );
        assert_eq!(slugify("Één akkoord"), "een-akkoord");
        assert_eq!(slugify("???"), "akkoord");
    }
}
