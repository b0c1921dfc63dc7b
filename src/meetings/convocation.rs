//! Convocations: when the secretariat convenes, reschedules or cancels a
//! meeting, every invitee with an e-mail address gets a message in the
//! outbox, in the transaction of that change: the meeting, when and where,
//! the agenda with its numbers, a link to the meeting page and an iCalendar
//! invitation (METHOD:REQUEST with the meeting's UID and SEQUENCE, so
//! calendars file it and later update it; METHOD:CANCEL for a
//! cancellation).
//!
//! The agenda of each message is what the invitee may see
//! (`agenda_item_visible`, as on the meeting page): as the account linked to
//! the person when there is one, else as its organisation (or minister);
//! the place goes to every invitee: being invited is what it is for.

use askama::Template;
use icalendar::{Calendar, Component, Event, EventLike};
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::ical::{clean, utc};
use super::queries::Meeting;
use crate::auth::Reader;
use crate::base::dutch;
use crate::mail::{self, CalendarMethod, Delivered, Kind, Notice, Outgoing, Recipient, Site};

/// What a convocation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    Convened,
    Rescheduled,
    Cancelled,
    /// To those who have not answered yet.
    Reminder,
    /// A new version of the sent agenda: what changed, then the agenda.
    AgendaUpdate,
}

impl Occasion {
    fn method(self) -> CalendarMethod {
        match self {
            Occasion::Cancelled => CalendarMethod::Cancel,
            _ => CalendarMethod::Request,
        }
    }
}

/// Who was written to, and whom the list names without an address.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub messages: usize,
    pub without_address: Vec<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct Invitee {
    person_id: i64,
    answered: bool,
    name: String,
    email: Option<String>,
    /// The reader the invitee is: the account linked to the person when
    /// there is one (as on its pages), else what the invitation says.
    reads_all: bool,
    organisation_id: Option<i64>,
    minister_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Line {
    pub number: String,
    pub title: String,
    pub kind: crate::agenda::ItemKind,
}

#[derive(Template)]
#[template(path = "mail/convocation.txt")]
struct Text<'a> {
    m: &'a Message<'a>,
}

#[derive(Template)]
#[template(path = "mail/convocation.html")]
struct Html<'a> {
    m: &'a Message<'a>,
}

/// What both forms of the message show.
struct Message<'a> {
    occasion: Occasion,
    name: &'a str,
    meeting: &'a Meeting,
    when: String,
    agenda: Vec<Line>,
    link: String,
    /// The invitee's own link to answer (not in a cancellation).
    answer: Option<String>,
    /// An agenda update: the new version's letter and what changed that
    /// this invitee may see.
    update: Option<(String, Vec<crate::agenda::Change>)>,
    /// The standing item "Opvolging actiepunten", as this invitee may see it.
    actions: Vec<crate::actions::ActionPoint>,
}

impl Message<'_> {
    fn is(&self, code: &str) -> bool {
        matches!(
            (self.occasion, code),
            (Occasion::Convened, "convened")
                | (Occasion::Rescheduled, "rescheduled")
                | (Occasion::Cancelled, "cancelled")
                | (Occasion::Reminder, "reminder")
                | (Occasion::AgendaUpdate, "agenda_update")
        )
    }

    /// "VESOC-werkgroep", "(In)formeel VESOC-overleg – formeel VESOC-overleg".
    fn title(&self) -> String {
        let (body, kind) = (&self.meeting.body_name, self.meeting.kind.label());
        if body.eq_ignore_ascii_case(kind) {
            body.clone()
        } else {
            format!("{body} – {kind}")
        }
    }

    fn subject(&self) -> String {
        let what = match self.occasion {
            Occasion::Convened => "Uitnodiging",
            Occasion::Rescheduled => "Gewijzigd",
            Occasion::Cancelled => "Geannuleerd",
            Occasion::Reminder => "Herinnering",
            Occasion::AgendaUpdate => {
                let letter = self.update.as_ref().map_or("", |(l, _)| l.as_str());
                return format!(
                    "Aanvullende agenda (versie {letter}): {}, {}",
                    self.meeting.body_name,
                    dutch::nl_date(dutch::brussels(self.meeting.starts_at).date())
                );
            }
        };
        let day = dutch::nl_date(dutch::brussels(self.meeting.starts_at).date());
        format!("{what}: {}, {day}", self.meeting.body_name)
    }
}

/// Writes the convocation of `meeting` (as it is after the change) to the
/// outbox for every invitee with an address.
pub async fn write(
    conn: &mut PgConnection,
    actor: Option<i64>,
    meeting: &Meeting,
    occasion: Occasion,
    site: &Site,
) -> sqlx::Result<Written> {
    if matches!(occasion, Occasion::Convened | Occasion::Rescheduled) {
        // The reminder job reads when the convocation for this date went out.
        sqlx::query(
            "INSERT INTO meeting_mailing (meeting_id, kind, for_time) VALUES ($1, 'convocation', $2)
             ON CONFLICT (meeting_id, kind, for_time) DO UPDATE SET sent_at = now()",
        )
        .bind(meeting.id)
        .bind(meeting.starts_at)
        .execute(&mut *conn)
        .await?;
    }
    let invitees: Vec<Invitee> = sqlx::query_as(
        "SELECT p.id AS person_id, mp.answer IS NOT NULL AS answered,
                p.given_name || ' ' || p.family_name AS name, p.email,
                coalesce(acc.role = 'secretariat', false) AS reads_all,
                CASE WHEN acc.id IS NULL THEN mp.organisation_id ELSE acc.organisation_id END
                    AS organisation_id,
                CASE WHEN acc.id IS NOT NULL THEN acc.minister_id
                     WHEN o.kind = 'government' THEN p.id END AS minister_id
         FROM meeting_participant mp JOIN person p ON p.id = mp.person_id
         LEFT JOIN organisation o ON o.id = mp.organisation_id
         LEFT JOIN LATERAL (SELECT a.* FROM account a
                            WHERE a.person_id = p.id AND a.disabled_at IS NULL
                            ORDER BY a.id LIMIT 1) acc ON true
         WHERE mp.meeting_id = $1 AND mp.invited
         ORDER BY p.family_name, p.given_name",
    )
    .bind(meeting.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut written = Written::default();
    let mut agendas: std::collections::HashMap<Reader, Vec<Line>> = Default::default();
    let mut standing: std::collections::HashMap<Reader, Vec<_>> = Default::default();
    // An agenda update compares the last two versions.
    let versions = match occasion {
        Occasion::AgendaUpdate => {
            let sent = crate::agenda::versions::sent(&mut *conn, meeting.id).await?;
            match sent.as_slice() {
                [.., from, to] => Some((from.letter.clone(), to.letter.clone())),
                _ => return Ok(written),
            }
        }
        _ => None,
    };
    let when = format!(
        "{} {}, van {} tot {} uur (Belgische tijd)",
        dutch::nl_weekday(dutch::brussels(meeting.starts_at).date()),
        dutch::nl_date(dutch::brussels(meeting.starts_at).date()),
        dutch::hhmm(dutch::brussels(meeting.starts_at)).replace(':', "."),
        dutch::hhmm(dutch::brussels(meeting.ends_at)).replace(':', "."),
    );
    for invitee in invitees {
        if occasion == Occasion::Reminder && invitee.answered {
            continue;
        }
        let to = invitee
            .email
            .as_deref()
            .map(|e| Recipient::new(e, &invitee.name));
        let Some(Ok(to)) = to else {
            written.without_address.push(invitee.name);
            continue;
        };
        let reader = Reader {
            reads_all: invitee.reads_all,
            signed_in: true,
            organisation_id: invitee.organisation_id,
            minister_id: invitee.minister_id,
            today: dutch::today(),
        };
        // Invitees of one organisation read the same agenda: asked once.
        let agenda = match agendas.get(&reader) {
            Some(agenda) => agenda.clone(),
            None => {
                let agenda = visible_agenda(&mut *conn, meeting.id, reader).await?;
                agendas.insert(reader, agenda.clone());
                agenda
            }
        };
        let actions = match standing.get(&reader) {
            Some(points) => points.clone(),
            None => {
                let points = crate::actions::standing_item(&mut *conn, meeting, reader).await?;
                standing.insert(reader, points.clone());
                points
            }
        };
        // What changed that this invitee may see; nothing: no message.
        let update = match &versions {
            Some((from, to)) => {
                let before = crate::agenda::versions::listed(&mut *conn, meeting.id, from, reader);
                let before = before.await?;
                let after = crate::agenda::versions::listed(&mut *conn, meeting.id, to, reader);
                let changes = crate::agenda::versions::diff(&before, &after.await?);
                if changes.is_empty() {
                    continue;
                }
                Some((to.clone(), changes))
            }
            None => None,
        };
        let answer = match occasion {
            Occasion::Cancelled => None,
            _ => Some(super::rsvp::new_link(conn, meeting.id, invitee.person_id).await?),
        };
        let message = Message {
            occasion,
            name: &invitee.name,
            meeting,
            when: when.clone(),
            agenda,
            link: site.link(&format!("/vergaderingen/{}", meeting.id)),
            answer: answer.map(|token| site.link(&format!("/antwoord/{token}"))),
            update,
            actions,
        };
        let text = Text { m: &message }.render().unwrap_or_default();
        let html = Html { m: &message }.render().unwrap_or_default();
        if occasion == Occasion::Reminder {
            // A reminder is a notification: as the mailbox chose, with an
            // unsubscribe link, without a new calendar invitation.
            let digest = format!(
                "{}\nWanneer: {}\nLaat weten of u komt: {}",
                message.title(),
                message.when,
                message.answer.as_deref().unwrap_or(&message.link)
            );
            let notice = Notice {
                kind: Kind::MeetingReminder,
                to,
                subject: mail::one_line(&message.subject()),
                text,
                html,
                digest,
            };
            if mail::notify::deliver(conn, actor, site, notice).await? != Delivered::Declined {
                written.messages += 1;
            }
            continue;
        }
        if occasion == Occasion::AgendaUpdate {
            // The calendar already has the meeting: no new invitation.
            let outgoing = Outgoing::new("convocation", to, &message.subject(), text).html(html);
            mail::enqueue(conn, actor, &outgoing).await?;
            written.messages += 1;
            continue;
        }
        let ics = invitation(meeting, occasion, &message.link, &site.sender, &to);
        let outgoing = Outgoing::new("convocation", to, &message.subject(), text)
            .html(html)
            .calendar(occasion.method(), ics);
        mail::enqueue(conn, actor, &outgoing).await?;
        written.messages += 1;
    }
    Ok(written)
}

/// The agenda of `meeting` as `reader` may see it (`agenda_item_visible`).
async fn visible_agenda(
    conn: &mut PgConnection,
    meeting: i64,
    reader: Reader,
) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as(
        "SELECT coalesce(a.number, a.position::text) AS number, a.title, a.kind
         FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id
         WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)
           AND agenda_item_visible($2, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY a.position",
    )
    .bind(meeting)
    .bind(reader)
    .fetch_all(conn)
    .await
}

/// The iCalendar invitation of one invitee (RFC 5546): the meeting's UID
/// and SEQUENCE, so that a later update or cancellation replaces it.
pub fn invitation(
    m: &Meeting,
    occasion: Occasion,
    link: &str,
    organizer: &str,
    to: &Recipient,
) -> String {
    let mut cal = Calendar::new();
    cal.append_property(icalendar::Property::new("METHOD", occasion.method().code()));
    let mut e = Event::new();
    e.uid(&format!("vergadering-{}@vesoc", m.id))
        .add_property("DTSTAMP", utc(OffsetDateTime::now_utc()))
        .add_property("DTSTART", utc(m.starts_at))
        .add_property("DTEND", utc(m.ends_at))
        .sequence(u32::try_from(m.sequence).unwrap_or(0))
        .summary(&clean(&format!("{} ({})", m.body_name, m.kind.label())))
        .url(link)
        .add_property("ORGANIZER", format!("mailto:{organizer}"))
        .append_property(
            icalendar::Property::new("ATTENDEE", format!("mailto:{}", to.address))
                .add_parameter("CN", &clean(&to.name).replace('"', "'"))
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .done(),
        )
        .add_property(
            "STATUS",
            if occasion == Occasion::Cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            },
        );
    if !m.location.trim().is_empty() {
        e.location(&clean(&m.location));
    }
    let mut description = format!("Meer informatie: {link}");
    if let Some(url) = &m.online_url {
        description.push_str(&format!("\nOnline: {url}"));
    }
    e.description(&clean(&description));
    cal.push(e.done());
    cal.done().to_string()
}
