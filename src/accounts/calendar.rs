//! Personal calendar links: a secret per account, stored hashed, that a
//! calendar client uses instead of a session (the feed itself is the
//! meetings area's).

use sqlx::{PgConnection, PgExecutor};

use crate::auth::CurrentUser;
use crate::base::secret;

/// A new secret for the personal feed; the previous one stops working.
pub async fn new_calendar_token(conn: &mut PgConnection, account: i64) -> sqlx::Result<String> {
    revoke_calendar_token(conn, account).await?;
    let token = secret::new_token();
    sqlx::query("INSERT INTO calendar_token (account_id, token_hash) VALUES ($1, $2)")
        .bind(account)
        .bind(secret::hash(&token))
        .execute(&mut *conn)
        .await?;
    super::queries::account_event(conn, Some(account), "new_calendar_link", account).await?;
    Ok(token)
}

pub async fn revoke_calendar_token(conn: &mut PgConnection, account: i64) -> sqlx::Result<bool> {
    let rows = sqlx::query(
        "UPDATE calendar_token SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows > 0 {
        super::queries::account_event(conn, Some(account), "revoke_calendar_link", account).await?;
    }
    Ok(rows > 0)
}

pub async fn has_calendar_token(db: impl PgExecutor<'_>, account: i64) -> sqlx::Result<bool> {
    const SQL: &str =
        "SELECT EXISTS (SELECT 1 FROM calendar_token WHERE account_id = $1 AND revoked_at IS NULL)";
    sqlx::query_scalar(SQL).bind(account).fetch_one(db).await
}

/// The active account behind a calendar token.
pub async fn calendar_account(
    db: impl PgExecutor<'_>,
    token: &str,
) -> sqlx::Result<Option<CurrentUser>> {
    const SQL: &str = crate::auth::select_current_user!(
        "a.id = (SELECT account_id FROM calendar_token WHERE token_hash = $1 AND revoked_at IS NULL)"
    );
    let hash = secret::hash(token);
    sqlx::query_as(SQL).bind(hash).fetch_optional(db).await
}
