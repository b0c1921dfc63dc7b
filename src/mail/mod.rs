//! Mail: every message goes through the outbox (`mail_message`), written in
//! the transaction of the change that causes it; [`Sender`] delivers it
//! later, through SMTP or, without a server, as an `.eml` file that
//! administrators find on the page of sent messages. Nothing is dropped.

mod pages;
pub mod sender;

use std::str::FromStr;

use lettre::Address;
use sqlx::PgConnection;

pub use pages::routes;
pub use sender::{Sender, Transport};

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
                                   calendar, calendar_method, message_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                 '<' || gen_random_uuid() || '@vesoc>', $9)
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
