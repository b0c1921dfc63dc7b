//! Kept-alive connections after a refused request, on a raw socket against
//! `serve` as `main` runs it.
//!
//! A request refused before its body was read (the CSRF or origin check,
//! the permission check, a wrong content type, a body over the limit) must
//! leave the connection usable for the next request, or say
//! `Connection: close` and then close it cleanly. A connection that is
//! dropped without a word turns into an error page for someone else's
//! request behind a proxy that keeps upstream connections alive.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

use crate::harness::TestApp;
use vesoc::auth::Role;

/// Long enough for a busy machine, short enough for a failing test.
const PATIENCE: Duration = Duration::from_secs(10);

/// `serve` on a port of its own; stops when the sender is dropped.
async fn serving(app: &TestApp) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = vesoc::config::ServeConfig {
        require_second_factor: vesoc::config::RoleList::default(),
        page_cache: false,
        ..Default::default()
    };
    let (addr, stop, _) = crate::harness::serving(app, config).await;
    (addr, stop)
}

/// One response as read from the wire.
struct Answer {
    status: u16,
    head: String,
}

impl Answer {
    /// Whether the response announced that the server closes the connection.
    fn closes(&self) -> bool {
        self.head.lines().any(|l| {
            l.split_once(':').is_some_and(|(k, v)| {
                k.eq_ignore_ascii_case("connection")
                    && v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))
            })
        })
    }
}

/// Reads one response (head and a Content-Length body); `None` when the
/// connection ends (closed or reset) before a whole response arrived.
async fn read_answer(stream: &mut (impl AsyncReadExt + Unpin)) -> Option<Answer> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut chunk))
            .await
            .expect("no answer in time")
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().unwrap())
            })
            .expect("a Content-Length");
        if buf.len() >= head_end + 4 + length {
            assert_eq!(buf.len(), head_end + 4 + length, "more than one response");
            let status = head[9..12].parse().unwrap();
            return Some(Answer { status, head });
        }
    }
}

/// What became of the connection after the first request.
#[derive(Debug, PartialEq)]
enum Afterwards {
    /// The next request on it was answered.
    Reused,
    /// The response said `Connection: close`, then the server closed it
    /// with a FIN (no reset, which may destroy the response on its way).
    ClosedAsAnnounced,
}

/// Sends `head` and then `body` (separately, as most clients do) on a new
/// connection, reads the answer, and then asks for `/health/live` on the
/// same connection unless the answer said `Connection: close`.
async fn refused_then_next(addr: SocketAddr, head: String, body: Vec<u8>) -> (u16, Afterwards) {
    refused_then_next_after(addr, head, Duration::ZERO, body).await
}

/// The same, with the body sent `delay` after the head: a client on a
/// slow network, whose body arrives after the server decided.
async fn refused_then_next_after(
    addr: SocketAddr,
    head: String,
    delay: Duration,
    body: Vec<u8>,
) -> (u16, Afterwards) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // A separate task: a large body need not be read before the answer.
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        tokio::time::sleep(delay).await;
        writer.write_all(&body).await?;
        Ok::<OwnedWriteHalf, std::io::Error>(writer)
    });
    let first = read_answer(&mut reader)
        .await
        .expect("no answer to the first request");
    if first.closes() {
        let _ = sending.await.unwrap();
        let mut rest = [0u8; 1024];
        let end = tokio::time::timeout(PATIENCE, reader.read(&mut rest))
            .await
            .expect("announced a close, but the connection stays open");
        assert!(
            matches!(end, Ok(0)),
            "after Connection: close, the connection ended with {end:?} instead of a clean close"
        );
        return (first.status, Afterwards::ClosedAsAnnounced);
    }
    let writer = tokio::time::timeout(PATIENCE, sending)
        .await
        .expect("the server answered but did not take the body")
        .unwrap();
    let second = b"GET /health/live HTTP/1.1\r\nHost: vesoc\r\n\r\n";
    let answer = match writer {
        Ok(mut writer) => match writer.write_all(second).await {
            Ok(()) => read_answer(&mut reader).await,
            Err(_) => None,
        },
        Err(_) => None,
    };
    let second = answer.unwrap_or_else(|| {
        panic!(
            "the connection was dropped after a {} without Connection: close:\n{}",
            first.status, first.head
        )
    });
    assert_eq!(second.status, 200, "{}", second.head);
    (first.status, Afterwards::Reused)
}

/// A request head with a body of `length` bytes.
fn post(path: &str, content_type: &str, cookie: Option<&str>, length: usize) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: vesoc\r\nContent-Type: {content_type}\r\n{cookie}Content-Length: {length}\r\n\r\n"
    )
}

/// A JSON body of about `size` bytes.
fn json(size: usize) -> Vec<u8> {
    format!("{{\"titel\":\"{}\"}}", "x".repeat(size)).into_bytes()
}

/// A multipart body of about `size` bytes, its CSRF token first, as the
/// upload form sends it: its content type and its bytes.
fn upload(token: &str, size: usize) -> (String, Vec<u8>) {
    let boundary = "grens-4f1c";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
        "x".repeat(size)
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// A client with a session (and so a CSRF token) on the database behind
/// the server: its cookie and its token.
async fn session(app: &TestApp, role: Option<Role>) -> (String, String) {
    let mut client = match role {
        Some(role) => app.signed_in(role).await,
        None => app.client(),
    };
    let token = client.csrf_token().await;
    (client.session_cookie().unwrap().to_string(), token)
}

#[tokio::test]
async fn a_post_with_a_json_body_refused_by_the_csrf_check_leaves_the_connection_usable() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    // Small, large, and small but late (hyper itself only discards what
    // already arrived).
    for (size, delay) in [(10, 0), (200_000, 0), (10, 200)] {
        let body = json(size);
        let head = post(
            "/beheer/vergaderingen",
            "application/json",
            None,
            body.len(),
        );
        let delay = Duration::from_millis(delay);
        let (status, afterwards) = refused_then_next_after(addr, head, delay, body).await;
        assert_eq!(status, 403, "{size}");
        assert_eq!(afterwards, Afterwards::Reused, "{size}");
    }
}

#[tokio::test]
async fn a_cross_site_post_with_a_text_body_leaves_the_connection_usable() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    let (cookie, _) = session(&app, None).await;
    let body = "tekst ".repeat(50_000).into_bytes();
    let head = post("/aanmelden", "text/plain", Some(&cookie), body.len())
        .replace("\r\n\r\n", "\r\nSec-Fetch-Site: cross-site\r\n\r\n");
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 403);
    assert_eq!(afterwards, Afterwards::Reused);
    // Without a session, so without a token to compare with.
    let body = "tekst ".repeat(50_000).into_bytes();
    let head = post("/aanmelden", "text/plain", None, body.len());
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 403);
    assert_eq!(afterwards, Afterwards::Reused);
}

/// The CSRF check reads a form up to its limit (2 MiB); what is left is
/// too much to read for nothing, so the answer says it closes, and the
/// server reads on while the client still sends, so that the 413 page
/// arrives rather than a reset.
#[tokio::test]
async fn a_form_over_the_limit_gets_413_and_the_connection_closes_as_announced() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    let (cookie, token) = session(&app, None).await;
    let mut body = format!("_csrf={token}&tekst=").into_bytes();
    body.resize(6 * 1024 * 1024, b'x');
    let head = post(
        "/aanmelden",
        "application/x-www-form-urlencoded",
        Some(&cookie),
        body.len(),
    );
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 413);
    assert_eq!(afterwards, Afterwards::ClosedAsAnnounced);
}

#[tokio::test]
async fn a_post_the_role_may_not_use_leaves_the_connection_usable() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    // The token in the query string (as uploads send it): the CSRF check
    // passes without reading the body, the permission check refuses.
    let (cookie, token) = session(&app, Some(Role::SocialPartner)).await;
    let body = json(200_000);
    let head = post(
        &format!("/beheer/vergaderingen?_csrf={token}"),
        "application/json",
        Some(&cookie),
        body.len(),
    );
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 403);
    assert_eq!(afterwards, Afterwards::Reused);
}

#[tokio::test]
async fn a_post_that_needs_a_sign_in_or_another_content_type_leaves_the_connection_usable() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    let (cookie, token) = session(&app, None).await;
    // Not signed in: sent to the sign-in page. The CSRF check passes (the
    // token is an upload's first part, the only way a body that is not a
    // form carries it) and reads no further than that part.
    let (content_type, body) = upload(&token, 200_000);
    let head = post(
        "/account/kalender",
        &content_type,
        Some(&cookie),
        body.len(),
    );
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 303);
    assert_eq!(afterwards, Afterwards::Reused);
    // A form handler given an upload.
    let (content_type, body) = upload(&token, 200_000);
    let head = post("/aanmelden", &content_type, Some(&cookie), body.len());
    let (status, afterwards) = refused_then_next(addr, head, body).await;
    assert_eq!(status, 415);
    assert_eq!(afterwards, Afterwards::Reused);
}

/// A client that waits for `100 Continue` before sending its body is not
/// invited to send a body nobody reads: the refusal comes alone, says it
/// closes, and the connection closes cleanly.
#[tokio::test]
async fn a_refused_post_that_waits_for_100_continue_is_answered_and_closed() {
    let app = TestApp::seeded().await;
    let (addr, _stop) = serving(&app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = post("/beheer/vergaderingen", "application/json", None, 200_000)
        .replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(answer.status, 403, "{}", answer.head);
    assert!(answer.closes(), "{}", answer.head);
    let mut rest = [0u8; 1024];
    let end = tokio::time::timeout(PATIENCE, stream.read(&mut rest))
        .await
        .expect("announced a close, but the connection stays open");
    assert!(matches!(end, Ok(0)), "{end:?}");
}
