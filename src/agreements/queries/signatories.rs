//! Who signed an agreement, and for whom.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use super::Rows;
use super::agreement::{Change, claim};
use crate::audit;
use crate::base::error::AppError;
use crate::base::write::{Constraint, on_constraint};
use crate::base::{Outcome, Result};
use crate::composition::Side;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, serde::Deserialize)]
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

pub async fn signatory_rows(db: impl PgExecutor<'_>, agreement: i64) -> Rows<SignatoryRow> {
    const SQL: &str = "SELECT s.id, s.side, p.given_name || ' ' || p.family_name AS person_name,
                o.name AS organisation_name, s.capacity
         FROM signatory s JOIN person p ON p.id = s.person_id
         JOIN organisation o ON o.id = s.organisation_id
         WHERE s.agreement_id = $1 ORDER BY s.position";
    sqlx::query_as(SQL).bind(agreement).fetch_all(db).await
}

/// One person signs an agreement once.
const PERSON_ONCE: Constraint = Constraint {
    name: "signatory_agreement_id_person_id_key",
    field: "person_id",
    message: "Deze persoon staat al bij de ondertekenaars.",
};

/// A new signatory, last of the agreement's.
pub async fn insert_signatory(
    conn: &mut PgConnection,
    by: Change,
    f: &SignatoryFields,
) -> Result<Outcome<i64>> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let (actor, agreement) = (by.actor, by.agreement);
    let inserted = sqlx::query_scalar(
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
    .await;
    let id: i64 = done!(on_constraint(inserted, &[PERSON_ONCE])?);
    audit::Entry::new("create", "signatory", id)
        .after(json!({ "agreement_id": agreement, "fields": f }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

/// Deletes a signatory of this agreement; "not found" when it has none by
/// that id.
pub async fn delete_signatory(
    conn: &mut PgConnection,
    by: Change,
    signatory: i64,
) -> Result<Outcome> {
    let (actor, agreement, seen) = (by.actor, by.agreement, by.seen);
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM signatory WHERE id = $1 AND agreement_id = $2)",
    )
    .bind(signatory)
    .bind(agreement)
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    done!(claim(conn, agreement, seen).await?);
    let before: Option<serde_json::Value> = sqlx::query_scalar(
        "DELETE FROM signatory WHERE id = $1 AND agreement_id = $2 RETURNING to_jsonb(signatory.*)",
    )
    .bind(signatory)
    .bind(agreement)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = before else {
        return Err(AppError::NotFound);
    };
    audit::Entry::new("delete", "signatory", signatory)
        .before(before)
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}
