//! The audit log: every write, in the transaction of the write.

use serde_json::Value;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

/// One line of the audit log: what was done to which record, with the
/// record's data before and after where there is any.
///
/// `Entry::new("update", "goal", id).before(old).after(new).write(conn, actor)`
#[must_use = "an entry is only logged by `write`"]
pub struct Entry<'a> {
    action: &'a str,
    entity: &'a str,
    id: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
}

impl<'a> Entry<'a> {
    pub fn new(action: &'a str, entity: &'a str, id: impl ToString) -> Self {
        Self::of(action, entity, Some(id.to_string()))
    }

    pub fn of(action: &'a str, entity: &'a str, id: Option<String>) -> Self {
        Self {
            action,
            entity,
            id,
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, data: Value) -> Self {
        self.before = Some(data);
        self
    }

    pub fn after(mut self, data: Value) -> Self {
        self.after = Some(data);
        self
    }

    pub fn before_opt(mut self, data: Option<Value>) -> Self {
        self.before = data;
        self
    }

    pub fn after_opt(mut self, data: Option<Value>) -> Self {
        self.after = data;
        self
    }

    /// Writes the entry, as `actor` (`None`: the system, or nobody signed
    /// in), on the connection of the write it records.
    pub async fn write(
        self,
        conn: &mut PgConnection,
        actor: impl Into<Option<i64>>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (account_id, action, entity, entity_id, before, after)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(actor.into())
        .bind(self.action)
        .bind(self.entity)
        .bind(self.id)
        .bind(self.before)
        .bind(self.after)
        .execute(conn)
        .await?;
        Ok(())
    }
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
    Entry::new(action, entity, id)
        .after(json!({ "address": from }))
        .write(&mut conn, account)
        .await
}
