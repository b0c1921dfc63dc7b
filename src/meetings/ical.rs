//! iCalendar feeds (RFC 5545): stable UIDs, SEQUENCE bumped on every change,
//! STATUS:CANCELLED for cancellations. Times are written in UTC, which every
//! client shows in its own time zone; the feed names Europe/Brussels as its
//! zone for clients that use the hint.

use icalendar::{Calendar, Component, Event, EventLike};
use time::OffsetDateTime;
use time::macros::format_description;

use super::queries::{Meeting, MeetingStatus};

/// What a feed may show: the public feed has no location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Public,
    Member,
}

pub(super) fn utc(t: OffsetDateTime) -> String {
    let f = format_description!("[year][month][day]T[hour][minute][second]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .unwrap_or_default()
}

/// A carriage return would end the content line: text keeps only `\n`,
/// which icalendar escapes.
pub(super) fn clean(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

pub fn feed(name: &str, meetings: &[Meeting], base_url: &str, detail: Detail) -> String {
    let mut cal = Calendar::new();
    cal.name(&clean(name));
    cal.append_property(icalendar::Property::new("X-WR-TIMEZONE", "Europe/Brussels"));
    cal.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    for m in meetings {
        let mut e = Event::new();
        e.uid(&format!("vergadering-{}@vesoc", m.id))
            .add_property("DTSTAMP", utc(m.modified_at))
            .add_property("DTSTART", utc(m.starts_at))
            .add_property("DTEND", utc(m.ends_at))
            .add_property("LAST-MODIFIED", utc(m.modified_at))
            .add_property("CREATED", utc(m.created_at))
            .sequence(u32::try_from(m.sequence).unwrap_or(0))
            .summary(&clean(&format!("{} ({})", m.body_name, m.kind.label())))
            .url(&format!("{base_url}/vergaderingen/{}", m.id))
            .add_property(
                "STATUS",
                match m.status {
                    MeetingStatus::Cancelled => "CANCELLED",
                    MeetingStatus::Planned => "TENTATIVE",
                    MeetingStatus::Convened | MeetingStatus::Held => "CONFIRMED",
                },
            );
        let mut description = format!("Meer informatie: {base_url}/vergaderingen/{}", m.id);
        if let Some(reason) = &m.cancel_reason {
            description = format!("Geannuleerd: {reason}\n{description}");
        }
        if detail == Detail::Member {
            if !m.location.trim().is_empty() {
                e.location(&clean(&m.location));
            }
            if let Some(url) = &m.online_url {
                description.push_str(&format!("\nOnline: {url}"));
            }
        }
        e.description(&clean(&description));
        cal.push(e.done());
    }
    cal.done().to_string()
}
