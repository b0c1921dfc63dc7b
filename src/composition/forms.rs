//! What the composition's forms need beyond the base's form kit; each piece
//! is small and generic, meant to move into `base` (see the notes).

use axum::http::StatusCode;
use sqlx::{PgConnection, PgPool};

use crate::base::write::{self, Outcome};
use crate::base::{Check, FieldErrors};

/// An id picked from a list on offer (`ids`); anything else is refused.
/// Empty is refused with `missing`, or allowed without one.
/// (For `base::form::Check`, as `Check::pick`.)
pub fn pick(
    check: &mut Check,
    field: &'static str,
    value: &str,
    ids: &[i64],
    missing: Option<&str>,
) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        if let Some(message) = missing {
            check.add(field, message);
        }
        return None;
    }
    let id = value.parse::<i64>().ok().filter(|id| ids.contains(id));
    if id.is_none() {
        check.add(field, "Kies een waarde uit de lijst.");
    }
    id
}

/// The stale message on one field, for the small forms that show no
/// summary. (For `base::write`, as `stale_errors_on`.)
pub fn stale_on(field: &'static str, what: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, write::stale_message(what));
    errors
}

/// What was done, or the status and the messages to show the form again
/// with: a conflict when stale, unprocessable when refused.
/// (For `base::write`, as `Outcome::settle`.)
pub fn settle<T>(outcome: Outcome<T>, stale: FieldErrors) -> Result<T, (StatusCode, FieldErrors)> {
    match outcome {
        Outcome::Done(value) => Ok(value),
        Outcome::Stale => Err((StatusCode::CONFLICT, stale)),
        Outcome::Refused(errors) => Err((StatusCode::UNPROCESSABLE_ENTITY, errors)),
    }
}

/// A form's messages by the ids of its controls, for the form kit's macros
/// (which name a message `{id}-fout`) on pages that hold several forms and
/// so prefix their ids: "m-" + "person_id". (For `base::form`, as
/// `FieldErrors::scoped(prefix)`.)
#[derive(Debug, Default, Clone)]
pub struct IdErrors(Vec<(String, String)>);

impl IdErrors {
    pub fn new(prefix: &str, errors: &FieldErrors) -> Self {
        IdErrors(
            errors
                .all()
                .iter()
                .map(|(field, message)| (format!("{prefix}{field}"), message.clone()))
                .collect(),
        )
    }

    /// One message for the control `id`.
    pub fn one(id: String, message: String) -> Self {
        IdErrors(vec![(id, message)])
    }

    pub fn get(&self, id: impl AsRef<str>) -> Option<&str> {
        let id = id.as_ref();
        self.0
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The value a form gave, when the check found nothing wrong; else its
/// messages. (For `base::form`, as `Check::finish`.)
pub fn checked<T>(check: Check, value: Option<T>) -> Result<T, FieldErrors> {
    match value {
        Some(value) if check.is_ok() => Ok(value),
        _ => Err(check.errors()),
    }
}

/// Runs `operation` on what a form gave, in one transaction; a form refused
/// by its check is refused without touching the database.
/// (For `base::write`, as `run_form`.)
pub async fn run_form<V, T>(
    db: &PgPool,
    parsed: Result<V, FieldErrors>,
    operation: impl AsyncFnOnce(&mut PgConnection, V) -> crate::base::Result<Outcome<T>>,
) -> crate::base::Result<Outcome<T>> {
    match parsed {
        Ok(value) => write::run(db, async move |tx| operation(tx, value).await).await,
        Err(errors) => Ok(Outcome::Refused(errors)),
    }
}
