//! What the four editors of the secretariat share (the agreement itself,
//! its goals, the tree of action lines and the signatories).
//!
//! Every change, to the agreement or to one of its parts, claims the
//! agreement's version first (`queries::agreement::claim`): an agreement is
//! edited as one document, so two editors working from different versions
//! never overwrite each other (the second gets a 409 with what they typed).

use axum::http::StatusCode;
use serde::Deserialize;
use sqlx::PgConnection;

use super::queries::agreement::AgreementRecord;
use super::queries::{self, Choice};
use crate::base::error::{AppError, Result};
use crate::base::write::stale_errors;
use crate::base::{AppState, Check, FieldErrors, Outcome, Version, dutch, write};

pub(super) async fn agreement(state: &AppState, slug: &str) -> Result<AgreementRecord> {
    queries::agreement::record_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

pub(super) fn editor_url(slug: &str, notice: &str, anchor: &str) -> String {
    format!("/beheer/akkoorden/{slug}?melding={notice}#{anchor}")
}

/// What the buttons of the editor send: the version they were shown.
#[derive(Debug, Default, Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub version: Version,
}

/// What was done, or the status and the messages to show the form again with.
pub(super) type Settled<T> = std::result::Result<T, (StatusCode, FieldErrors)>;

/// A write's outcome for the page that shows it.
pub(super) fn settled<T>(outcome: Outcome<T>) -> Settled<T> {
    outcome.settle(stale_errors("dit akkoord"))
}

/// Writes a form's checked fields with `operation` in one transaction and
/// settles the outcome; a form that did not check out is refused as it is.
pub(super) async fn save<F, T>(
    state: &AppState,
    checked: std::result::Result<F, FieldErrors>,
    operation: impl AsyncFnOnce(&mut PgConnection, F) -> Result<Outcome<T>>,
) -> Result<Settled<T>> {
    Ok(settled(
        write::run_form(&state.db, checked, operation).await?,
    ))
}

/// A number as typed in Dutch ("120.000", "80,5"), or nothing.
pub(super) fn optional_number(
    check: &mut Check,
    field: &'static str,
    value: &str,
) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let n = dutch::parse_nl_number(value);
    if n.is_none() {
        check.add(
            field,
            "Vul een getal in zoals 120.000 of 80,5 (komma voor decimalen), of laat het veld leeg.",
        );
    }
    n
}

/// An id from `list`, or nothing when left empty; `unknown` when it is not
/// one of the list's.
pub(super) fn pick(
    check: &mut Check,
    field: &'static str,
    value: &str,
    list: &[Choice],
    unknown: &str,
) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let id = value
        .parse::<i64>()
        .ok()
        .filter(|id| list.iter().any(|c| c.id == *id));
    if id.is_none() {
        check.add(field, unknown);
    }
    id
}

/// [`pick`] for a field that must be chosen (`missing` when it is not).
pub(super) fn pick_required(
    check: &mut Check,
    field: &'static str,
    value: &str,
    list: &[Choice],
    missing: &str,
    unknown: &str,
) -> Option<i64> {
    if value.trim().is_empty() {
        check.add(field, missing);
        return None;
    }
    pick(check, field, value, list, unknown)
}
