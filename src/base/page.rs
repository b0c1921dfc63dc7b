//! What every page shares: the context the layout needs, rendering, and
//! the error page.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::error::ErrorPage;
use super::{AppState, dutch};
use crate::auth::{CurrentUser, Viewer};

/// What the layout needs: who is signed in, and where we are.
#[derive(Debug, Clone, Default)]
pub struct PageCtx {
    pub user: Option<CurrentUser>,
    pub path: String,
    /// Where the request came from ([`super::ClientAddr`]), for the audit
    /// log of refused access.
    pub address: String,
    /// Where the public reaches this instance (`https://vesoc.serv.be`):
    /// the configured public address, or the request's own; `None` when
    /// the request named no valid host.
    pub origin: Option<String>,
    /// What waits for the secretariat (`work_waiting`): the badge on the
    /// work menu. Not asked for other readers, whose pages keep their
    /// query budget.
    pub waiting: Option<i64>,
}

impl PageCtx {
    pub fn from_viewer(viewer: Viewer, path: &str) -> Self {
        PageCtx {
            user: viewer.0,
            path: path.to_string(),
            address: String::new(),
            origin: None,
            waiting: None,
        }
    }

    /// A path of this site as a full address to hand on (`https://host/…`),
    /// or the path itself when the origin is unknown.
    pub fn absolute(&self, path: &str) -> String {
        match &self.origin {
            Some(origin) => format!("{origin}{path}"),
            None => path.to_string(),
        }
    }

    /// A path of this site as a `webcal://` address, which calendar
    /// programs open as a subscription; `None` when the origin is unknown.
    pub fn webcal(&self, path: &str) -> Option<String> {
        let origin = self.origin.as_deref()?;
        let host = origin.split_once("://").map_or(origin, |(_, h)| h);
        Some(format!("webcal://{host}{path}"))
    }

    /// Marks the navigation link of the current section.
    pub fn current(&self, prefix: &str) -> &'static str {
        let here = if prefix == "/" {
            self.path == "/"
        } else {
            self.path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if here { "page" } else { "false" }
    }

    pub fn is_role(&self, code: &str) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.code() == code)
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let viewer = parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_default();
        // Read with the session's account (`auth::session_user`).
        let waiting = viewer.0.as_ref().and_then(|u| u.waiting);
        Ok(PageCtx {
            address: super::ClientAddr::of(parts, state.config.trust_proxy).0,
            origin: origin(parts, &state.config),
            waiting,
            ..PageCtx::from_viewer(viewer, parts.uri.path())
        })
    }
}

/// The origin of full links for a response that must have one (feeds,
/// open data): the request's ([`origin`]), else `http://localhost` (a
/// request without a valid Host names no other). Handlers take it as an
/// argument.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

impl Origin {
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Origin(
            origin(parts, &state.config).unwrap_or_else(|| "http://localhost".to_string()),
        ))
    }
}

/// Where this instance is reached when no request says it (jobs, a request
/// without a valid Host): the configured public address, else the address
/// it listens on.
pub fn own_origin(config: &crate::config::ServeConfig) -> String {
    match &config.public_url {
        Some(url) => url.clone(),
        None => {
            // Listening on every address: links can only name this host.
            let mut addr = config.addr;
            if addr.ip().is_unspecified() {
                addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{addr}")
        }
    }
}

/// The origin of full links: the configured public address, else the
/// request's Host (only a valid `host[:port]`), over https when cookies are
/// secure or a trusted proxy says the request came over https.
fn origin(parts: &Parts, config: &crate::config::ServeConfig) -> Option<String> {
    if let Some(url) = &config.public_url {
        return Some(url.clone());
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .filter(|h| crate::config::is_host(h))?;
    let forwarded_https = config.trust_proxy
        && parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    let scheme = if config.secure_cookies || forwarded_https {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    ctx: PageCtx,
    status: u16,
    title: &'a str,
    message: &'a str,
}

pub fn render_error(status: StatusCode, page: &ErrorPage, viewer: Viewer) -> Response {
    let template = ErrorTemplate {
        ctx: PageCtx::from_viewer(viewer, ""),
        status: status.as_u16(),
        title: page.title,
        message: &page.message,
    };
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (
                status,
                Html(format!(
                    "<!doctype html><title>{}</title><p>{}</p>",
                    status, status
                )),
            )
                .into_response()
        }
    }
}

/// Renders a template as a page, or the error page when rendering fails.
pub fn render<T: Template>(template: &T) -> Response {
    // Written into a buffer as large as this template's last page: grown
    // from askama's estimate, a 100 KB page was copied a handful of times
    // (an eighth of rendering the staff's long pages).
    let mut html = String::with_capacity(sizes::last::<T>());
    match template.render_into(&mut html) {
        Ok(()) => {
            sizes::seen::<T>(html.len());
            Html(html).into_response()
        }
        Err(e) => super::error::AppError::Internal(e.into()).into_response(),
    }
}

/// The size of the last page of each template, by its type's name.
mod sizes {
    use std::collections::HashMap;
    use std::sync::{LazyLock, RwLock};

    static LAST: LazyLock<RwLock<HashMap<&'static str, usize>>> = LazyLock::new(RwLock::default);

    pub fn last<T: askama::Template>() -> usize {
        let known = LAST
            .read()
            .ok()
            .and_then(|m| m.get(std::any::type_name::<T>()).copied());
        known.unwrap_or(T::SIZE_HINT).max(T::SIZE_HINT)
    }

    /// Remembers a page's length when it outgrew the buffer, or used less
    /// than half of it: most pages change nothing (a read lock).
    pub fn seen<T>(len: usize) {
        let name = std::any::type_name::<T>();
        let known = LAST.read().ok().and_then(|m| m.get(name).copied());
        if known.is_none_or(|k| len > k || len < k / 2)
            && let Ok(mut m) = LAST.write()
        {
            // A little room, so that a page a line longer is not copied.
            m.insert(name, len + len / 8);
        }
    }
}

/// Values written into a page as they are, by their own `write_to`: they
/// hold nothing HTML would read as markup (digits, dashes, points, month
/// names), so askama skips escaping them (`HtmlSafe`), and they are written
/// without a `String` of their own (`FastWritable`).
macro_rules! written_unescaped {
    ($($t:ty),+) => {$(
        impl askama::filters::HtmlSafe for $t {}

        impl askama::FastWritable for $t {
            fn write_into(
                &self,
                dest: &mut dyn std::fmt::Write,
                _: &dyn askama::Values,
            ) -> askama::Result<()> {
                Ok(self.write_to(dest)?)
            }
        }
    )+};
}
pub(crate) use written_unescaped;

written_unescaped!(
    dutch::NlDate,
    dutch::IsoDate,
    dutch::Period,
    dutch::NlNumber<'_>,
    dutch::When
);

/// HTML that one of our templates rendered (and escaped) when a read model
/// was built, kept in the model and written into a page as it is. Made
/// only by [`Rendered::of`], or read back from a model this binary stored.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Rendered(String);

impl Rendered {
    pub fn of(template: &impl Template) -> super::error::Result<Rendered> {
        template
            .render()
            .map(Rendered)
            .map_err(|e| super::error::AppError::Internal(e.into()))
    }
}

impl std::fmt::Display for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Rendered {}

impl askama::FastWritable for Rendered {
    fn write_into(
        &self,
        dest: &mut dyn std::fmt::Write,
        _: &dyn askama::Values,
    ) -> askama::Result<()> {
        Ok(dest.write_str(&self.0)?)
    }
}

/// Marks pages for signed-in users as not to be stored by any cache.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
