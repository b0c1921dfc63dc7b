//! What the four editors of the secretariat share (the agreement itself,
//! its goals, the tree of action lines and the signatories).
//!
//! Every change, to the agreement or to one of its parts, claims the
//! agreement's version first: an agreement is edited as one document, so
//! two editors working from different versions never overwrite each other
//! (the second gets a 409 with what they typed).

use serde::Deserialize;

use super::queries::agreement::AgreementRecord;
use super::queries::{self, Choice};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, dutch};

pub(super) const CONFLICT: &str = "Iemand anders heeft dit akkoord intussen gewijzigd. Uw invoer staat hieronder; er is niets overschreven. Herlaad de pagina om de nieuwe versie te zien en breng uw wijziging dan opnieuw aan.";

pub(super) fn actor(ctx: &PageCtx) -> Result<i64> {
    ctx.user.as_ref().map(|u| u.id).ok_or(AppError::Forbidden)
}

pub(super) fn parse_id(id: &str) -> Result<i64> {
    id.trim().parse().map_err(|_| AppError::NotFound)
}

pub(super) async fn agreement(state: &AppState, slug: &str) -> Result<AgreementRecord> {
    queries::agreement::record_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

pub(super) fn seen_version(v: &str) -> i32 {
    // A missing or garbled version can only be a stale or forged form: it
    // matches no row and is treated as a conflict.
    v.trim().parse().unwrap_or(-1)
}

pub(super) fn editor_url(slug: &str, notice: &str, anchor: &str) -> String {
    format!("/beheer/akkoorden/{slug}?melding={notice}#{anchor}")
}

pub(super) fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// An optional date field: empty is `None`, anything else must be a date.
pub(super) fn optional_date(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    message: &str,
) -> Option<time::Date> {
    if value.trim().is_empty() {
        return None;
    }
    let d = dutch::parse_date(value);
    if d.is_none() {
        errors.add(field, message);
    }
    d
}

pub(super) fn optional_number(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let n = dutch::parse_nl_number(value);
    if n.is_none() {
        errors.add(
            field,
            "Vul een getal in zoals 120.000 of 80,5 (komma voor decimalen), of laat het veld leeg.",
        );
    }
    n
}

pub(super) fn pick(value: &str, list: &[Choice]) -> std::result::Result<Option<i64>, ()> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let id: i64 = value.trim().parse().map_err(|_| ())?;
    list.iter()
        .any(|c| c.id == id)
        .then_some(Some(id))
        .ok_or(())
}

/// What the buttons of the editor send: the version they were shown.
#[derive(Debug, Default, Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
}

pub(super) fn conflict_errors() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("form", CONFLICT);
    errors
}
