//! Rendered public pages, kept in memory and dropped on every write.
//!
//! A GET by a visitor without a session cookie gets the same bytes as any
//! other such visitor, so the page is rendered once and served from memory
//! until something changes. "Something changes" is told by PostgreSQL: a
//! trigger on every table that public pages read sends `NOTIFY
//! vesoc_changed` (migration `…0900_change_notifications`), and every
//! instance listens on its own connection. So an edit through one instance
//! empties the caches of all instances, also an edit made with `psql`.
//!
//! Correctness comes before speed:
//! - While the listening connection is down, writes could go unnoticed, so
//!   the cache is bypassed (and emptied) until it is back.
//! - A page rendered while a change arrived is not stored: each entry
//!   carries the generation it was rendered in, and the generation moves on
//!   with every notification.
//! - Pages that depend on the clock (today's composition, upcoming
//!   meetings) live at most [`MAX_AGE`], and the key holds today's date.
//! - The cache never holds more than [`MAX_BYTES`].
//!
//! Every cached answer carries an `ETag` and `Last-Modified`, and a
//! conditional request that matches gets `304 Not Modified`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};

/// The channel the triggers notify.
pub const CHANNEL: &str = "vesoc_changed";
/// How long a page may be served from memory without a change.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// All cached pages together.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Larger pages are rendered each time.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

pub struct PageCache {
    enabled: bool,
    /// True while the listening connection is up and listening.
    live: AtomicBool,
    /// Moves on with every change; entries of an older one are stale.
    generation: AtomicU64,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pages: HashMap<String, Arc<Page>>,
    bytes: usize,
    /// When the current generation began: the pages' Last-Modified.
    since: Option<SystemTime>,
}

struct Page {
    generation: u64,
    stored: Instant,
    etag: HeaderValue,
    last_modified: HeaderValue,
    content_type: HeaderValue,
    body: Bytes,
}

impl PageCache {
    /// A cache that stays bypassed until [`PageCache::listen`] has
    /// connected. `enabled: false` keeps it bypassed for good.
    pub fn new(enabled: bool) -> Arc<Self> {
        Arc::new(PageCache {
            enabled,
            live: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            inner: Mutex::new(Inner::default()),
        })
    }

    pub fn is_live(&self) -> bool {
        self.enabled && self.live.load(Ordering::SeqCst)
    }

    /// Forgets every page: something changed.
    pub fn invalidate(&self) {
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        inner.pages.clear();
        inner.bytes = 0;
        inner.since = Some(SystemTime::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a consistent map: use it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_live(&self, live: bool) {
        // Both ways, the pages may be stale: while the connection was down,
        // or (going down) from now on nobody would tell.
        self.invalidate();
        self.live.store(live, Ordering::SeqCst);
    }

    fn get(&self, key: &str) -> Option<Arc<Page>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let page = self.lock().pages.get(key).cloned()?;
        (page.generation == generation && page.stored.elapsed() < MAX_AGE).then_some(page)
    }

    /// Keeps `page` unless a change arrived since it was rendered.
    fn put(&self, key: String, page: Page) -> Arc<Page> {
        let page = Arc::new(page);
        let mut inner = self.lock();
        if self.generation.load(Ordering::SeqCst) != page.generation || !self.is_live() {
            return page;
        }
        if inner.bytes + page.body.len() > MAX_BYTES {
            inner.pages.clear();
            inner.bytes = 0;
        }
        inner.bytes += page.body.len() + key.len();
        if let Some(old) = inner.pages.insert(key.clone(), page.clone()) {
            inner.bytes -= old.body.len() + key.len();
        }
        page
    }

    fn last_modified(&self) -> HeaderValue {
        let since = *self.lock().since.get_or_insert_with(SystemTime::now);
        HeaderValue::from_str(&httpdate::fmt_http_date(since))
            .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
    }

    /// Listens for changes until the process ends, reconnecting after a
    /// lost connection. Uses a connection of its own, outside the pool
    /// that serves the pages.
    pub async fn listen(self: Arc<Self>, db: PgPool) {
        if !self.enabled {
            return;
        }
        let options = db.connect_options().as_ref().clone();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(options);
        loop {
            match PgListener::connect_with(&own).await {
                Ok(mut listener) => {
                    listener.eager_reconnect(false);
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!("page cache: cannot listen: {e}");
                    } else {
                        self.set_live(true);
                        tracing::debug!("page cache: listening on {CHANNEL}");
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(_)) => self.invalidate(),
                                Ok(None) => break,
                                Err(e) => {
                                    tracing::warn!("page cache: listening stopped: {e}");
                                    break;
                                }
                            }
                        }
                        self.set_live(false);
                    }
                }
                Err(e) => tracing::debug!("page cache: no connection: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The middleware: serves anonymous GETs from the cache, stores what they
/// render, and empties the local cache after any write (POST and the like,
/// unless refused with a 4xx), so that who wrote sees the change at once,
/// before the notification is back.
pub async fn layer(State(cache): State<Arc<PageCache>>, req: Request, next: Next) -> Response {
    if !req.method().is_safe() {
        let response = next.run(req).await;
        if !response.status().is_client_error() {
            cache.invalidate();
        }
        return response;
    }
    if req.method() != Method::GET || !cache.is_live() || !cacheable_request(&req) {
        return next.run(req).await;
    }
    let key = format!("{} {}", crate::web::today(), req.uri());
    let conditional = Conditional::of(req.headers());
    if let Some(page) = cache.get(&key) {
        return answer(&page, &conditional, "hit");
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let last_modified = cache.last_modified();
    let response = next.run(req).await;
    if !cacheable_response(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        // Too large to keep: it cannot be sent either, the body is spent.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(content_type) = parts.headers.get(header::CONTENT_TYPE).cloned() else {
        return Response::from_parts(parts, Body::from(body));
    };
    let page = Page {
        generation,
        stored: Instant::now(),
        etag: etag(&body),
        last_modified,
        content_type,
        body,
    };
    let page = cache.put(key, page);
    answer(&page, &conditional, "miss")
}

fn cacheable_request(req: &Request) -> bool {
    let path = req.uri().path();
    if path.starts_with("/static/") || path.starts_with("/health/") {
        return false;
    }
    // A session cookie may mean a signed-in user: their pages are theirs.
    // (`__Host-vesoc=` contains `vesoc=` too.)
    let name = crate::app::SESSION_COOKIE.as_bytes();
    !req.headers().get_all(header::COOKIE).iter().any(|v| {
        v.as_bytes()
            .windows(name.len() + 1)
            .any(|w| w.ends_with(b"=") && w.starts_with(name))
    })
}

fn cacheable_response(response: &Response) -> bool {
    let headers = response.headers();
    let private = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    response.status() == StatusCode::OK
        && !private
        && !headers.contains_key(header::SET_COOKIE)
        && !headers.contains_key(header::CONTENT_DISPOSITION)
        && (kind.starts_with("text/html")
            || kind.starts_with("application/json")
            || kind.starts_with("text/csv"))
        // A streamed body of unknown length is not worth waiting for.
        && axum::body::HttpBody::size_hint(response.body())
            .upper()
            .is_some_and(|n| n as usize <= MAX_PAGE_BYTES)
}

fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// What a conditional GET asks.
struct Conditional {
    if_none_match: Option<String>,
    if_modified_since: Option<SystemTime>,
}

impl Conditional {
    fn of(headers: &HeaderMap) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        Conditional {
            if_none_match: text(header::IF_NONE_MATCH).map(str::to_string),
            if_modified_since: text(header::IF_MODIFIED_SINCE)
                .and_then(|v| httpdate::parse_http_date(v).ok()),
        }
    }

    /// RFC 9110 §13.2.2: If-None-Match decides when present.
    fn not_modified(&self, page: &Page) -> bool {
        let etag = page.etag.as_bytes();
        match &self.if_none_match {
            Some(tags) => tags.split(',').map(str::trim).any(|t| {
                t == "*"
                    || t.as_bytes() == etag
                    || t.strip_prefix("W/").map(str::as_bytes) == Some(etag)
            }),
            None => self.if_modified_since.is_some_and(|since| {
                page.last_modified
                    .to_str()
                    .ok()
                    .and_then(|v| httpdate::parse_http_date(v).ok())
                    .is_some_and(|modified| modified <= since)
            }),
        }
    }
}

/// `X-Cache` tells operators (and the tests) where the page came from.
fn answer(page: &Page, conditional: &Conditional, source: &'static str) -> Response {
    let mut response = if conditional.not_modified(page) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(page.body.clone()));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, page.content_type.clone());
        r
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(header::LAST_MODIFIED, page.last_modified.clone());
    // Browsers and proxies may keep it, but ask again each time: the 304
    // is cheap, and a change shows at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CACHE, HeaderValue::from_static(source));
    response
}

const X_CACHE: header::HeaderName = header::HeaderName::from_static("x-cache");

#[cfg(test)]
mod tests {
    use super::*;

    fn page(etag: &'static str) -> Page {
        Page {
            generation: 0,
            stored: Instant::now(),
            etag: HeaderValue::from_static(etag),
            last_modified: HeaderValue::from_static("Wed, 25 Nov 2026 10:00:00 GMT"),
            content_type: HeaderValue::from_static("text/html"),
            body: Bytes::from_static(b"x"),
        }
    }

    fn conditional(pairs: &[(header::HeaderName, &'static str)]) -> Conditional {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(k, HeaderValue::from_static(v));
        }
        Conditional::of(&headers)
    }

    #[test]
    fn conditional_requests_follow_rfc_9110() {
        let p = page("\"abc\"");
        assert!(conditional(&[(header::IF_NONE_MATCH, "\"abc\"")]).not_modified(&p));
        assert!(conditional(&[(header::IF_NONE_MATCH, "\"x\", W/\"abc\"")]).not_modified(&p));
        assert!(conditional(&[(header::IF_NONE_MATCH, "*")]).not_modified(&p));
        assert!(!conditional(&[(header::IF_NONE_MATCH, "\"abd\"")]).not_modified(&p));
        // If-None-Match wins over a matching If-Modified-Since.
        assert!(
            !conditional(&[
                (header::IF_NONE_MATCH, "\"abd\""),
                (header::IF_MODIFIED_SINCE, "Wed, 25 Nov 2026 11:00:00 GMT")
            ])
            .not_modified(&p)
        );
        assert!(
            conditional(&[(header::IF_MODIFIED_SINCE, "Wed, 25 Nov 2026 10:00:00 GMT")])
                .not_modified(&p)
        );
        assert!(
            !conditional(&[(header::IF_MODIFIED_SINCE, "Wed, 25 Nov 2026 09:59:59 GMT")])
                .not_modified(&p)
        );
        assert!(!conditional(&[(header::IF_MODIFIED_SINCE, "gisteren")]).not_modified(&p));
        assert!(!conditional(&[]).not_modified(&p));
    }

    #[test]
    fn a_page_of_an_older_generation_or_while_not_live_is_not_kept() {
        let cache = PageCache::new(true);
        // Not live: nothing is kept.
        cache.put("a".into(), page("\"1\""));
        assert!(cache.get("a").is_none());
        cache.live.store(true, Ordering::SeqCst);
        cache.put("a".into(), page("\"1\""));
        assert!(cache.get("a").is_some());
        // Rendered before a change that arrived meanwhile: dropped.
        let before = cache.generation.load(Ordering::SeqCst);
        cache.invalidate();
        assert!(cache.get("a").is_none());
        let mut p = page("\"2\"");
        p.generation = before;
        cache.put("b".into(), p);
        assert!(cache.get("b").is_none());
        let mut p = page("\"3\"");
        p.generation = cache.generation.load(Ordering::SeqCst);
        cache.put("b".into(), p);
        assert!(cache.get("b").is_some());
    }
}
