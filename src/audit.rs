//! The audit log: every write, in the transaction of the write.

use serde_json::Value;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

pub async fn record(
    conn: &mut PgConnection,
    actor: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (account_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}

/// Who read a record, or was refused one: not a write, so in a transaction
/// of its own. `action` says which (`document.download`,
/// `agenda_item.refused`…); the address is where the request came from.
pub async fn access(
    db: &PgPool,
    account: Option<i64>,
    action: &str,
    entity: &str,
    id: i64,
    from: &str,
) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    record(
        &mut conn,
        account,
        action,
        entity,
        Some(id.to_string()),
        None,
        Some(json!({ "address": from })),
    )
    .await
}
