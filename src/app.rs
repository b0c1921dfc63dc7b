//! The application: its state, its routes and the layers around them.

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use sqlx::PgPool;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::auth::access::{RouteSpec, Routes};
use crate::auth::{self, Viewer};
use crate::auth::{SECURE_SESSION_COOKIE, SESSION_COOKIE};
use crate::base::AppState;
use crate::base::error::{AppError, ErrorPage};
use crate::base::page;
use crate::cache;
use crate::config::ServeConfig;
use crate::keep_alive;

/// Every route of the application, each with its permission decision.
pub fn routes() -> Routes {
    Routes::new()
        .merge(crate::home::routes())
        .merge(crate::health::routes())
        .merge(crate::composition::routes())
        .merge(crate::agreements::routes())
        .merge(crate::meetings::routes())
        .merge(crate::agenda::routes())
        .merge(crate::actions::routes())
        .merge(crate::accounts::routes())
        .merge(crate::open_data::routes())
        .merge(crate::overview::routes())
        .merge(crate::search::routes())
        .merge(crate::work::routes())
        .merge(crate::mail::routes())
        .merge(crate::meetings::rsvp::routes())
        .merge(crate::meetings::reminder_routes())
}

/// The route table, for the authorization test and the documentation.
pub fn route_table() -> Vec<RouteSpec> {
    routes().into_parts().1
}

pub fn build(state: AppState) -> Router {
    let secure = state.config.secure_cookies;
    let cache_state = state.cache.clone();
    let store = cache::sessions::CachedStore::new(state.db.clone(), state.cache.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(if secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        // A signed-in request extends the idle timeout at most once a
        // minute (`auth::touch`); the absolute lifetime is checked against
        // the sign-in time in `auth::load_viewer`.
        .with_expiry(Expiry::OnInactivity(auth::IDLE_TIMEOUT));

    // The benchmark's reference routes exist only when asked for; the route
    // table of the authorization test (`route_table`) is the production one.
    let all = if state.config.bench_routes {
        routes().merge(crate::bench_routes::routes())
    } else {
        routes()
    };
    let (router, _) = all.into_parts();
    let app = router
        .fallback(|| async { AppError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
                .layer(sessions)
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    auth::load_viewer,
                ))
                .layer(middleware::from_fn(error_pages))
                .layer(middleware::from_fn(auth::csrf::verify)),
        )
        .with_state(state);

    let static_files = Router::new()
        .nest_service("/static", ServeDir::new(static_dir()))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ));

    let router = Router::new()
        .merge(static_files)
        .merge(app)
        .layer(middleware::from_fn(error_pages))
        // Outside the sessions: a cached page costs no session work.
        .layer(middleware::from_fn_with_state(cache_state, cache::layer))
        .layer(TraceLayer::new_for_http());
    with_security_headers(router, secure)
}

/// The stylesheet and images live next to Cargo.toml.
fn static_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static")
}

/// The headers every response carries, set over whatever a handler set.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Outermost, so that every response has them, errors included. One layer
/// that sets them all: a layer per header (seven) wrapped every response's
/// future seven times, on every request, cached pages included.
fn with_security_headers(router: Router, secure: bool) -> Router {
    router.layer(middleware::map_response(
        move |mut response: Response| async move {
            let headers = response.headers_mut();
            for (name, value) in SECURITY_HEADERS {
                headers.insert(name, HeaderValue::from_static(value));
            }
            if secure {
                headers.entry(header::STRICT_TRANSPORT_SECURITY).or_insert(
                    HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                );
            }
            // Open data (every JSON answer) may be read by any web page
            // (OParl 1.1).
            let json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if json {
                headers
                    .entry(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                    .or_insert(HeaderValue::from_static("*"));
            }
            response
        },
    ))
}

/// Renders the Dutch error page for an [`ErrorPage`] response, and for the
/// plain-text errors axum and tower-http produce by themselves.
async fn error_pages(req: Request, next: Next) -> Response {
    let viewer = req
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    let response = next.run(req).await;
    let status = response.status();
    if let Some(page) = response.extensions().get::<ErrorPage>().cloned() {
        // An error is no page to keep (the refusal of a one-time link has
        // the link in its address), unless its handler said otherwise.
        let mut rendered = page::render_error(status, &page, viewer);
        let keep = response
            .headers()
            .get(header::CACHE_CONTROL)
            .cloned()
            .unwrap_or(HeaderValue::from_static("no-store"));
        rendered.headers_mut().insert(header::CACHE_CONTROL, keep);
        return rendered;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_html {
        let page = generic_page(status);
        return page::render_error(status, &page, viewer);
    }
    response
}

fn generic_page(status: StatusCode) -> ErrorPage {
    let (title, message) = match status {
        StatusCode::NOT_FOUND => ("Pagina niet gevonden", "Deze pagina bestaat niet (meer)."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Niet toegelaten",
            "Deze pagina kan niet op deze manier worden opgevraagd.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Te groot",
            "Wat u verstuurde is te groot. Verklein het bestand of de tekst en probeer opnieuw.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::BAD_REQUEST => (
            "Ongeldige aanvraag",
            "Het formulier of het adres bevat ongeldige gegevens. Ga terug en controleer wat u invulde.",
        ),
        s if s.is_server_error() => (
            "Er ging iets mis",
            "Er ging iets mis bij het verwerken van uw aanvraag. Probeer het later opnieuw.",
        ),
        _ => ("Fout", "Uw aanvraag kon niet worden verwerkt."),
    };
    ErrorPage {
        title,
        message: message.to_string(),
    }
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
///
/// The accept loop is ours rather than `axum::serve`'s, for two reasons:
/// hyper times out a slow request head only with a timer, which
/// `axum::serve` does not give it; and a request body the application
/// leaves unread must be read, or the connection's end announced
/// ([`keep_alive`]).
pub async fn serve(
    db: PgPool,
    config: ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let grace = config.shutdown_grace;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let cleanup = tokio::spawn(
        PostgresStore::new(db.clone())
            .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
    );
    let app = build(AppState::new(db, config));
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: the connection is
                // lost, the listener is not; wait a little.
                Err(e) => {
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(tokio::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            // A body the application left unread is read here, or the
            // answer says `Connection: close` (src/keep_alive.rs).
            let (req, unread) = keep_alive::watch(req);
            let answer = router.clone().oneshot(req);
            async move {
                let response = answer.await?;
                Ok::<_, std::convert::Infallible>(unread.settle(response).await)
            }
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection from {peer}: {e}");
            }
        });
    }
    // New connections are refused from here on; idle ones are closed, and
    // requests in flight may finish within the grace period (30 s unless
    // configured). A client that sent half a request head is closed by the
    // header timeout, or at the end of the grace period.
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(?grace, "connections still open after the grace period: stopping anyway");
        }
    }
    cleanup.abort();
    Ok(())
}
