//! The one write path. A domain operation (a function of its area's
//! queries) validates, writes and audits in one transaction and returns an
//! [`Outcome`]; the handler only maps it to a redirect or a re-render.
//!
//! ```ignore
//! let outcome = write::run(&state.db, async |tx| queries::rename(tx, actor.id, id, &form).await).await?;
//! match outcome {
//!     Outcome::Done(()) => Ok(Redirect::to(..).into_response()),
//!     Outcome::Stale => again(StatusCode::CONFLICT, write::stale_errors("dit orgaan")),
//!     Outcome::Refused(errors) => again(StatusCode::UNPROCESSABLE_ENTITY, errors),
//! }
//! ```

use axum::http::StatusCode;
use sqlx::{PgConnection, PgPool};

use super::error::Result;
use super::form::FieldErrors;

/// What an operation did. Only `Done` is committed.
#[derive(Debug)]
#[must_use]
pub enum Outcome<T = ()> {
    Done(T),
    /// The record changed since the form was loaded (its version, or a
    /// state that no longer allows the change): nothing was written.
    Stale,
    /// Refused with Dutch messages per field: nothing was written.
    Refused(FieldErrors),
}

impl<T> Outcome<T> {
    /// Refused with one message on one field.
    pub fn refused(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Outcome::Refused(errors)
    }

    /// What was done, or the status and the messages to show the form again
    /// with: a conflict (with `stale`) when stale, unprocessable when refused.
    pub fn settle(self, stale: FieldErrors) -> std::result::Result<T, (StatusCode, FieldErrors)> {
        match self {
            Outcome::Done(value) => Ok(value),
            Outcome::Stale => Err((StatusCode::CONFLICT, stale)),
            Outcome::Refused(errors) => Err((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        }
    }
}

/// Runs `operation` in a transaction: committed when it is done, rolled
/// back when it is stale or refused (or fails).
pub async fn run<T>(
    db: &PgPool,
    operation: impl AsyncFnOnce(&mut PgConnection) -> Result<Outcome<T>>,
) -> Result<Outcome<T>> {
    let mut tx = db.begin().await?;
    let outcome = operation(&mut tx).await?;
    if matches!(outcome, Outcome::Done(_)) {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// Runs what a form gave through `operation`, in one transaction; a form
/// its check refused is refused without touching the database.
pub async fn run_form<V, T>(
    db: &PgPool,
    parsed: std::result::Result<V, FieldErrors>,
    operation: impl AsyncFnOnce(&mut PgConnection, V) -> Result<Outcome<T>>,
) -> Result<Outcome<T>> {
    match parsed {
        Ok(value) => run(db, async move |tx| operation(tx, value).await).await,
        Err(errors) => Ok(Outcome::Refused(errors)),
    }
}

/// Runs a write that cannot be stale or refused (a new calendar link, say)
/// in a transaction of its own, and returns what it made.
pub async fn commit<T>(
    db: &PgPool,
    operation: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<T>,
) -> Result<T> {
    let mut tx = db.begin().await?;
    let value = operation(&mut tx).await?;
    tx.commit().await?;
    Ok(value)
}

/// The one message for a change that came too late: `what` names the record
/// ("dit agendapunt", "deze vergadering").
pub fn stale_message(what: &str) -> String {
    format!(
        "Iemand anders heeft {what} intussen gewijzigd. Uw invoer staat hieronder; niets is \
         overschreven. Herlaad de pagina om de nieuwe toestand te zien."
    )
}

/// [`stale_message`] as the form's error.
pub fn stale_errors(what: &str) -> FieldErrors {
    stale_errors_on("form", what)
}

/// [`stale_message`] on one field, for the small forms that show no summary.
pub fn stale_errors_on(field: &'static str, what: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, stale_message(what));
    errors
}

/// A database constraint that a form can break, with the field it concerns
/// and what to tell the user.
#[derive(Debug, Clone, Copy)]
pub struct Constraint {
    pub name: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// A write's result, with a broken constraint of `known` turned into the
/// field error it stands for; any other error stays an error.
pub fn on_constraint<T>(result: sqlx::Result<T>, known: &[Constraint]) -> Result<Outcome<T>> {
    match result {
        Ok(value) => Ok(Outcome::Done(value)),
        Err(e) => {
            let broken = e
                .as_database_error()
                .and_then(|d| d.constraint())
                .and_then(|name| known.iter().find(|c| c.name == name));
            match broken {
                Some(c) => Ok(Outcome::refused(c.field, c.message)),
                None => Err(e.into()),
            }
        }
    }
}
