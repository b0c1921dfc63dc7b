//! Notifications: the messages that are not convocations (a decision on a
//! proposal, approved minutes, reminders). Each mailbox chooses per kind:
//! at once, in a daily digest, or not at all; every message carries a
//! one-click unsubscribe (RFC 8058). Convocations always go out and do not
//! pass here.
//!
//! The digest of a day holds what was written before 07:00 (Brussels); the
//! job that writes it locks the entries it takes, so that several
//! instances write each digest once.

use askama::Template;
use sqlx::{PgConnection, PgExecutor, PgPool};
use time::{Duration, OffsetDateTime, Time};

use super::{Outgoing, Recipient, Site, Unsubscribe};
use crate::base::dutch;

crate::coded! {
    /// What a notification is about: one preference per kind.
    pub enum Kind: "notification_kind" {
        ProposalDecision => ("proposal_decision", "Beslissingen over uw voorstellen voor de agenda"),
        MinutesApproved => ("minutes_approved", "Goedgekeurde verslagen van vergaderingen van uw organen"),
        MeetingReminder => ("meeting_reminder", "Herinneringen aan vergaderingen waarop u nog niet antwoordde"),
        DeadlineReminder => ("deadline_reminder", "Herinneringen aan de termijn voor agendavoorstellen"),
        MinutesForComments => ("minutes_for_comments", "Ontwerpverslagen ter opmerkingen"),
        ActionPoint => ("action_point", "Actiepunten die u (uw organisatie of kabinet) moet uitvoeren"),
    }
}

crate::coded! {
    /// How a mailbox wants a kind of notification.
    pub enum Delivery: "mail_delivery" {
        Immediately => ("immediately", "meteen"),
        Daily => ("daily", "in één overzicht per dag"),
        Never => ("never", "niet"),
    }
}

/// The path of one's own preferences.
pub const PREFERENCES: &str = "/account/berichten";

/// When the day's digest is written (Brussels).
const DIGEST_AT: Time = time::macros::time!(07:00);

/// A notification, in both forms.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: Kind,
    pub to: Recipient,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the daily digest shows of it: the text without greeting and
    /// signature.
    pub digest: String,
}

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct LetterText<'a> {
    l: &'a Letter,
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct LetterHtml<'a> {
    l: &'a Letter,
}

/// A short letter: a greeting, paragraphs and at most one link.
pub struct Letter {
    pub name: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    /// The label of a link, and where it goes.
    pub link: Option<(String, String)>,
}

impl Letter {
    /// One paragraph and one link, to whoever (the name is filled in per
    /// recipient); `title` is also the subject.
    pub fn short(title: String, paragraph: String, link: (&str, String)) -> Self {
        Letter {
            name: String::new(),
            title,
            paragraphs: vec![paragraph],
            link: Some((link.0.to_string(), link.1)),
        }
    }

    fn core(&self) -> String {
        let mut text = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.link {
            text.push_str(&format!("\n\n{label}: {url}"));
        }
        text
    }
}

impl Notice {
    /// A notice written as a [`Letter`] to `to`.
    pub fn letter(kind: Kind, to: Recipient, subject: &str, letter: &Letter) -> Self {
        Notice {
            kind,
            subject: super::one_line(subject),
            text: LetterText { l: letter }.render().unwrap_or_default(),
            html: LetterHtml { l: letter }.render().unwrap_or_default(),
            digest: letter.core(),
            to,
        }
    }
}

/// An account a notification goes to, as the areas' queries select it
/// (`acc.email, acc.display_name`).
#[derive(Debug, sqlx::FromRow)]
pub struct Addressee {
    pub email: String,
    pub display_name: String,
}

/// Writes `letter` (its title is the subject) to each of `accounts`,
/// addressed by name, as each mailbox chose; an address that is no mailbox
/// is passed over. Returns how many accounts were written to (whatever
/// their choice).
pub async fn to_each(
    conn: &mut PgConnection,
    actor: Option<i64>,
    site: &Site,
    accounts: Vec<Addressee>,
    kind: Kind,
    mut letter: Letter,
) -> sqlx::Result<usize> {
    let mut written = 0;
    for account in accounts {
        let Ok(to) = Recipient::new(&account.email, &account.display_name) else {
            continue;
        };
        letter.name = to.name.clone();
        let notice = Notice::letter(kind, to, &letter.title, &letter);
        deliver(conn, actor, site, notice).await?;
        written += 1;
    }
    Ok(written)
}

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// In the outbox.
    Queued,
    /// Waiting for tomorrow's digest.
    Digest,
    /// The mailbox wants none of this kind.
    Declined,
}

/// The mailbox's choice for `kind`: immediately unless it chose otherwise.
pub async fn preference(
    db: impl PgExecutor<'_>,
    address: &str,
    kind: Kind,
) -> sqlx::Result<Delivery> {
    let chosen: Option<Delivery> =
        sqlx::query_scalar("SELECT delivery FROM mail_preference WHERE address = $1 AND kind = $2")
            .bind(address)
            .bind(kind)
            .fetch_optional(db)
            .await?;
    Ok(chosen.unwrap_or(Delivery::Immediately))
}

/// Sets the mailbox's choice for `kind`.
pub async fn set_preference(
    conn: &mut PgConnection,
    address: &str,
    kind: Kind,
    delivery: Delivery,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mail_preference (address, kind, delivery) VALUES ($1, $2, $3)
         ON CONFLICT (address, kind) DO UPDATE SET delivery = $3, modified_at = now()",
    )
    .bind(address)
    .bind(kind)
    .bind(delivery)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes `notice` as its mailbox wants it, in the caller's transaction.
pub async fn deliver(
    conn: &mut PgConnection,
    actor: Option<i64>,
    site: &Site,
    notice: Notice,
) -> sqlx::Result<Delivered> {
    match preference(&mut *conn, &notice.to.address, notice.kind).await? {
        Delivery::Never => Ok(Delivered::Declined),
        Delivery::Daily => {
            sqlx::query(
                "INSERT INTO mail_digest_entry (address, recipient_name, kind, subject, body_text)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&notice.to.address)
            .bind(&notice.to.name)
            .bind(notice.kind)
            .bind(&notice.subject)
            .bind(&notice.digest)
            .execute(conn)
            .await?;
            Ok(Delivered::Digest)
        }
        Delivery::Immediately => {
            let why = format!(
                "u berichten krijgt over: {}",
                lowercase(notice.kind.label())
            );
            let out = signed(
                notice.kind.code(),
                notice.to,
                &notice.subject,
                (notice.text, notice.html),
                site,
                &why,
            );
            super::enqueue(conn, actor, &out).await?;
            Ok(Delivered::Queued)
        }
    }
}

fn lowercase(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The message with its unsubscribe link in the header and at the foot.
fn signed(
    kind: &'static str,
    to: Recipient,
    subject: &str,
    (text, html): (String, String),
    site: &Site,
    why: &str,
) -> Outgoing {
    let unsubscribe = Unsubscribe::new(site);
    let preferences = site.link(PREFERENCES);
    let text = format!(
        "{}\n\n-- \nU krijgt dit bericht omdat {why}.\nUitschrijven voor deze berichten: {}\nAl uw keuzes (na aanmelden): {preferences}\n",
        text.trim_end(),
        unsubscribe.url
    );
    let foot = format!(
        "<hr><p style=\"font-size: 0.9em; color: #4a5261;\">U krijgt dit bericht omdat {}.<br>\
         <a href=\"{}\">Uitschrijven voor deze berichten</a> · <a href=\"{}\">Al uw keuzes</a> (na aanmelden)</p>",
        escape(why),
        escape(&unsubscribe.url),
        escape(&preferences)
    );
    let html = match html.rfind("</body>") {
        Some(at) => format!("{}{foot}\n{}", &html[..at], &html[at..]),
        None => format!("{html}{foot}"),
    };
    Outgoing::new(kind, to, subject, text)
        .html(html)
        .unsubscribe(unsubscribe)
}

fn escape(s: &str) -> String {
    askama::filters::escape(s, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[derive(Debug, sqlx::FromRow)]
struct Entry {
    id: i64,
    address: String,
    recipient_name: String,
    subject: String,
    body_text: String,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    name: &'a str,
    entries: &'a [&'a Entry],
}

impl DigestHtml<'_> {
    /// An entry's text as paragraphs (blank lines between them).
    fn paragraphs(text: &str) -> Vec<&str> {
        text.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// The start of the digest day that `now` falls in: today 07:00 in
/// Brussels, or yesterday's before that hour.
fn digest_cutoff(now: OffsetDateTime) -> Option<OffsetDateTime> {
    let local = dutch::brussels(now);
    let day = if local.time() >= DIGEST_AT {
        local.date()
    } else {
        local.date() - Duration::days(1)
    };
    dutch::from_brussels(day, DIGEST_AT)
}

/// Writes one digest per mailbox of the entries written before the last
/// 07:00 (Brussels); returns how many digests were written.
pub async fn write_digests(db: &PgPool, site: &Site, now: OffsetDateTime) -> sqlx::Result<usize> {
    let Some(cutoff) = digest_cutoff(now) else {
        return Ok(0);
    };
    let mut tx = db.begin().await?;
    // What a mailbox has declined since it was written is not sent.
    sqlx::query(
        "DELETE FROM mail_digest_entry e USING mail_preference p
         WHERE e.message_id IS NULL AND p.address = e.address AND p.kind = e.kind
           AND p.delivery = 'never'",
    )
    .execute(&mut *tx)
    .await?;
    let entries: Vec<Entry> = sqlx::query_as(
        "SELECT id, address, recipient_name, subject, body_text FROM mail_digest_entry
         WHERE message_id IS NULL AND created_at < $1
         ORDER BY address, id
         FOR UPDATE SKIP LOCKED",
    )
    .bind(cutoff)
    .fetch_all(&mut *tx)
    .await?;
    let mut written = 0;
    for group in entries.chunk_by(|a, b| a.address == b.address) {
        let Some(first) = group.first() else { continue };
        let Ok(to) = Recipient::new(&first.address, &first.recipient_name) else {
            continue;
        };
        let entries: Vec<&Entry> = group.iter().collect();
        let mut text = format!(
            "Beste {},\n\nWat vesoc u sinds het vorige overzicht te melden heeft ({} {}):\n",
            to.name,
            entries.len(),
            if entries.len() == 1 {
                "bericht"
            } else {
                "berichten"
            }
        );
        for e in &entries {
            text.push_str(&format!(
                "\n== {} ==\n\n{}\n",
                e.subject,
                e.body_text.trim()
            ));
        }
        let html = DigestHtml {
            name: &to.name,
            entries: &entries,
        }
        .render()
        .unwrap_or_default();
        let subject = format!("Uw overzicht van vesoc: {} {}", entries.len(), {
            if entries.len() == 1 {
                "bericht"
            } else {
                "berichten"
            }
        });
        let why = "u deze berichten in één overzicht per dag vroeg";
        let out = signed("digest", to, &subject, (text, html), site, why);
        let message = super::enqueue(&mut tx, None, &out).await?;
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        sqlx::query("UPDATE mail_digest_entry SET message_id = $2 WHERE id = ANY($1)")
            .bind(&ids)
            .bind(message)
            .execute(&mut *tx)
            .await?;
        written += 1;
    }
    tx.commit().await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_digest_day_starts_at_seven_in_brussels() {
        // 06:59 Brussels (05:59 UTC in winter): yesterday's 07:00.
        assert_eq!(
            digest_cutoff(datetime!(2026-12-07 05:59 UTC)),
            Some(datetime!(2026-12-06 06:00 UTC))
        );
        assert_eq!(
            digest_cutoff(datetime!(2026-12-07 06:00 UTC)),
            Some(datetime!(2026-12-07 06:00 UTC))
        );
        // Summer time: 07:00 Brussels is 05:00 UTC.
        assert_eq!(
            digest_cutoff(datetime!(2026-07-01 05:30 UTC)),
            Some(datetime!(2026-07-01 05:00 UTC))
        );
    }
}
