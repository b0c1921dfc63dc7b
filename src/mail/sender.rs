//! Delivering the outbox. Every instance runs one [`Sender`]: it claims due
//! messages one at a time (`FOR UPDATE SKIP LOCKED`, so two instances never
//! hold the same row), sends, and marks the row in the same transaction.
//! It wakes on `NOTIFY vesoc_mail` (a message was written or retried) and
//! every 30 seconds (retries that have come due).
//!
//! A crash between the server's acceptance and the commit sends the
//! message again; its `Message-ID` is the row's and never changes, so
//! receiving systems can tell the repeat.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use sqlx::postgres::PgListener;

/// How many messages one instance sends at once. An SMTP conversation
/// spends most of a message waiting: lettre writes the final `.` on its
/// own, and the server's delayed acknowledgement holds it about 40 ms
/// (`cargo bench --bench outbox`: 23 messages a second one at a time).
/// Each holds a connection of the pool (8) while it sends.
const AT_ONCE: usize = 3;

/// After this many temporary failures a message is failed for good.
const MAX_ATTEMPTS: i32 = 10;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server: each message is written as `<id>.eml` in this folder.
    Files(PathBuf),
}

impl Transport {
    /// `smtp://user:password@host:587` (STARTTLS when offered; add
    /// `?tls=required` to insist), `smtps://…:465` (TLS), or none: files in
    /// `folder`.
    pub fn new(smtp_url: Option<&str>, folder: PathBuf) -> anyhow::Result<Self> {
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => Ok(Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("VESOC_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            )),
            None => Ok(Transport::Files(folder)),
        }
    }

    /// Where a message went (the file, for files), or why not.
    async fn send(&self, id: i64, message: Message) -> Result<Option<String>, Failure> {
        match self {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(None),
                Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                Err(e) => Err(Failure::Temporary(e.to_string())),
            },
            Transport::Files(folder) => {
                let path = folder.join(format!("{id}.eml"));
                let write = async {
                    tokio::fs::create_dir_all(folder).await?;
                    tokio::fs::write(&path, message.formatted()).await
                };
                match write.await {
                    Ok(()) => Ok(Some(path.display().to_string())),
                    Err(e) => Err(Failure::Temporary(format!("{}: {e}", path.display()))),
                }
            }
        }
    }
}

enum Failure {
    /// Try again later (the server is down, a 4xx answer).
    Temporary(String),
    /// The server refused the message for good (a 5xx answer).
    Permanent(String),
}

#[derive(Debug, sqlx::FromRow)]
struct Due {
    id: i64,
    recipient: String,
    recipient_name: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    calendar: Option<String>,
    calendar_method: Option<String>,
    message_id: String,
    attempts: i32,
    list_unsubscribe: Option<String>,
}

/// The outbox's sender of one instance.
#[derive(Clone)]
pub struct Sender {
    db: PgPool,
    transport: Transport,
    from: Mailbox,
}

impl Sender {
    pub fn new(db: PgPool, transport: Transport, from: &str) -> anyhow::Result<Self> {
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("VESOC_MAIL_FROM {from:?}: {e}"))?;
        Ok(Sender {
            db,
            transport,
            from,
        })
    }

    /// Sends every message that is due, [`AT_ONCE`] at a time; returns how
    /// many were handled (sent, failed, or put off).
    pub async fn drain(&self) -> sqlx::Result<usize> {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..AT_ONCE {
            let sender = self.clone();
            workers.spawn(async move { sender.drain_one_at_a_time().await });
        }
        let (mut handled, mut failed) = (0, None);
        while let Some(done) = workers.join_next().await {
            match done {
                Ok(Ok(n)) => handled += n,
                Ok(Err(e)) => failed = Some(e),
                Err(e) => tracing::warn!("mail sender worker: {e}"),
            }
        }
        match failed {
            Some(e) if handled == 0 => Err(e),
            _ => Ok(handled),
        }
    }

    async fn drain_one_at_a_time(&self) -> sqlx::Result<usize> {
        let mut handled = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let due: Option<Due> = sqlx::query_as(
                "SELECT id, recipient, recipient_name, subject, body_text, body_html, calendar,
                        calendar_method, message_id, attempts, list_unsubscribe
                 FROM mail_message
                 WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at, id
                 LIMIT 1 FOR UPDATE SKIP LOCKED",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let Some(due) = due else {
                tx.commit().await?;
                return Ok(handled);
            };
            let result = match self.message(&due) {
                Ok(message) => self.transport.send(due.id, message).await,
                Err(e) => Err(Failure::Permanent(e)),
            };
            match result {
                Ok(stored_as) => {
                    sqlx::query(
                        "UPDATE mail_message SET status = 'sent', sent_at = now(),
                                attempts = attempts + 1, last_error = NULL, stored_as = $2
                         WHERE id = $1",
                    )
                    .bind(due.id)
                    .bind(stored_as)
                    .execute(&mut *tx)
                    .await?;
                }
                Err(Failure::Temporary(e)) if due.attempts + 1 < MAX_ATTEMPTS => {
                    tracing::warn!(message = due.id, error = %e, "mail not sent; trying again later");
                    sqlx::query(
                        "UPDATE mail_message SET attempts = attempts + 1, last_error = $2,
                                next_attempt_at = now() + $3 * interval '1 second'
                         WHERE id = $1",
                    )
                    .bind(due.id)
                    .bind(&e)
                    .bind(backoff(due.attempts + 1).as_secs_f64())
                    .execute(&mut *tx)
                    .await?;
                }
                Err(Failure::Temporary(e) | Failure::Permanent(e)) => {
                    tracing::warn!(message = due.id, error = %e, "mail failed");
                    sqlx::query(
                        "UPDATE mail_message SET status = 'failed', attempts = attempts + 1,
                                last_error = $2
                         WHERE id = $1",
                    )
                    .bind(due.id)
                    .bind(&e)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            handled += 1;
        }
    }

    /// The message of a row: plain text, with an HTML alternative and an
    /// iCalendar invitation where the row has them. lettre encodes the
    /// headers (names and subjects cannot add a header).
    fn message(&self, due: &Due) -> Result<Message, String> {
        let to = Mailbox::new(
            Some(due.recipient_name.clone()).filter(|n| !n.is_empty()),
            due.recipient
                .parse()
                .map_err(|e| format!("{}: {e}", due.recipient))?,
        );
        let mut body =
            MultiPart::alternative().singlepart(SinglePart::plain(due.body_text.clone()));
        if let Some(html) = &due.body_html {
            body = body.singlepart(SinglePart::html(html.clone()));
        }
        if let (Some(ics), Some(method)) = (&due.calendar, &due.calendar_method) {
            let kind =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| e.to_string())?;
            body = body.singlepart(SinglePart::builder().header(kind).body(ics.clone()));
        }
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(due.subject.clone())
            .message_id(Some(due.message_id.clone()));
        if let Some(url) = &due.list_unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder.multipart(body).map_err(|e| e.to_string())
    }

    /// Runs until the task is aborted: drains on every notification and
    /// every 30 seconds. A lost listening connection is reconnected; the
    /// timer keeps the outbox moving meanwhile.
    pub async fn run(self) {
        loop {
            let mut listener = match PgListener::connect_with(&self.db).await {
                Ok(mut l) => match l.listen("vesoc_mail").await {
                    Ok(()) => Some(l),
                    Err(e) => {
                        tracing::warn!("mail sender cannot listen: {e}");
                        None
                    }
                },
                Err(e) => {
                    tracing::warn!("mail sender cannot connect: {e}");
                    None
                }
            };
            loop {
                if let Err(e) = self.drain().await {
                    tracing::warn!("mail sender: {e}");
                }
                let woken = async {
                    match listener.as_mut() {
                        Some(l) => l.recv().await.map(|_| ()),
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    r = woken => if r.is_err() { break },
                    () = tokio::time::sleep(Duration::from_secs(30)) => {}
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// `List-Unsubscribe: <https://…/uitschrijven/…>` (RFC 2369); the address is
/// checked by the database (no spaces, no angle brackets).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail
/// client may unsubscribe with one POST, without opening a page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// 1, 2, 4… minutes after the n-th temporary failure, at most 4 hours.
fn backoff(attempt: i32) -> Duration {
    let minutes = 1u64 << attempt.clamp(1, 9).saturating_sub(1);
    Duration::from_secs(60 * minutes.min(240))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_wait_longer_each_time_up_to_four_hours() {
        let waits: Vec<u64> = (1..=10).map(|n| backoff(n).as_secs() / 60).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 240, 240]);
    }
}
