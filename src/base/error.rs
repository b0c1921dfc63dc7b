//! One error type for every handler. It does not render HTML itself: it marks
//! the response with an [`ErrorPage`], and the `error_pages` middleware, which
//! knows who is signed in, renders the Dutch page around it. Rejections that
//! axum produces on its own (plain-text 4xx) get the same treatment there.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("niet gevonden")]
    NotFound,
    #[error("geen toegang")]
    Forbidden,
    /// A signed-in user is refused for a reason they can act on: the error
    /// page says it (in Dutch) under "Geen toegang".
    #[error("geen toegang: {0}")]
    ForbiddenBecause(String),
    /// An anonymous visitor asked for a page that needs an account.
    #[error("aanmelden vereist")]
    SignInRequired { return_to: String },
    /// A request we refuse, with a message for the user (in Dutch).
    #[error("{0}")]
    BadRequest(String),
    /// Someone else changed the record first.
    #[error("{0}")]
    Conflict(String),
    #[error("te veel pogingen")]
    TooManyRequests(String),
    /// The database cannot be reached: a 503, so that load balancers and
    /// users know to try again.
    #[error("databank onbereikbaar: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What the error-page middleware renders.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    /// A 403 that says why, and what to do about it.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        AppError::ForbiddenBecause(reason.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Pagina niet gevonden",
                "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar de startpagina."
                    .to_string(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Geen toegang",
                "U hebt geen toegang tot deze pagina met uw account.".to_string(),
            ),
            AppError::ForbiddenBecause(reason) => (StatusCode::FORBIDDEN, "Geen toegang", reason),
            AppError::SignInRequired { return_to } => {
                return Redirect::to(&crate::auth::sign_in_url(&return_to)).into_response();
            }
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Ongeldige aanvraag", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "Intussen gewijzigd", m),
            AppError::TooManyRequests(m) => {
                (StatusCode::TOO_MANY_REQUESTS, "Te veel pogingen", m)
            }
            AppError::Unavailable(cause) => return server_error(&cause, true),
            // Data the database refuses outright (a NUL byte in a text, a
            // number out of range, an impossible date): the request's fault.
            AppError::Database(e) if is_data_exception(&e) => {
                tracing::warn!(error = %e, "input refused by the database");
                (
                    StatusCode::BAD_REQUEST,
                    "Ongeldige gegevens",
                    "Het formulier bevat tekens of waarden die niet bewaard kunnen worden. Ga terug en controleer wat u invulde."
                        .to_string(),
                )
            }
            AppError::Database(e) => return server_error(&e, is_unavailable(&e)),
            AppError::Internal(e) => {
                match e.downcast_ref::<sqlx::Error>() {
                    Some(db) => return server_error(&e, is_unavailable(db)),
                    None => return server_error(&e, false),
                }
            }
        };
        error_response(status, title, message)
    }
}

pub fn error_response(status: StatusCode, title: &'static str, message: String) -> Response {
    let mut response = status.into_response();
    response
        .extensions_mut()
        .insert(ErrorPage { title, message });
    response
}

/// SQLSTATE class 22, data exception.
fn is_data_exception(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c.starts_with("22"))
}

/// Errors that mean "the database is not there right now" rather than
/// "this request is wrong": no connection, or a server that is shutting
/// down, starting up or full.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            // 55000 here: "database is not currently accepting connections"
            // (closed for maintenance with ALLOW_CONNECTIONS false).
            c.starts_with("08")
                || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300" | "55000")
        }),
        _ => false,
    }
}

/// Logged with its cause; the user sees a generic page.
fn server_error(e: &dyn std::fmt::Display, unavailable: bool) -> Response {
    if unavailable {
        tracing::error!(error = %e, "database unavailable");
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Tijdelijk niet beschikbaar",
            "De databank is even niet bereikbaar. Probeer het over enkele ogenblikken opnieuw."
                .to_string(),
        )
    } else {
        tracing::error!(error = %e, "internal error");
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Er ging iets mis",
            "Er ging iets mis bij het verwerken van uw aanvraag. Het probleem is gelogd; probeer het later opnieuw."
                .to_string(),
        )
    }
}

/// A unique or exclusion constraint that the user can run into, by name.
pub fn violated_constraint(e: &sqlx::Error) -> Option<&str> {
    e.as_database_error().and_then(|d| d.constraint())
}
