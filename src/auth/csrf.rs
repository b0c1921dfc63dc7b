//! CSRF protection: a random token per session, sent back in a hidden
//! `_csrf` field of every form and compared in constant time on every
//! state-changing request, plus a check that the request comes from our own
//! origin (Sec-Fetch-Site / Origin).
//!
//! An upload (multipart) carries the token as its first part: the check reads
//! the body up to that part only, compares, and hands the handler the whole
//! body again. A wrong or missing token is refused before any file is read,
//! and the token never appears in a URL (access logs, history, `Referer`).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::auth::session_error;
use crate::base::error::{Result, error_response};

const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "_csrf";
/// Forms are small; uploads set their own, larger limit before this runs.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// How much of an upload is read to find its first part, the token.
const MULTIPART_PREFIX_BYTES: usize = 16 * 1024;

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

/// Paths whose secret token is the credential (`/uitschrijven/{token}`): a
/// mail client's one-click unsubscribe (RFC 8058) posts there from outside,
/// without a session, and can change nothing but that mailbox's choice.
pub const TOKEN_PATHS: &[&str] = &["/uitschrijven/"];

/// Checks every request that may change state.
pub async fn verify(session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || TOKEN_PATHS.iter().any(|p| req.uri().path().starts_with(p))
    {
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
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (given, body) = if content_type.starts_with("application/x-www-form-urlencoded") {
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
    } else if content_type.starts_with("multipart/form-data") {
        match multipart_token(content_type, body).await {
            Some((given, body)) => (given, body),
            None => (None, Body::empty()),
        }
    } else {
        (None, body)
    };
    let ok = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(expected.as_bytes())));
    if !ok {
        tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
        return refused();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The token of a multipart form, which must be its first part, and the
/// body to pass on: what was read, then the rest of the stream. `None` when
/// the body cannot be read at all.
async fn multipart_token(content_type: &str, body: Body) -> Option<(Option<String>, Body)> {
    use futures_util::StreamExt;

    let boundary = multer::parse_boundary(content_type).ok()?;
    let mut stream = body.into_data_stream();
    let mut prefix = Vec::new();
    while prefix.len() < MULTIPART_PREFIX_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(_)) => return None,
            None => break,
        }
    }
    let prefix = Bytes::from(prefix);
    let given = first_part_token(prefix.clone(), boundary).await;
    let whole =
        futures_util::stream::once(async move { Ok::<_, axum::Error>(prefix) }).chain(stream);
    Some((given, Body::from_stream(whole)))
}

/// The value of the first part if it is the token field, read from the
/// start of the body alone (the rest has not arrived yet, and need not).
async fn first_part_token(prefix: Bytes, boundary: String) -> Option<String> {
    let start = futures_util::stream::once(async move { Ok::<_, std::io::Error>(prefix) });
    let mut form = multer::Multipart::new(start, boundary);
    let first = form.next_field().await.ok()??;
    if first.name() != Some(FIELD) || first.file_name().is_some() {
        return None;
    }
    first.text().await.ok()
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
