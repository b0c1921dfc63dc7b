//! Mail: every message goes through the outbox (`mail_message`), written in
//! the transaction of the change that causes it; [`Sender`] delivers it
//! later, through SMTP or, without a server, as an `.eml` file that
//! administrators find on the page of sent messages. Nothing is dropped.

pub mod notify;
mod pages;
mod preferences;
pub mod sender;

use std::str::FromStr;

use lettre::Address;
use sqlx::PgConnection;

pub use notify::{Addressee, Delivered, Delivery, Kind, Letter, Notice};
pub use sender::{Sender, Transport};

use crate::auth::access::Routes;
use crate::base::{PageCtx, secret};
use crate::config::ServeConfig;

pub fn routes() -> Routes {
    pages::routes().merge(preferences::routes())
}

/// What a message needs to know of the site: where its pages are (for
/// links) and who sends (the organizer of calendar invitations).
#[derive(Debug, Clone)]
pub struct Site {
    pub base_url: String,
    pub sender: String,
}

impl Site {
    pub fn new(base_url: &str, config: &ServeConfig) -> Self {
        Site {
            base_url: base_url.trim_end_matches('/').to_string(),
            sender: address_of(&config.mail_from),
        }
    }

    /// For a message written while answering a request: the request's
    /// origin (see `PageCtx::absolute`), else as for a job.
    pub fn of(ctx: &PageCtx, config: &ServeConfig) -> Self {
        match ctx.absolute("") {
            origin if origin.starts_with("http") => Site::new(&origin, config),
            _ => Site::configured(config),
        }
    }

    /// For a message written by a job: the configured public address, else
    /// the address vesoc listens on.
    pub fn configured(config: &ServeConfig) -> Self {
        Site::new(&crate::base::page::own_origin(config), config)
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// An invitation in a message: new or updated (`REQUEST`) or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarMethod {
    Request,
    Cancel,
}

impl CalendarMethod {
    pub fn code(self) -> &'static str {
        match self {
            CalendarMethod::Request => "REQUEST",
            CalendarMethod::Cancel => "CANCEL",
        }
    }
}

/// Why a message cannot be written: said to the user in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("“{0}” is geen geldig e-mailadres.")]
    Address(String),
}

/// A checked recipient: a valid address, and a name without line breaks or
/// other control characters (so that nothing can be added to a header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    pub name: String,
}

impl Recipient {
    pub fn new(address: &str, name: &str) -> Result<Self, Refused> {
        let address = address.trim().to_lowercase();
        let valid = !address.chars().any(|c| c.is_control() || c.is_whitespace())
            && Address::from_str(&address).is_ok();
        if !valid {
            return Err(Refused::Address(
                address.chars().filter(|c| !c.is_control()).collect(),
            ));
        }
        Ok(Recipient {
            address,
            name: one_line(name),
        })
    }
}

/// The address of a mailbox as configured ("Naam <adres>" or "adres").
pub fn address_of(mailbox: &str) -> String {
    match mailbox.parse::<lettre::message::Mailbox>() {
        Ok(m) => m.email.to_string(),
        Err(_) => mailbox.trim().to_string(),
    }
}

/// Text for a header: control characters (CR, LF, tab…) become spaces.
pub fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message for the outbox.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// What kind of message, in `snake_case` (`convocation`, `test`…).
    pub kind: &'static str,
    pub to: Recipient,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub calendar: Option<(CalendarMethod, String)>,
    pub unsubscribe: Option<Unsubscribe>,
}

/// A one-click unsubscribe (RFC 8058): the link goes in `List-Unsubscribe`
/// and at the message's foot, and the message is found again by its
/// token's hash. The link itself stays in the outbox row (as the answer
/// links do), which only the secretariat reads.
#[derive(Debug, Clone)]
pub struct Unsubscribe {
    pub hash: Vec<u8>,
    pub url: String,
}

impl Unsubscribe {
    pub fn new(site: &Site) -> Self {
        let token = secret::new_token();
        Unsubscribe {
            hash: secret::hash(&token),
            url: site.link(&format!("/uitschrijven/{token}")),
        }
    }
}

impl Outgoing {
    pub fn new(kind: &'static str, to: Recipient, subject: &str, text: String) -> Self {
        Outgoing {
            kind,
            to,
            subject: one_line(subject),
            text,
            html: None,
            calendar: None,
            unsubscribe: None,
        }
    }

    pub fn html(mut self, html: String) -> Self {
        self.html = Some(html);
        self
    }

    pub fn calendar(mut self, method: CalendarMethod, ics: String) -> Self {
        self.calendar = Some((method, ics));
        self
    }

    pub fn unsubscribe(mut self, unsubscribe: Unsubscribe) -> Self {
        self.unsubscribe = Some(unsubscribe);
        self
    }
}

/// Writes `message` to the outbox on `conn`: it is sent once the
/// transaction commits, never if it rolls back.
pub async fn enqueue(
    conn: &mut PgConnection,
    actor: Option<i64>,
    message: &Outgoing,
) -> sqlx::Result<i64> {
    let (method, ics) = match &message.calendar {
        Some((m, ics)) => (Some(m.code()), Some(ics.as_str())),
        None => (None, None),
    };
    sqlx::query_scalar(
        "INSERT INTO mail_message (kind, recipient, recipient_name, subject, body_text, body_html,
                                   calendar, calendar_method, message_id, created_by,
                                   unsubscribe_hash, list_unsubscribe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                 '<' || gen_random_uuid() || '@vesoc>', $9, $10, $11)
         RETURNING id",
    )
    .bind(message.kind)
    .bind(&message.to.address)
    .bind(&message.to.name)
    .bind(&message.subject)
    .bind(&message.text)
    .bind(message.html.as_deref())
    .bind(ics)
    .bind(method)
    .bind(actor)
    .bind(message.unsubscribe.as_ref().map(|u| &u.hash))
    .bind(message.unsubscribe.as_ref().map(|u| &u.url))
    .fetch_one(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_names_cannot_break_a_header() {
        assert!(Recipient::new("an.proef@acv.be", "An").is_ok());
        assert_eq!(
            Recipient::new(" An.Proef@ACV.be ", "An")
                .expect("valid")
                .address,
            "an.proef@acv.be"
        );
        for bad in [
            "",
            "an",
            "an@",
            "@acv.be",
            "an proef@acv.be",
            "an@acv.be\r\nBcc: x@y.be",
        ] {
            assert!(Recipient::new(bad, "An").is_err(), "{bad:?}");
        }
        let r = Recipient::new("an@acv.be", "An\r\nBcc: kwaad@voorbeeld.be").expect("valid");
        assert_eq!(r.name, "An Bcc: kwaad@voorbeeld.be");
        assert_eq!(one_line("Agenda\nvan\tmorgen"), "Agenda van morgen");
    }
}
