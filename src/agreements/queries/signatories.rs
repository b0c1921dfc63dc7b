//! Who signed an agreement, and for whom.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use super::Choice;
use crate::audit;
use crate::composition::Side;

pub async fn people(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, given_name || ' ' || family_name AS name FROM person
         ORDER BY family_name, given_name",
    )
    .fetch_all(db)
    .await
}

pub async fn organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM organisation ORDER BY name")
        .fetch_all(db)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignatoryRow {
    pub id: i64,
    pub side: Side,
    pub person_name: String,
    pub organisation_name: String,
    pub capacity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatoryFields {
    pub person_id: i64,
    pub organisation_id: i64,
    pub side: Side,
    pub capacity: String,
}

pub async fn signatory_rows(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<SignatoryRow>> {
    sqlx::query_as(
        "SELECT s.id, s.side, p.given_name || ' ' || p.family_name AS person_name,
                o.name AS organisation_name, s.capacity
         FROM signatory s JOIN person p ON p.id = s.person_id
         JOIN organisation o ON o.id = s.organisation_id
         WHERE s.agreement_id = $1 ORDER BY s.position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub const SIGNATORY_PERSON_KEY: &str = "signatory_agreement_id_person_id_key";

pub async fn insert_signatory(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    f: &SignatoryFields,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO signatory (agreement_id, position, side, person_id, organisation_id, capacity)
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM signatory WHERE agreement_id = $1),
                 $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(agreement)
    .bind(f.side)
    .bind(f.person_id)
    .bind(f.organisation_id)
    .bind(&f.capacity)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "signatory",
        Some(id.to_string()),
        None,
        Some(json!({ "agreement_id": agreement, "fields": f })),
    )
    .await?;
    Ok(id)
}

/// Deletes a signatory of this agreement; false when there is none.
pub async fn delete_signatory(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    signatory: i64,
) -> sqlx::Result<bool> {
    let before: Option<serde_json::Value> = sqlx::query_scalar(
        "DELETE FROM signatory WHERE id = $1 AND agreement_id = $2 RETURNING to_jsonb(signatory.*)",
    )
    .bind(signatory)
    .bind(agreement)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = before else {
        return Ok(false);
    };
    audit::record(
        conn,
        Some(actor),
        "delete",
        "signatory",
        Some(signatory.to_string()),
        Some(before),
        None,
    )
    .await?;
    Ok(true)
}
