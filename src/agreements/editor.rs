//! What the four editors of the secretariat share (the agreement itself,
//! its goals, the tree of action lines and the signatories).
//!
//! Every change, to the agreement or to one of its parts, claims the
//! agreement's version first (`queries::agreement::claim`): an agreement is
//! edited as one document, so two editors working from different versions
//! never overwrite each other (the second gets a 409 with what they typed).

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::{PgConnection, PgPool};

use super::queries::agreement::AgreementRecord;
use super::queries::{self, Choice};
use crate::base::error::{AppError, Result};
use crate::base::extract::parse_id;
use crate::base::write::stale_errors;
use crate::base::{Actor, AppState, Check, FieldErrors, Outcome, Version, dutch, write};

/// What an editor's address names: the agreement (`{slug}`) and, after it,
/// the part being edited (`{goal}`, `{line}`, `{signatory}`), with the state
/// to read and write them. Unknown ones are "not found".
pub struct Editing<P = ()> {
    pub state: AppState,
    pub agreement: AgreementRecord,
    pub part: P,
}

/// The part an editor's address names after the agreement, from its raw
/// path segment: none, an id, or the part's record (of this agreement).
pub trait Part: Sized {
    fn load(
        db: &PgPool,
        agreement: &AgreementRecord,
        raw: Option<String>,
    ) -> impl Future<Output = Result<Self>> + Send;
}

impl Part for () {
    async fn load(_: &PgPool, _: &AgreementRecord, _: Option<String>) -> Result<()> {
        Ok(())
    }
}

impl Part for i64 {
    async fn load(_: &PgPool, _: &AgreementRecord, raw: Option<String>) -> Result<i64> {
        parse_id(&raw.unwrap_or_default())
    }
}

impl<P: Part> FromRequestParts<AppState> for Editing<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let mut values = params.into_iter().map(|(_, value)| value);
        let slug = values.next().unwrap_or_default();
        let agreement = queries::agreement::record_by_slug(&state.db, &slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let part = P::load(&state.db, &agreement, values.next()).await?;
        let state = state.clone();
        Ok(Editing {
            state,
            agreement,
            part,
        })
    }
}

/// What a form of the editor sent, and who sent it: a button sends only the
/// version it was shown.
pub struct Sent<F = VersionForm> {
    pub actor: i64,
    pub form: F,
}

impl<F: DeserializeOwned + Send> FromRequest<AppState> for Sent<F> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> std::result::Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let Actor(actor) = Actor::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let Form(form) = Form::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let actor = actor.id;
        Ok(Sent { actor, form })
    }
}

pub(super) fn editor_url(slug: &str, notice: &str, anchor: &str) -> String {
    format!("/beheer/akkoorden/{slug}?melding={notice}#{anchor}")
}

/// The notice an address asks for after a change (`?melding=`).
#[derive(Debug, Deserialize)]
pub struct Notice {
    pub melding: Option<String>,
}

impl Notice {
    /// `text` after a save (`?melding=opgeslagen`).
    pub(super) fn saved(&self, text: &'static str) -> Option<&'static str> {
        (self.melding.as_deref() == Some("opgeslagen")).then_some(text)
    }
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

/// Saves a form's checked fields (see [`save`]): on to the address `done`
/// makes of what was saved, or the form `again` with the status and the
/// messages.
pub(super) async fn save_then<F, T>(
    state: &AppState,
    checked: std::result::Result<F, FieldErrors>,
    operation: impl AsyncFnOnce(&mut PgConnection, F) -> Result<Outcome<T>>,
    done: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(StatusCode, FieldErrors) -> Result<Response>,
) -> Result<Response> {
    match save(state, checked, operation).await? {
        Ok(value) => Ok(Redirect::to(&done(value)).into_response()),
        Err((status, errors)) => again(status, errors).await,
    }
}

/// What `parse` makes of an optional field, or nothing when it is left
/// empty; `wrong` when `parse` makes nothing of what was typed.
pub(super) fn optional<T>(
    check: &mut Check,
    field: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    wrong: &str,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        check.add(field, wrong);
    }
    parsed
}

/// A number as typed in Dutch ("120.000", "80,5"), or nothing.
pub(super) fn optional_number(
    check: &mut Check,
    field: &'static str,
    value: &str,
) -> Option<String> {
    let wrong =
        "Vul een getal in zoals 120.000 of 80,5 (komma voor decimalen), of laat het veld leeg.";
    optional(check, field, value, dutch::parse_nl_number, wrong)
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
    let listed = |v: &str| v.parse().ok().filter(|id| list.iter().any(|c| c.id == *id));
    optional(check, field, value, listed, unknown)
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
