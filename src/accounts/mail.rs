//! The messages of accounts: a one-time link to set a password, for a new
//! account, a new link from an administrator, or a forgotten password.
//! Written to the outbox in the transaction that makes the link.

use sqlx::PgConnection;

use crate::mail::{self, Outgoing, Recipient};

/// Why the link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFor {
    NewAccount,
    NewLink,
    Forgotten,
}

/// Writes the message with `link` (a full address) to the account's
/// address. An address the outbox refuses is left alone: the link is also
/// shown to the administrator who made it.
pub async fn password_link(
    conn: &mut PgConnection,
    actor: Option<i64>,
    (email, name): (&str, &str),
    link: &str,
    why: LinkFor,
) -> sqlx::Result<bool> {
    let Ok(to) = Recipient::new(email, name) else {
        return Ok(false);
    };
    let (subject, opening) = match why {
        LinkFor::NewAccount => (
            "Uw account op het VESOC-platform",
            "Er is een account voor u aangemaakt op het platform van het VESOC-secretariaat.",
        ),
        LinkFor::NewLink => (
            "Een nieuwe link voor uw wachtwoord",
            "De beheerder van het VESOC-platform heeft een nieuwe link gemaakt om uw \
             wachtwoord in te stellen; eerdere links werken niet meer.",
        ),
        LinkFor::Forgotten => (
            "Uw wachtwoord opnieuw instellen",
            "U (of iemand anders) vroeg om uw wachtwoord opnieuw in te stellen. Vroeg u \
             dat niet, dan hoeft u niets te doen: uw wachtwoord blijft hetzelfde.",
        ),
    };
    let text = format!(
        "Beste {name},\n\n{opening}\n\nStel uw wachtwoord in met deze link. Hij werkt één keer, \
         zeven dagen lang:\n\n{link}\n\nU meldt zich aan met dit e-mailadres: {email}.\n\n\
         Met vriendelijke groeten,\nhet VESOC-secretariaat (SERV)\n",
        name = mail::one_line(name),
        email = to.address,
    );
    let message = Outgoing::new("password_link", to, subject, text);
    mail::enqueue(conn, actor, &message).await?;
    Ok(true)
}
