//! Keeping a connection usable after a request whose body was not read.
//!
//! Many answers come before the request body is read, or with part of it
//! unread: the CSRF and origin check, the permission check, a form handler
//! given another content type, a body over the limit. HTTP/1.1 sends the
//! next request on the same connection right after that body, so the
//! server must either read the rest of it or close the connection, and if
//! it closes, say so in the answer (`Connection: close`), or a client (an
//! nginx upstream pool, say) sends its next request into a closed
//! connection.
//!
//! What hyper 1 does by itself (`proto/h1/dispatch.rs`, `conn.rs`): it
//! notices that the application dropped the body only after it has written
//! the answer's head, so the head never says `Connection: close`. Then it
//! decodes the body once from what it has already buffered; if that was
//! the whole body, the connection stays open, otherwise hyper closes it
//! (a small body that arrived with the head survives; a larger or later
//! one loses the connection). And closing a socket with unread bytes makes
//! the kernel answer with a reset, which may destroy the answer before
//! the client read it.
//!
//! So the accept loop hands the application a [`Watched`] body, which gives
//! the unread body back when the application drops it, and [`Unread::settle`]
//! decides before the answer leaves:
//! - up to [`DRAIN_BYTES`] left (and arriving within [`DRAIN_TIME`]): read
//!   and dropped; the connection stays open;
//! - more, or slower: the answer says `Connection: close`, and the rest of
//!   the body is read and dropped in the background for at most
//!   [`LINGER_TIME`] while the answer goes out, so that a client still
//!   sending gets the answer and a clean close rather than a reset;
//! - a client waiting for `100 Continue` (`Expect: 100-continue`) before
//!   sending a body nobody read: it is not invited to send it; the answer
//!   says `Connection: close`.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use hyper::body::{Body, Frame, SizeHint};

/// What is read and dropped to keep a connection open: forms are at most
/// 2 MiB, and a refused one of up to 1 MiB costs less to read than a new
/// connection (behind nginx, a new TLS-less upstream connection; for a
/// browser, a new TLS handshake).
pub const DRAIN_BYTES: u64 = 1024 * 1024;
/// How long the answer may wait for the rest of a small body.
pub const DRAIN_TIME: Duration = Duration::from_secs(1);
/// How long the rest of a body is read after `Connection: close`.
pub const LINGER_TIME: Duration = Duration::from_secs(5);
/// ... and how much of it at most (above the largest upload).
pub const LINGER_BYTES: u64 = 64 * 1024 * 1024;

struct State<B> {
    /// The body, given back unfinished by the application.
    left: Option<B>,
    /// The application read the body to its end (or it had none).
    done: bool,
    /// The application asked for the body at least once.
    polled: bool,
}

/// The request body as the application sees it.
pub struct Watched<B: Body + Unpin> {
    inner: Option<B>,
    state: Arc<Mutex<State<B>>>,
    /// Told to `state` already: the lock is taken once, not on every poll.
    polled: bool,
}

/// The accept loop's side: what became of the body.
pub struct Unread<B> {
    state: Arc<Mutex<State<B>>>,
    expects_continue: bool,
}

fn lock<B>(state: &Mutex<State<B>>) -> std::sync::MutexGuard<'_, State<B>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Wraps the body of `req`, for [`Unread::settle`] after the answer.
pub fn watch<B: Body + Unpin>(req: Request<B>) -> (Request<Watched<B>>, Unread<B>) {
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, body) = req.into_parts();
    let state = Arc::new(Mutex::new(State {
        left: None,
        done: body.is_end_stream(),
        polled: false,
    }));
    let watched = Watched {
        inner: Some(body),
        state: state.clone(),
        polled: false,
    };
    (
        Request::from_parts(parts, watched),
        Unread {
            state,
            expects_continue,
        },
    )
}

impl<B: Body + Unpin> Body for Watched<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        if !this.polled {
            this.polled = true;
            lock(&this.state).polled = true;
        }
        let frame = ready!(Pin::new(inner).poll_frame(cx));
        // The end, or an error: hyper closes a connection whose body failed.
        if !matches!(frame, Some(Ok(_))) {
            lock(&this.state).done = true;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl<B: Body + Unpin> Drop for Watched<B> {
    fn drop(&mut self) {
        let Some(body) = self.inner.take() else {
            return;
        };
        let mut state = lock(&self.state);
        if body.is_end_stream() {
            state.done = true;
        } else if !state.done {
            state.left = Some(body);
        }
    }
}

impl<B> Unread<B>
where
    B: Body + Unpin + Send + 'static,
{
    /// Reads what the application left of the body, or marks the answer as
    /// the connection's last: see the module's documentation.
    pub async fn settle(self, mut response: Response) -> Response {
        let (left, polled) = {
            let mut state = lock(&self.state);
            if state.done {
                return response;
            }
            (state.left.take(), state.polled)
        };
        let Some(mut body) = left else {
            // Still held by the application (a task of its own?): whether
            // it will be read is unknown, so this connection ends here.
            tracing::debug!("request body still held after the answer: closing");
            return last(response);
        };
        if self.expects_continue && !polled {
            // Dropping it closes the connection without inviting the body.
            return last(response);
        }
        let small = body.size_hint().exact().is_none_or(|n| n <= DRAIN_BYTES);
        if small && discard(&mut body, DRAIN_BYTES, DRAIN_TIME).await {
            return response;
        }
        tracing::debug!(status = %response.status(), "request body not read: closing");
        response = last(response);
        tokio::spawn(async move {
            discard(&mut body, LINGER_BYTES, LINGER_TIME).await;
        });
        response
    }
}

/// Marks the answer as the last on its connection; hyper closes it after.
fn last(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Reads and drops `body` to its end; false when it has more than `limit`
/// bytes, fails, or takes longer than `time`.
async fn discard<B: Body + Unpin>(body: &mut B, limit: u64, time: Duration) -> bool {
    let read = async {
        let mut seen: u64 = 0;
        loop {
            match poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        seen += hyper::body::Buf::remaining(data) as u64;
                        if seen > limit {
                            return false;
                        }
                    }
                }
            }
        }
    };
    tokio::time::timeout(time, read).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use http_body_util::BodyExt;

    type Chunk = Result<Frame<Bytes>, std::convert::Infallible>;

    /// A body whose chunks arrive when the test sends them, and which
    /// says how many bytes it will have (as a Content-Length would) or not
    /// (chunked).
    struct Streamed {
        rx: tokio::sync::mpsc::Receiver<Chunk>,
        length: Option<u64>,
        seen: u64,
    }

    impl Body for Streamed {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            let frame = ready!(self.rx.poll_recv(cx));
            if let Some(Ok(f)) = &frame {
                self.seen += f.data_ref().map_or(0, |d| d.len() as u64);
            }
            Poll::Ready(frame)
        }

        fn is_end_stream(&self) -> bool {
            self.length == Some(self.seen)
        }

        fn size_hint(&self) -> SizeHint {
            self.length
                .map_or_else(SizeHint::new, |n| SizeHint::with_exact(n - self.seen))
        }
    }

    fn streamed(length: impl Into<Option<u64>>) -> (tokio::sync::mpsc::Sender<Chunk>, Streamed) {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        (
            tx,
            Streamed {
                rx,
                length: length.into(),
                seen: 0,
            },
        )
    }

    fn chunk(n: usize) -> Chunk {
        Ok(Frame::data(Bytes::from(vec![b'x'; n])))
    }

    fn closes(response: &Response) -> bool {
        response.headers().get(header::CONNECTION) == Some(&HeaderValue::from_static("close"))
    }

    #[tokio::test]
    async fn a_body_read_to_its_end_changes_nothing() {
        let (tx, body) = streamed(3);
        let (req, unread) = watch(Request::new(body));
        tx.send(chunk(3)).await.expect("sent");
        drop(tx);
        req.into_body().collect().await.expect("read");
        assert!(!closes(&unread.settle(Response::default()).await));
    }

    #[tokio::test]
    async fn an_unread_small_body_is_read_and_the_connection_kept() {
        let (tx, body) = streamed(1000);
        let (req, unread) = watch(Request::new(body));
        drop(req);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tx.send(chunk(1000)).await.expect("sent");
        });
        assert!(!closes(&unread.settle(Response::default()).await));
    }

    #[tokio::test]
    async fn an_unread_large_body_closes_the_connection_at_once() {
        let (_tx, body) = streamed(DRAIN_BYTES + 1);
        let (req, unread) = watch(Request::new(body));
        drop(req);
        let started = std::time::Instant::now();
        assert!(closes(&unread.settle(Response::default()).await));
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[tokio::test]
    async fn a_small_body_that_never_comes_closes_the_connection_after_the_drain_time() {
        let (_tx, body) = streamed(10);
        let (req, unread) = watch(Request::new(body));
        drop(req);
        let started = std::time::Instant::now();
        assert!(closes(&unread.settle(Response::default()).await));
        let took = started.elapsed();
        assert!(took >= DRAIN_TIME && took < DRAIN_TIME * 3, "{took:?}");
    }

    #[tokio::test]
    async fn a_body_of_unknown_length_is_read_up_to_the_limit() {
        for (chunks, kept) in [(4, true), (5, false)] {
            let (tx, body) = streamed(None);
            let (req, unread) = watch(Request::new(body));
            drop(req);
            tokio::spawn(async move {
                for _ in 0..chunks {
                    let quarter = usize::try_from(DRAIN_BYTES / 4).expect("fits");
                    if tx.send(chunk(quarter)).await.is_err() {
                        return;
                    }
                }
            });
            let response = unread.settle(Response::default()).await;
            assert_eq!(!closes(&response), kept, "{chunks} quarters");
        }
    }

    #[tokio::test]
    async fn a_client_waiting_for_100_continue_is_not_invited() {
        let (tx, body) = streamed(10);
        let mut req = Request::new(body);
        req.headers_mut()
            .insert(header::EXPECT, HeaderValue::from_static("100-continue"));
        let (req, unread) = watch(req);
        drop(req);
        assert!(closes(&unread.settle(Response::default()).await));
        assert!(tx.is_closed(), "the body was dropped, not read");
    }

    #[tokio::test]
    async fn a_body_held_beyond_the_answer_closes_the_connection() {
        let (_tx, body) = streamed(10);
        let (req, unread) = watch(Request::new(body));
        let held = req.into_body();
        assert!(closes(&unread.settle(Response::default()).await));
        drop(held);
    }
}
