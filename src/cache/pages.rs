//! Rendered public pages. A GET by a visitor without a session cookie gets
//! the same bytes as any other such visitor, so the page is rendered once
//! and served from memory until something changes (see the module above).
//! At most [`MAX_BYTES`] are kept: when a new page does not fit, the pages
//! used least recently go first, so that a visitor who asks for many
//! distinct addresses (query strings and the Host are theirs to choose)
//! cannot grow the memory, nor push the pages everyone reads out for long.
//!
//! Every cached answer carries an `ETag` and `Last-Modified`, and a
//! conditional request that matches gets `304 Not Modified`.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lru::LruCache;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;
use tokio::sync::futures::OwnedNotified;

use super::{Cache, MAX_AGE, lock};

/// All cached pages together.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Larger pages are rendered each time.
const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// Pages with longer addresses are rendered each time, and not remembered
/// as unfit either: the keys are the visitors' to choose.
const MAX_KEY_BYTES: usize = 1024;

pub(super) struct Pages {
    /// Least recently used first out; bounded by their bytes.
    pages: LruCache<String, Arc<Page>>,
    /// Pages being rendered in this generation: who asks for one meanwhile
    /// waits for it, instead of rendering it too (after a write, every
    /// visitor of a popular page would).
    rendering: HashMap<String, Arc<Notify>>,
    /// Pages found not fit to keep in this generation (plain text, a 404, a
    /// form that sets a cookie): rendered by each request without waiting.
    unfit: LruCache<String, ()>,
    bytes: usize,
    /// When the current generation began: the pages' Last-Modified.
    since: Option<SystemTime>,
}

impl Default for Pages {
    fn default() -> Self {
        Pages {
            pages: LruCache::unbounded(),
            rendering: HashMap::new(),
            unfit: LruCache::new(NonZeroUsize::new(MAX_UNFIT).unwrap_or(NonZeroUsize::MIN)),
            bytes: 0,
            since: None,
        }
    }
}

impl Pages {
    pub(super) fn clear(&mut self) {
        self.pages.clear();
        // What is being rendered may be stale: the next request renders anew.
        self.rendering.clear();
        self.unfit.clear();
        self.bytes = 0;
        // Each generation a later second than the one before (HTTP dates
        // have whole seconds): two changes in one second must not give a
        // page the date of the page before.
        let now = SystemTime::now();
        self.since = Some(match self.since {
            Some(before) if before + Duration::from_secs(1) > now => {
                before + Duration::from_secs(1)
            }
            _ => now,
        });
    }
}

struct Page {
    generation: u64,
    stored: Instant,
    etag: HeaderValue,
    last_modified: HeaderValue,
    content_type: HeaderValue,
    body: Bytes,
}

impl Cache {
    fn page(&self, key: &str) -> Option<Arc<Page>> {
        let generation = self.generation();
        // `get` marks it as used: it is the last to go.
        let page = lock(&self.pages).pages.get(key).cloned()?;
        (page.generation == generation && page.stored.elapsed() < MAX_AGE).then_some(page)
    }

    /// Keeps `page` unless a change arrived since it was rendered.
    fn put_page(&self, key: String, page: Page) -> Arc<Page> {
        let page = Arc::new(page);
        let mut store = lock(&self.pages);
        if self.generation() != page.generation || !self.is_live() {
            return page;
        }
        let size = page.body.len() + key.len();
        if let Some(old) = store.pages.pop(&key) {
            store.bytes -= old.body.len() + key.len();
        }
        while store.bytes + size > MAX_BYTES {
            let Some((old_key, old)) = store.pages.pop_lru() else {
                break;
            };
            store.bytes -= old.body.len() + old_key.len();
        }
        store.bytes += size;
        store.pages.put(key, page.clone());
        page
    }

    /// Render the page for `key`, or wait for the request that does.
    fn claim(self: &Arc<Self>, key: &str) -> Claim {
        let mut store = lock(&self.pages);
        if store.unfit.get(key).is_some() {
            return Claim::Alone;
        }
        if let Some(done) = store.rendering.get(key) {
            return Claim::Wait(done.clone().notified_owned());
        }
        let done = Arc::new(Notify::new());
        store.rendering.insert(key.to_string(), done.clone());
        Claim::Render(Rendering {
            cache: self.clone(),
            key: key.to_string(),
            done,
        })
    }

    /// Requests for `key` need not wait for each other (until a change).
    fn unfit(&self, key: &str, generation: u64) {
        let mut store = lock(&self.pages);
        if self.generation() == generation {
            // Bounded: the least recently seen key goes first.
            store.unfit.put(key.to_string(), ());
        }
    }

    /// When the pages of this generation were last modified: the start of
    /// the generation, or of today if later (pages show today's
    /// composition and the coming meetings, and the keys hold the date).
    fn last_modified(&self) -> HeaderValue {
        let since = *lock(&self.pages).since.get_or_insert_with(SystemTime::now);
        let midnight =
            crate::base::dutch::from_brussels(crate::base::dutch::today(), time::Time::MIDNIGHT)
                .map(SystemTime::from)
                .unwrap_or(since);
        HeaderValue::from_str(&httpdate::fmt_http_date(since.max(midnight)))
            .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
    }
}

enum Claim {
    /// Render it; who asks meanwhile waits.
    Render(Rendering),
    /// Another request renders it: wait for that.
    Wait(OwnedNotified),
    /// It is not kept anyway: render it, nobody waits.
    Alone,
}

/// At most this many keys of pages not fit to keep.
const MAX_UNFIT: usize = 10_000;

/// A page being rendered; when dropped (rendered and kept, not fit to
/// keep, or the request abandoned), who waits is told.
struct Rendering {
    cache: Arc<Cache>,
    key: String,
    done: Arc<Notify>,
}

impl Drop for Rendering {
    fn drop(&mut self) {
        let mut store = lock(&self.cache.pages);
        // Unless a change emptied the store and another request renders now.
        if store
            .rendering
            .get(&self.key)
            .is_some_and(|d| Arc::ptr_eq(d, &self.done))
        {
            store.rendering.remove(&self.key);
        }
        drop(store);
        self.done.notify_waiters();
    }
}

/// How long a request waits for another that renders the same page; then
/// it renders the page itself.
const WAIT_FOR_RENDER: Duration = Duration::from_secs(2);

/// The middleware: serves anonymous GETs from the cache, stores what they
/// render, and empties the local cache after any write (POST and the like,
/// unless refused with a 4xx), so that who wrote sees the change at once,
/// before the notification is back.
pub async fn layer(State(cache): State<Arc<Cache>>, req: Request, next: Next) -> Response {
    if !req.method().is_safe() {
        let response = next.run(req).await;
        // Only signed-in users change what pages show (and a failure may
        // have changed anything); an anonymous POST (a sign-in, a refused
        // form) must not empty the cache for everyone.
        let status = response.status();
        let by_user = response
            .extensions()
            .get::<crate::auth::SignedIn>()
            .is_some();
        if status.is_server_error() || (by_user && !status.is_client_error()) {
            cache.invalidate();
        }
        return response;
    }
    if req.method() != Method::GET || !cache.is_live() || !cacheable_request(&req) {
        return next.run(req).await;
    }
    // The host too: feeds and open data build their links from it (without
    // VESOC_PUBLIC_URL), and one visitor's Host must not end up in another's
    // page.
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .unwrap_or_default();
    let key = format!("{} {host} {}", crate::base::dutch::today(), req.uri());
    if key.len() > MAX_KEY_BYTES {
        return next.run(req).await;
    }
    let conditional = Conditional::of(req.headers());
    if let Some(page) = cache.page(&key) {
        return answer(&page, &conditional, "hit");
    }
    // Dropped after the page is kept (or not), at the end of this function.
    let _rendering = match cache.claim(&key) {
        Claim::Render(rendering) => Some(rendering),
        Claim::Alone => None,
        Claim::Wait(done) => {
            let _ = tokio::time::timeout(WAIT_FOR_RENDER, done).await;
            if let Some(page) = cache.page(&key) {
                return answer(&page, &conditional, "hit");
            }
            // Not kept (a 404, a change meanwhile): render it, without
            // making others wait in turn.
            None
        }
    };
    let generation = cache.generation();
    let last_modified = cache.last_modified();
    let response = next.run(req).await;
    if !cacheable_response(&response) {
        // A server error (the database away for a moment) says nothing of
        // the page: the next request may keep it.
        if !response.status().is_server_error() {
            cache.unfit(&key, generation);
        }
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
    let page = cache.put_page(key, page);
    answer(&page, &conditional, "miss")
}

fn cacheable_request(req: &Request) -> bool {
    let path = req.uri().path();
    if path.starts_with("/static/") || path.starts_with("/health/") {
        return false;
    }
    // A session cookie may mean a signed-in user: their pages are theirs.
    // (`__Host-vesoc=` contains `vesoc=` too.)
    let name = crate::auth::SESSION_COOKIE.as_bytes();
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

    #[tokio::test]
    async fn only_pages_fit_to_keep_make_others_wait() {
        let cache = Cache::new(true);
        cache.live.store(true, std::sync::atomic::Ordering::SeqCst);
        let first = cache.claim("a");
        assert!(matches!(first, Claim::Render(_)));
        assert!(matches!(cache.claim("a"), Claim::Wait(_)));
        // The render found the page not fit to keep: from now on nobody
        // waits for another's render of it…
        cache.unfit("a", cache.generation());
        drop(first);
        assert!(matches!(cache.claim("a"), Claim::Alone));
        assert!(matches!(cache.claim("a"), Claim::Alone));
        // …until a change: then it may be fit again.
        cache.invalidate();
        assert!(matches!(cache.claim("a"), Claim::Render(_)));
        // Found unfit by a render of an older generation: not believed.
        let old = cache.generation();
        cache.invalidate();
        cache.unfit("b", old);
        assert!(matches!(cache.claim("b"), Claim::Render(_)));
    }

    /// The resident memory of this process, in MiB (`VmRSS`).
    fn rss_mib() -> usize {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<usize>().ok())
            })
            .map_or(0, |kb| kb / 1024)
    }

    #[test]
    fn a_hundred_thousand_distinct_addresses_keep_memory_bounded_and_the_hot_page() {
        let cache = Cache::new(true);
        cache.live.store(true, std::sync::atomic::Ordering::SeqCst);
        let before = rss_mib();
        let hot = "/organen/vesoc-werkgroep".to_string();
        let body = Bytes::from(vec![b'x'; 8 * 1024]);
        let kept = |key: &str| {
            let mut p = page("\"h\"");
            p.body = body.clone();
            cache.put_page(key.to_string(), p);
        };
        kept(&hot);
        for n in 0..100_000 {
            // A visitor's own addresses: 800 MB of pages if all were kept.
            kept(&format!("/organen?x={n}"));
            cache.unfit(&format!("/bestaat-niet-{n}"), cache.generation());
            // Everyone else keeps reading the hot page.
            if n % 100 == 0 {
                assert!(cache.page(&hot).is_some(), "the hot page went at {n}");
            }
        }
        let store = lock(&cache.pages);
        assert!(store.bytes <= MAX_BYTES, "{} bytes kept", store.bytes);
        assert!(store.pages.len() <= MAX_BYTES / (8 * 1024));
        assert!(store.unfit.len() <= MAX_UNFIT);
        drop(store);
        assert!(cache.page(&hot).is_some());
        // What stays is the store's bound and the allocator's slack, not
        // the 800 MB asked for (other tests run alongside: a wide margin).
        let grown = rss_mib().saturating_sub(before);
        assert!(grown < 200, "resident memory grew by {grown} MiB");
    }

    #[test]
    fn each_change_gives_a_later_last_modified_even_within_one_second() {
        let cache = Cache::new(true);
        let mut dates = Vec::new();
        for _ in 0..3 {
            cache.invalidate();
            dates.push(
                httpdate::parse_http_date(cache.last_modified().to_str().expect("ascii"))
                    .expect("an HTTP date"),
            );
        }
        assert!(dates[0] < dates[1] && dates[1] < dates[2], "{dates:?}");
    }

    #[test]
    fn a_page_of_an_older_generation_or_while_not_live_is_not_kept() {
        let cache = Cache::new(true);
        // Not live: nothing is kept.
        cache.put_page("a".into(), page("\"1\""));
        assert!(cache.page("a").is_none());
        cache.live.store(true, std::sync::atomic::Ordering::SeqCst);
        cache.put_page("a".into(), page("\"1\""));
        assert!(cache.page("a").is_some());
        // Rendered before a change that arrived meanwhile: dropped.
        let before = cache.generation();
        cache.invalidate();
        assert!(cache.page("a").is_none());
        let mut p = page("\"2\"");
        p.generation = before;
        cache.put_page("b".into(), p);
        assert!(cache.page("b").is_none());
        let mut p = page("\"3\"");
        p.generation = cache.generation();
        cache.put_page("b".into(), p);
        assert!(cache.page("b").is_some());
    }
}
