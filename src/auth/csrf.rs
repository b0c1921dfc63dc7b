//! CSRF protection: a random token per session, sent back in a hidden
//! `_csrf` field of every form and compared in constant time on every
//! state-changing request, plus a check that the request comes from our own
//! origin (Sec-Fetch-Site / Origin).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::auth::session_error;
use crate::error::{Result, error_response};

const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "_csrf";
/// Forms are small; uploads set their own, larger limit before this runs.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String> {
    if let Some(t) = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(session_error)?
    {
        return Ok(t);
    }
    rotate(session).await
}

pub async fn rotate(session: &Session) -> Result<String> {
    let bytes: [u8; 32] = rand::random();
    let t = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    session
        .insert(SESSION_KEY, t.clone())
        .await
        .map_err(session_error)?;
    Ok(t)
}

fn refused() -> Response {
    error_response(
        StatusCode::FORBIDDEN,
        "Formulier verlopen",
        "Dit formulier is verlopen of kwam niet van deze website. Ga terug, laad de pagina opnieuw en probeer het nog eens."
            .to_string(),
    )
}

/// Checks every request that may change state.
pub async fn verify(session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if !same_origin(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return refused();
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(t)) => t,
        Ok(None) => return refused(),
        Err(e) => return session_error(e).into_response(),
    };

    let (parts, body) = req.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    // Multipart uploads carry the token in the query string instead.
    let from_query = parts.uri.query().and_then(|q| field(q.as_bytes()));
    let (given, body) = if is_form {
        let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return error_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Te groot",
                    "Het formulier is te groot.".to_string(),
                );
            }
        };
        (field(&bytes), Body::from(bytes))
    } else {
        (None, body)
    };
    let given = given.or(from_query);
    let ok = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(expected.as_bytes())));
    if !ok {
        tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
        return refused();
    }
    next.run(Request::from_parts(parts, body)).await
}

fn field(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Browsers tell us where a request comes from; refuse other sites.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or_default();
            origin_host.eq_ignore_ascii_case(host)
        }
        (Some("null"), None) => false,
        _ => true,
    }
}
