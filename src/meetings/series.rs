//! Recurring meetings: the secretariat creates a series for a body ("elke
//! tweede dinsdag van de maand, 10:00–12:00, van september tot juni"), which
//! makes one planned meeting per date of its rule. The rule is an RFC 5545
//! RRULE, expanded by the `rrule` crate; it yields dates only, and each
//! date gets its hours in Brussels time here (jiff, through `dutch`), so
//! 10:00 stays 10:00 across a change of daylight saving time.
//!
//! A meeting of a series stays a meeting like any other: one row, one
//! iCalendar UID, counted by the calendar, the warnings and the yearly
//! overview. Moving it through the meeting form marks it changed by hand;
//! skipping its date cancels it and remembers the date (EXDATE). Changing
//! the series changes only the meetings still planned, still to begin and
//! not changed by hand; it adds the dates the new rule gives and removes
//! those it no longer gives.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime, Time, Weekday};

use super::convocation::{self, Occasion};
use super::forms::{hours, keep_body};
use super::queries::{self, BodyKind, MeetingKind, MeetingStatus};
use super::{OnMeeting, PageInput, render_meeting};
use crate::audit;
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::Result;
use crate::base::extract::parse_id;
use crate::base::on::{Named, On, param};
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, Check, FieldErrors, PageCtx, Version, dutch, page};
use crate::base::{AppError, working_days};
use crate::mail::Site;

pub fn routes() -> Routes {
    Routes::new()
        .get("/beheer/reeksen", SECRETARIAT, list)
        .get("/beheer/reeksen/nieuw", SECRETARIAT, new_form)
        .post("/beheer/reeksen", SECRETARIAT, create)
        .get("/beheer/reeksen/{id}", SECRETARIAT, show)
        .get("/beheer/reeksen/{id}/wijzigen", SECRETARIAT, edit_form)
        .post("/beheer/reeksen/{id}/wijzigen", SECRETARIAT, update)
        .post("/vergaderingen/{id}/overslaan", SECRETARIAT, skip)
}

/// The most meetings one series makes: a year of weekly meetings, and some.
pub const MAX_MEETINGS: usize = 60;
const MAX_TEXT: usize = 500;

// --- the rule ---

/// The weekdays and their code of RFC 5545 (BYDAY); their Dutch names are
/// `dutch::weekday_name`.
const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "MO"),
    (Weekday::Tuesday, "TU"),
    (Weekday::Wednesday, "WE"),
    (Weekday::Thursday, "TH"),
    (Weekday::Friday, "FR"),
    (Weekday::Saturday, "SA"),
    (Weekday::Sunday, "SU"),
];

/// Which weekday of the month: the BYDAY ordinal and its Dutch word.
const ORDINALS: [(i16, &str); 5] = [
    (1, "eerste"),
    (2, "tweede"),
    (3, "derde"),
    (4, "vierde"),
    (-1, "laatste"),
];

fn weekday_code(day: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|w| w.0 == day).map_or("MO", |w| w.1)
}

/// The pattern a secretary chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Every `every` weeks on `weekday`.
    Weekly { every: u16, weekday: Weekday },
    /// The `nth` `weekday` of every month (1 to 4, or -1 for the last).
    Monthly { nth: i16, weekday: Weekday },
}

/// A series' rule: its pattern, less the months without meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub pattern: Pattern,
    /// Months (1–12) left out, in order.
    pub skip_months: Vec<u8>,
}

impl Rule {
    /// The RRULE (the value, without `RRULE:`) of this rule, ending at
    /// `until` (written in UTC, as RFC 5545 asks next to a DTSTART with a
    /// time zone).
    pub fn rrule(&self, until: OffsetDateTime) -> String {
        let mut parts = Vec::new();
        let byday = match self.pattern {
            Pattern::Weekly { every, weekday } => {
                parts.push("FREQ=WEEKLY".to_string());
                if every > 1 {
                    parts.push(format!("INTERVAL={every}"));
                }
                weekday_code(weekday).to_string()
            }
            Pattern::Monthly { nth, weekday } => {
                parts.push("FREQ=MONTHLY".to_string());
                format!("{nth}{}", weekday_code(weekday))
            }
        };
        parts.push(format!("UNTIL={}", super::ical::utc(until)));
        if !self.skip_months.is_empty() {
            let months: Vec<String> = (1..=12u8)
                .filter(|m| !self.skip_months.contains(m))
                .map(|m| m.to_string())
                .collect();
            parts.push(format!("BYMONTH={}", months.join(",")));
        }
        parts.push(format!("BYDAY={byday}"));
        parts.join(";")
    }

    /// The rule a stored RRULE says, read by the `rrule` crate; `None` for
    /// one this form cannot have made.
    pub fn parse(rrule: &str) -> Option<Rule> {
        let r: rrule::RRule<rrule::Unvalidated> = rrule.parse().ok()?;
        let [day] = r.get_by_weekday() else {
            return None;
        };
        let weekday_of = |d: rrule::Weekday| {
            WEEKDAYS
                .get(usize::try_from(d.num_days_from_monday()).ok()?)
                .map(|w| w.0)
        };
        let pattern = match (r.get_freq(), *day) {
            (rrule::Frequency::Weekly, rrule::NWeekday::Every(d)) => Pattern::Weekly {
                every: r.get_interval(),
                weekday: weekday_of(d)?,
            },
            (rrule::Frequency::Monthly, rrule::NWeekday::Nth(nth, d)) if r.get_interval() == 1 => {
                Pattern::Monthly {
                    nth,
                    weekday: weekday_of(d)?,
                }
            }
            _ => return None,
        };
        let months = r.get_by_month();
        let skip_months = if months.is_empty() {
            Vec::new()
        } else {
            (1..=12u8).filter(|m| !months.contains(m)).collect()
        };
        Some(Rule {
            pattern,
            skip_months,
        })
    }

    /// In Dutch: "elke tweede dinsdag van de maand, behalve in juli en augustus".
    pub fn describe(&self) -> String {
        let mut said = match self.pattern {
            Pattern::Weekly { every: 1, weekday } => {
                format!("elke {}", dutch::weekday_name(weekday))
            }
            Pattern::Weekly { every, weekday } => {
                format!("om de {every} weken op {}", dutch::weekday_name(weekday))
            }
            Pattern::Monthly { nth, weekday } => format!(
                "elke {} {} van de maand",
                ORDINALS.iter().find(|o| o.0 == nth).map_or("", |o| o.1),
                dutch::weekday_name(weekday)
            ),
        };
        let names: Vec<&str> = self
            .skip_months
            .iter()
            .filter_map(|m| time::Month::try_from(*m).ok().map(dutch::nl_month))
            .collect();
        if let Some((last, rest)) = names.split_last() {
            let months = if rest.is_empty() {
                (*last).to_string()
            } else {
                format!("{} en {last}", rest.join(", "))
            };
            said.push_str(&format!(", behalve in {months}"));
        }
        said
    }
}

/// "20260908", a date in an iCalendar date-time.
fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The dates `rule` gives from `first` to `last` (Brussels days), without
/// the `skipped` ones; at most [`MAX_MEETINGS`] + 1, so that a rule that
/// gives too many is known as such. `None` when the crate refuses the rule.
///
/// The set is expanded at noon in Europe/Brussels: only the dates count
/// (the hours are applied per date afterwards), and noon exists on every
/// day, also when the clocks change. The skipped dates are the set's
/// EXDATEs at that same hour.
pub fn dates(rule: &Rule, first: Date, last: Date, skipped: &[Date]) -> Option<Vec<Date>> {
    let until = dutch::from_brussels(last, time::macros::time!(23:59))?;
    let mut text = format!(
        "DTSTART;TZID=Europe/Brussels:{}T120000\nRRULE:{}",
        compact(first),
        rule.rrule(until)
    );
    if !skipped.is_empty() {
        let skipped: Vec<String> = skipped
            .iter()
            .map(|d| format!("{}T120000", compact(*d)))
            .collect();
        text.push_str(&format!(
            "\nEXDATE;TZID=Europe/Brussels:{}",
            skipped.join(",")
        ));
    }
    let set: rrule::RRuleSet = text.parse().ok()?;
    let limit = u16::try_from(MAX_MEETINGS + 1).unwrap_or(u16::MAX);
    set.all(limit)
        .dates
        .iter()
        .map(|d| {
            OffsetDateTime::from_unix_timestamp(d.timestamp())
                .ok()
                .map(|t| dutch::brussels(t).date())
        })
        .collect()
}

// --- the series ---

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Series {
    pub id: i64,
    pub body_id: i64,
    pub body_slug: String,
    pub body_name: String,
    pub kind: MeetingKind,
    pub rrule: String,
    pub starts_local: Time,
    pub ends_local: Time,
    pub first_date: Date,
    pub last_date: Date,
    pub location: String,
    pub exdates: Vec<Date>,
    pub version: i32,
}

impl Series {
    pub fn rule(&self) -> Option<Rule> {
        Rule::parse(&self.rrule)
    }

    /// "elke tweede dinsdag van de maand, 10:00 – 12:00"
    pub fn describe(&self) -> String {
        let rule = self
            .rule()
            .map_or_else(|| self.rrule.clone(), |r| r.describe());
        format!("{rule}, {}", self.hours())
    }

    pub fn hours(&self) -> String {
        format!("{} – {}", hhmm(self.starts_local), hhmm(self.ends_local))
    }

    pub fn period(&self) -> String {
        format!(
            "van {} tot en met {}",
            dutch::nl_date(self.first_date),
            dutch::nl_date(self.last_date)
        )
    }

    pub fn skipped(&self) -> String {
        let mut days = self.exdates.clone();
        days.sort_unstable();
        let days: Vec<String> = days.into_iter().map(dutch::nl_date).collect();
        days.join(", ")
    }
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

const SELECT: &str = "SELECT s.id, s.body_id, b.slug AS body_slug, b.name AS body_name, s.kind,
                             s.rrule, s.starts_local, s.ends_local, s.first_date, s.last_date,
                             s.location, s.exdates, s.version
                      FROM meeting_series s JOIN body b ON b.id = s.body_id";

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Series>> {
    sqlx::query_as(&format!("{SELECT} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

impl Named for Series {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        get(&state.db, parse_id(param(path, 0))?)
            .await?
            .ok_or(AppError::NotFound)
    }
}

/// A meeting of a series, as the series sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesMeeting {
    pub id: i64,
    pub series_date: Date,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub kind: MeetingKind,
    pub location: String,
    pub status: MeetingStatus,
    pub changed_by_hand: bool,
    pub cancel_reason: Option<String>,
}

impl SeriesMeeting {
    /// Does a change of the series change this meeting? Only when it is
    /// still planned, still to begin, and nobody changed it by hand.
    pub fn follows(&self, now: OffsetDateTime) -> bool {
        self.status == MeetingStatus::Planned && !self.changed_by_hand && self.starts_at > now
    }

    pub fn when(&self) -> String {
        let start = dutch::brussels(self.starts_at);
        format!(
            "{} {}, {} – {}",
            dutch::nl_weekday(start.date()),
            dutch::nl_date(start.date()),
            dutch::hhmm(start),
            dutch::hhmm(dutch::brussels(self.ends_at))
        )
    }

    /// Moved away from the date the rule gave it?
    pub fn moved_from(&self) -> Option<String> {
        let day = dutch::brussels(self.starts_at).date();
        (day != self.series_date).then(|| dutch::nl_date(self.series_date))
    }
}

const MEETINGS: &str = "SELECT id, series_date, starts_at, ends_at, kind, location, status,
                               changed_by_hand, cancel_reason
                        FROM meeting WHERE series_id = $1 ORDER BY series_date, id";

pub async fn meetings(db: impl PgExecutor<'_>, series: i64) -> sqlx::Result<Vec<SeriesMeeting>> {
    sqlx::query_as(MEETINGS).bind(series).fetch_all(db).await
}

/// What the meeting page says of a meeting's series.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfMeeting {
    pub series_id: i64,
    pub rrule: String,
    pub series_date: Date,
    pub changed_by_hand: bool,
}

impl OfMeeting {
    pub fn describe(&self) -> String {
        Rule::parse(&self.rrule).map_or_else(|| self.rrule.clone(), |r| r.describe())
    }

    pub fn date(&self) -> String {
        dutch::nl_date(self.series_date)
    }
}

/// The series of a meeting, if it belongs to one.
pub async fn of_meeting(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Option<OfMeeting>> {
    sqlx::query_as(
        "SELECT s.id AS series_id, s.rrule, m.series_date, m.changed_by_hand
         FROM meeting m JOIN meeting_series s ON s.id = m.series_id WHERE m.id = $1",
    )
    .bind(meeting)
    .fetch_optional(db)
    .await
}

/// A series in the list of series.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub series: Series,
    /// Meetings not cancelled, and of those, still to begin.
    pub standing: i64,
    pub to_come: i64,
}

pub async fn list_all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(&format!(
        "SELECT x.*,
                (SELECT count(*) FROM meeting m WHERE m.series_id = x.id AND m.status <> 'cancelled')
                    AS standing,
                (SELECT count(*) FROM meeting m WHERE m.series_id = x.id AND m.status <> 'cancelled'
                   AND m.starts_at > now()) AS to_come
         FROM ({SELECT}) x ORDER BY x.last_date DESC, x.id DESC"
    ))
    .fetch_all(db)
    .await
}

// --- the form ---

/// The series form as typed. Read from the form's fields by hand: the
/// months to leave out are a field sent once per ticked box.
#[derive(Debug, Default, Clone)]
pub struct SeriesForm {
    pub body_kind: String,
    /// `weekly` or `monthly`.
    pub pattern: String,
    /// Weekly: every how many weeks.
    pub every: String,
    /// Monthly: which weekday of the month (1–4, -1 for the last).
    pub nth: String,
    /// The weekday's RFC 5545 code (MO…SU).
    pub weekday: String,
    /// The months to leave out, as sent.
    pub skip: Vec<String>,
    pub start: String,
    pub end: String,
    pub first_date: String,
    pub last_date: String,
    pub location: String,
    pub version: Version,
    /// `voorbeeld`: show the dates, store nothing.
    pub action: String,
}

impl SeriesForm {
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = SeriesForm::default();
        for (key, value) in fields {
            let value = value.clone();
            match key.as_str() {
                "body_kind" => form.body_kind = value,
                "pattern" => form.pattern = value,
                "every" => form.every = value,
                "nth" => form.nth = value,
                "weekday" => form.weekday = value,
                "skip" => form.skip.push(value),
                "start" => form.start = value,
                "end" => form.end = value,
                "first_date" => form.first_date = value,
                "last_date" => form.last_date = value,
                "location" => form.location = value,
                "version" => form.version = Version::parse(&value),
                "actie" => form.action = value,
                _ => {}
            }
        }
        form
    }

    fn from_series(s: &Series) -> Self {
        let rule = s.rule();
        let (pattern, every, nth, weekday) = match rule.as_ref().map(|r| r.pattern) {
            Some(Pattern::Weekly { every, weekday }) => (
                "weekly",
                every.to_string(),
                String::new(),
                weekday_code(weekday),
            ),
            Some(Pattern::Monthly { nth, weekday }) => (
                "monthly",
                "1".into(),
                nth.to_string(),
                weekday_code(weekday),
            ),
            None => ("", String::new(), String::new(), ""),
        };
        SeriesForm {
            body_kind: format!("{}:{}", s.body_id, s.kind.code()),
            pattern: pattern.into(),
            every,
            nth,
            weekday: weekday.into(),
            skip: rule
                .map(|r| r.skip_months.iter().map(u8::to_string).collect())
                .unwrap_or_default(),
            start: hhmm(s.starts_local),
            end: hhmm(s.ends_local),
            first_date: dutch::iso_date(s.first_date),
            last_date: dutch::iso_date(s.last_date),
            location: s.location.clone(),
            version: Version(s.version),
            action: String::new(),
        }
    }

    fn wants_preview(&self) -> bool {
        self.action.trim() == "voorbeeld"
    }

    /// The fields, or what is wrong with them. `choices` are the bodies
    /// with their kinds; `skipped` the dates the series skips already;
    /// `earliest` the first date a new series may start on (none for a
    /// change: a series under way began in the past).
    fn parse(
        &self,
        choices: &[BodyKind],
        skipped: &[Date],
        earliest: Option<Date>,
    ) -> std::result::Result<SeriesFields, FieldErrors> {
        let mut check = Check::default();
        let typed = self.body_kind.trim();
        let chosen = choices.iter().find(|c| c.value() == typed);
        if chosen.is_none() {
            check.add(
                "body_kind",
                "Kies een orgaan en de soort vergadering uit de lijst.",
            );
        }
        let weekday = WEEKDAYS
            .iter()
            .find(|w| w.1 == self.weekday.trim())
            .map(|w| w.0);
        if weekday.is_none() {
            check.add("weekday", "Kies een weekdag.");
        }
        let pattern = match self.pattern.trim() {
            "weekly" => {
                let every = self
                    .every
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|n| (1..=12).contains(n));
                if every.is_none() {
                    check.add("every", "Geef om de hoeveel weken: een getal van 1 tot 12.");
                }
                every
                    .zip(weekday)
                    .map(|(every, weekday)| Pattern::Weekly { every, weekday })
            }
            "monthly" => {
                let nth = self
                    .nth
                    .trim()
                    .parse::<i16>()
                    .ok()
                    .filter(|n| ORDINALS.iter().any(|o| o.0 == *n));
                if nth.is_none() {
                    check.add(
                        "nth",
                        "Kies welke weekdag van de maand: de eerste, tweede, derde, vierde of laatste.",
                    );
                }
                nth.zip(weekday)
                    .map(|(nth, weekday)| Pattern::Monthly { nth, weekday })
            }
            _ => {
                check.add(
                    "pattern",
                    "Kies hoe vaak de reeks vergadert: wekelijks of maandelijks.",
                );
                None
            }
        };
        let mut skip_months = Vec::new();
        for typed in &self.skip {
            match typed.trim().parse::<u8>() {
                Ok(m) if (1..=12).contains(&m) => {
                    if !skip_months.contains(&m) {
                        skip_months.push(m);
                    }
                }
                _ => check.add("skip", "Kies de maanden zonder vergadering uit de lijst."),
            }
        }
        skip_months.sort_unstable();
        if skip_months.len() == 12 {
            check.add(
                "skip",
                "Laat niet alle maanden weg: dan vergadert de reeks nooit.",
            );
        }
        let (start, end) = hours(&mut check, &self.start, &self.end);
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            check.add("end", "Het einduur moet na het beginuur liggen.");
        }
        let date =
            |value: &str| dutch::parse_date(value).filter(|d| (2000..=2100).contains(&d.year()));
        let first = date(&self.first_date);
        if first.is_none() {
            check.add("first_date", "Vul de eerste datum in (JJJJ-MM-DD).");
        }
        let last = date(&self.last_date);
        if last.is_none() {
            check.add("last_date", "Vul de laatste datum in (JJJJ-MM-DD).");
        }
        if let (Some(f), Some(l)) = (first, last)
            && l < f
        {
            check.add(
                "last_date",
                "De laatste datum mag niet vóór de eerste datum liggen.",
            );
        }
        if let (Some(f), Some(earliest)) = (first, earliest)
            && f < earliest
        {
            check.add(
                "first_date",
                "De eerste datum ligt in het verleden: een nieuwe reeks begint vandaag of later.",
            );
        }
        let location = check.at_most(
            "location",
            &self.location,
            MAX_TEXT,
            "De plaats mag hoogstens 500 tekens lang zijn.",
        );
        let (Some(chosen), Some(pattern), Some(starts), Some(ends), Some(first), Some(last), true) =
            (chosen, pattern, start, end, first, last, check.is_ok())
        else {
            return Err(check.errors());
        };
        let rule = Rule {
            pattern,
            skip_months,
        };
        // Only now the rule is whole: what it yields.
        let Some(days) = dates(&rule, first, last, skipped) else {
            check.add(
                "pattern",
                "Met deze regel kunnen geen data berekend worden.",
            );
            return Err(check.errors());
        };
        if days.is_empty() {
            check.add(
                "pattern",
                "Deze regel geeft tussen de eerste en de laatste datum geen enkele vergadering.",
            );
        } else if days.len() > MAX_MEETINGS {
            check.add(
                "last_date",
                format!(
                    "Deze reeks zou meer dan {MAX_MEETINGS} vergaderingen maken: kies een vroegere laatste datum of een ruimer ritme."
                ),
            );
        }
        // The hour that does not exist when summer time starts.
        for day in &days {
            for (field, hour) in [("start", starts), ("end", ends)] {
                if dutch::from_brussels(*day, hour).is_none() {
                    check.add(
                        field,
                        format!(
                            "Op {} bestaat {} niet: de klok springt dan van 2 naar 3 uur.",
                            dutch::nl_date(*day),
                            hhmm(hour)
                        ),
                    );
                }
            }
        }
        if !check.is_ok() {
            return Err(check.errors());
        }
        Ok(SeriesFields {
            body_id: chosen.body_id,
            kind: chosen.kind,
            rule,
            starts,
            ends,
            first,
            last,
            location,
            dates: days,
        })
    }
}

/// A series as the form sets it, with the dates its rule gives.
#[derive(Debug, Clone)]
pub struct SeriesFields {
    pub body_id: i64,
    pub kind: MeetingKind,
    pub rule: Rule,
    pub starts: Time,
    pub ends: Time,
    pub first: Date,
    pub last: Date,
    pub location: String,
    pub dates: Vec<Date>,
}

impl SeriesFields {
    fn rrule(&self) -> String {
        let until = dutch::from_brussels(self.last, time::macros::time!(23:59))
            .unwrap_or_else(OffsetDateTime::now_utc);
        self.rule.rrule(until)
    }

    /// The meeting's start and end on `day`, in Brussels time (checked by
    /// the form to exist).
    fn times(&self, day: Date) -> Option<(OffsetDateTime, OffsetDateTime)> {
        Some((
            dutch::from_brussels(day, self.starts)?,
            dutch::from_brussels(day, self.ends)?,
        ))
    }

    /// What the audit log keeps of a series. Not the place: a meeting's
    /// place is for the members of its body, and administrators read the
    /// log; the place is in the meetings' own entries, which they do not see.
    fn audited(&self) -> serde_json::Value {
        json!({
            "body_id": self.body_id,
            "kind": self.kind,
            "rrule": self.rrule(),
            "starts_local": hhmm(self.starts),
            "ends_local": hhmm(self.ends),
            "first_date": dutch::iso_date(self.first),
            "last_date": dutch::iso_date(self.last),
        })
    }
}

// --- the plan: what saving does to the meetings ---

/// One date of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A new planned meeting.
    Create(Date),
    /// A meeting that follows the series, to its new hours, place or kind.
    Change { id: i64, date: Date },
    /// A meeting that follows the series and is as it says already.
    Same { id: i64, date: Date },
    /// A meeting that follows the series, on a date it no longer gives.
    Remove { id: i64, date: Date },
    /// A meeting still to come that the series leaves alone: changed by
    /// hand, or convened.
    Keep { id: i64, date: Date },
    /// A date of the rule that has begun already: no meeting is made.
    Past(Date),
}

impl Step {
    fn date(&self) -> Date {
        match self {
            Step::Create(date) | Step::Past(date) => *date,
            Step::Change { date, .. }
            | Step::Same { date, .. }
            | Step::Remove { date, .. }
            | Step::Keep { date, .. } => *date,
        }
    }
}

/// What saving `fields` does to the series' `current` meetings at `now`,
/// in date order. A new series has no meetings.
pub fn plan(current: &[SeriesMeeting], fields: &SeriesFields, now: OffsetDateTime) -> Vec<Step> {
    let mut steps = Vec::new();
    let to_come = |day: &Date| fields.times(*day).is_some_and(|(s, _)| s > now);
    for m in current {
        if m.follows(now) {
            let wanted = fields.dates.contains(&m.series_date) && to_come(&m.series_date);
            let (id, date) = (m.id, m.series_date);
            steps.push(if !wanted {
                Step::Remove { id, date }
            } else if fields.times(date) == Some((m.starts_at, m.ends_at))
                && m.location == fields.location
                && m.kind == fields.kind
            {
                Step::Same { id, date }
            } else {
                Step::Change { id, date }
            });
        } else if m.status != MeetingStatus::Cancelled && m.starts_at > now {
            steps.push(Step::Keep {
                id: m.id,
                date: m.series_date,
            });
        }
    }
    // A date is held by every meeting made for it that was not cancelled.
    let held = |day: &Date| {
        current
            .iter()
            .any(|m| m.series_date == *day && m.status != MeetingStatus::Cancelled)
    };
    for day in &fields.dates {
        if held(day) {
            continue;
        }
        steps.push(if to_come(day) {
            Step::Create(*day)
        } else {
            Step::Past(*day)
        });
    }
    steps.sort_by_key(Step::date);
    steps
}

/// What a change of a series did, for the notice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Applied {
    pub created: usize,
    pub changed: usize,
    pub removed: usize,
}

const DROPPED: &str = "Vervallen door een wijziging van de reeks.";

/// Makes, changes and removes the meetings as `steps` say.
async fn apply(
    conn: &mut PgConnection,
    actor: i64,
    series: i64,
    fields: &SeriesFields,
    current: &[SeriesMeeting],
    steps: &[Step],
) -> Result<Applied> {
    let mut done = Applied::default();
    for step in steps {
        match step {
            Step::Create(day) => {
                let Some((starts_at, ends_at)) = fields.times(*day) else {
                    continue;
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location, created_by,
                                          series_id, series_date)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(fields.body_id)
                .bind(fields.kind)
                .bind(starts_at)
                .bind(ends_at)
                .bind(&fields.location)
                .bind(actor)
                .bind(series)
                .bind(*day)
                .fetch_one(&mut *conn)
                .await?;
                audit::Entry::new("create", "meeting", id)
                    .after(json!({
                        "body_id": fields.body_id, "kind": fields.kind,
                        "starts_at": rfc3339(starts_at), "ends_at": rfc3339(ends_at),
                        "location": fields.location, "series_id": series,
                        "series_date": dutch::iso_date(*day),
                    }))
                    .write(conn, actor)
                    .await?;
                done.created += 1;
            }
            Step::Change { id, date } => {
                let (Some(before), Some((starts_at, ends_at))) =
                    (current.iter().find(|m| m.id == *id), fields.times(*date))
                else {
                    continue;
                };
                // Only while it still follows the series (the rows are locked).
                let rows = sqlx::query(
                    "UPDATE meeting SET kind = $2, starts_at = $3, ends_at = $4, location = $5,
                            version = version + 1, sequence = sequence + 1, modified_at = now()
                     WHERE id = $1 AND status = 'planned' AND NOT changed_by_hand",
                )
                .bind(id)
                .bind(fields.kind)
                .bind(starts_at)
                .bind(ends_at)
                .bind(&fields.location)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if rows == 0 {
                    continue;
                }
                if (before.starts_at, before.ends_at) != (starts_at, ends_at) {
                    sqlx::query(
                        "INSERT INTO meeting_reschedule (meeting_id, old_starts_at, old_ends_at,
                                                         new_starts_at, new_ends_at, reason, changed_by)
                         VALUES ($1, $2, $3, $4, $5, 'Wijziging van de reeks', $6)",
                    )
                    .bind(id)
                    .bind(before.starts_at)
                    .bind(before.ends_at)
                    .bind(starts_at)
                    .bind(ends_at)
                    .bind(actor)
                    .execute(&mut *conn)
                    .await?;
                }
                audit::Entry::new("update", "meeting", id)
                    .before(json!({
                        "kind": before.kind, "starts_at": rfc3339(before.starts_at),
                        "ends_at": rfc3339(before.ends_at), "location": before.location,
                    }))
                    .after(json!({
                        "kind": fields.kind, "starts_at": rfc3339(starts_at),
                        "ends_at": rfc3339(ends_at), "location": fields.location,
                        "series_id": series,
                    }))
                    .write(conn, actor)
                    .await?;
                done.changed += 1;
            }
            Step::Remove { id, .. } => {
                if remove(conn, actor, *id).await? {
                    done.removed += 1;
                }
            }
            Step::Same { .. } | Step::Keep { .. } | Step::Past(_) => {}
        }
    }
    Ok(done)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Removes a planned meeting the series no longer gives: deleted when
/// nothing hangs on it yet (no agenda item, invitee, document, minutes,
/// sent agenda or mail), else cancelled, so that nothing is lost. A
/// reference this list does not know (a table added later) is caught by
/// its foreign key: the deletion is undone and the meeting cancelled.
async fn remove(conn: &mut PgConnection, actor: i64, id: i64) -> Result<bool> {
    use sqlx::Connection;
    let mut savepoint = conn.begin().await?;
    let deleted = sqlx::query_scalar::<_, serde_json::Value>(
        "DELETE FROM meeting m
         WHERE m.id = $1 AND m.status = 'planned' AND NOT m.changed_by_hand
           AND NOT EXISTS (SELECT 1 FROM agenda_item a
                           WHERE a.meeting_id = m.id OR a.approves_minutes_of_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM meeting_participant p WHERE p.meeting_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM document d WHERE d.meeting_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM minutes x WHERE x.meeting_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM agenda_version v WHERE v.meeting_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM meeting_mailing g WHERE g.meeting_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM agreement g WHERE g.meeting_id = m.id)
         RETURNING json_build_object('body_id', m.body_id, 'kind', m.kind,
                                     'starts_at', m.starts_at, 'ends_at', m.ends_at,
                                     'location', m.location, 'series_id', m.series_id,
                                     'series_date', m.series_date)",
    )
    .bind(id)
    .fetch_optional(&mut *savepoint)
    .await;
    let foreign_key = |e: &sqlx::Error| {
        e.as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == "23503")
    };
    match deleted {
        Ok(Some(before)) => {
            savepoint.commit().await?;
            audit::Entry::new("delete", "meeting", id)
                .before(before)
                .after(json!({ "reason": DROPPED }))
                .write(conn, actor)
                .await?;
            return Ok(true);
        }
        Ok(None) => savepoint.commit().await?,
        Err(e) if foreign_key(&e) => savepoint.rollback().await?,
        Err(e) => return Err(e.into()),
    }
    let rows = sqlx::query(
        "UPDATE meeting SET status = 'cancelled', cancel_reason = $2, version = version + 1,
                sequence = sequence + 1, modified_at = now()
         WHERE id = $1 AND status = 'planned' AND NOT changed_by_hand",
    )
    .bind(id)
    .bind(DROPPED)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(false);
    }
    audit::Entry::new("set_status", "meeting", id)
        .before(json!({ "status": MeetingStatus::Planned }))
        .after(json!({ "status": MeetingStatus::Cancelled, "cancel_reason": DROPPED }))
        .write(conn, actor)
        .await?;
    Ok(true)
}

const WRONG_KIND: &str = "Dit orgaan houdt geen vergaderingen van deze soort.";

/// Creates a series and its meetings (planned), in the caller's
/// transaction. Returns the series and how many meetings it made.
pub async fn create_series(
    conn: &mut PgConnection,
    actor: i64,
    fields: &SeriesFields,
    now: OffsetDateTime,
) -> Result<Outcome<(i64, usize)>> {
    if !queries::body_holds(&mut *conn, fields.body_id, fields.kind).await? {
        return Ok(Outcome::refused("body_kind", WRONG_KIND));
    }
    let steps = plan(&[], fields, now);
    if !steps.iter().any(|s| matches!(s, Step::Create(_))) {
        return Ok(Outcome::refused(
            "pattern",
            "Deze regel geeft geen vergadering die nog moet beginnen.",
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meeting_series (body_id, kind, rrule, starts_local, ends_local, first_date,
                                     last_date, location, created_by, modified_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(fields.body_id)
    .bind(fields.kind)
    .bind(fields.rrule())
    .bind(fields.starts)
    .bind(fields.ends)
    .bind(fields.first)
    .bind(fields.last)
    .bind(&fields.location)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await?;
    let applied = apply(conn, actor, id, fields, &[], &steps).await?;
    audit::Entry::new("create", "meeting_series", id)
        .after(json!({ "series": fields.audited(), "meetings": applied.created }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done((id, applied.created)))
}

/// Changes a series (if `seen_version` is still its version) and the
/// meetings that follow it. The body stays; the kind may change.
pub async fn update_series(
    conn: &mut PgConnection,
    actor: i64,
    before: &Series,
    seen_version: i32,
    fields: &SeriesFields,
    now: OffsetDateTime,
) -> Result<Outcome<Applied>> {
    if fields.body_id != before.body_id
        || !queries::body_holds(&mut *conn, fields.body_id, fields.kind).await?
    {
        return Ok(Outcome::refused("body_kind", WRONG_KIND));
    }
    let rows = sqlx::query(
        "UPDATE meeting_series SET kind = $3, rrule = $4, starts_local = $5, ends_local = $6,
                first_date = $7, last_date = $8, location = $9, modified_by = $10,
                modified_at = now(), version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(fields.kind)
    .bind(fields.rrule())
    .bind(fields.starts)
    .bind(fields.ends)
    .bind(fields.first)
    .bind(fields.last)
    .bind(&fields.location)
    .bind(actor)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    // The meetings are locked until the change is committed: an edit by
    // hand in the meantime waits, and is then left alone or refused stale.
    let current: Vec<SeriesMeeting> = sqlx::query_as(&format!("{MEETINGS} FOR UPDATE"))
        .bind(before.id)
        .fetch_all(&mut *conn)
        .await?;
    let steps = plan(&current, fields, now);
    let applied = apply(conn, actor, before.id, fields, &current, &steps).await?;
    let was = json!({
        "kind": before.kind, "rrule": before.rrule,
        "starts_local": hhmm(before.starts_local), "ends_local": hhmm(before.ends_local),
        "first_date": dutch::iso_date(before.first_date),
        "last_date": dutch::iso_date(before.last_date),
    });
    audit::Entry::new("update", "meeting_series", before.id)
        .before(was)
        .after(json!({
            "series": fields.audited(), "created": applied.created,
            "changed": applied.changed, "removed": applied.removed,
        }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(applied))
}

/// Skips the date of a meeting of a series: the series remembers it
/// (EXDATE) and the meeting is cancelled with `reason`; the invitees of a
/// convened one get the cancellation, as when it is cancelled by hand.
pub async fn skip_date(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &super::Meeting,
    seen_version: i32,
    reason: &str,
    site: &Site,
) -> Result<Outcome> {
    let Some(of) = of_meeting(&mut *conn, meeting.id).await? else {
        return Ok(Outcome::refused(
            "form",
            "Deze vergadering hoort bij geen reeks: annuleer ze als ze niet doorgaat.",
        ));
    };
    if !meeting.is_open() {
        return Ok(Outcome::refused(
            "form",
            "Een gehouden of geannuleerde vergadering wordt niet meer overgeslagen.",
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() > MAX_TEXT {
        return Ok(Outcome::refused(
            "overslaan_reden",
            "De reden mag hoogstens 500 tekens lang zijn.",
        ));
    }
    let reason = if reason.is_empty() {
        "Deze datum van de reeks is overgeslagen.".to_string()
    } else {
        format!("Overgeslagen: {reason}")
    };
    // The series first, then the meeting: the order a change of the
    // series takes, so that the two never wait on each other.
    sqlx::query("SELECT 1 FROM meeting_series WHERE id = $1 FOR UPDATE")
        .bind(of.series_id)
        .execute(&mut *conn)
        .await?;
    let cancelled = queries::set_status(
        &mut *conn,
        actor,
        meeting,
        seen_version,
        MeetingStatus::Cancelled,
        &reason,
    )
    .await?;
    if !matches!(cancelled, Outcome::Done(())) {
        return Ok(cancelled);
    }
    sqlx::query(
        "UPDATE meeting_series SET exdates = array_append(exdates, $2), version = version + 1,
                modified_by = $3, modified_at = now()
         WHERE id = $1 AND NOT ($2 = ANY (exdates))",
    )
    .bind(of.series_id)
    .bind(of.series_date)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("skip_date", "meeting_series", of.series_id)
        .after(json!({ "date": dutch::iso_date(of.series_date), "meeting_id": meeting.id }))
        .write(&mut *conn, actor)
        .await?;
    if meeting.status == MeetingStatus::Convened {
        let after = queries::get(&mut *conn, meeting.id)
            .await?
            .ok_or(AppError::NotFound)?;
        convocation::write(conn, Some(actor), &after, Occasion::Cancelled, site).await?;
    }
    Ok(Outcome::Done(()))
}

// --- the pages ---

#[derive(Template)]
#[template(path = "meetings/series_list.html")]
struct ListPage {
    ctx: PageCtx,
    series: Vec<Listed>,
}

async fn list(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let series = list_all(&state.db).await?;
    Ok(page::render(&ListPage { ctx, series }))
}

/// One line of the preview: when, and what saving does on that date.
pub struct PreviewLine {
    pub when: String,
    pub what: &'static str,
    pub holiday: bool,
}

fn preview(steps: &[Step], current: &[SeriesMeeting], fields: &SeriesFields) -> Vec<PreviewLine> {
    let planned = |day: Date| {
        fields.times(day).map_or_else(String::new, |(s, e)| {
            let (s, e) = (dutch::brussels(s), dutch::brussels(e));
            format!(
                "{} {}, {} – {}",
                dutch::nl_weekday(day),
                dutch::nl_date(day),
                dutch::hhmm(s),
                dutch::hhmm(e)
            )
        })
    };
    let existing = |id: i64| {
        current
            .iter()
            .find(|m| m.id == id)
            .map_or_else(String::new, SeriesMeeting::when)
    };
    steps
        .iter()
        .map(|step| {
            let (when, what) = match step {
                Step::Create(day) => (planned(*day), "nieuw"),
                Step::Change { date, .. } => (planned(*date), "wordt aangepast"),
                Step::Same { date, .. } => (planned(*date), "blijft"),
                Step::Remove { id, .. } => (existing(*id), "vervalt"),
                Step::Keep { id, .. } => (
                    existing(*id),
                    "blijft zoals ze is (met de hand gewijzigd of bijeengeroepen)",
                ),
                Step::Past(day) => (planned(*day), "al voorbij: niet ingepland"),
            };
            PreviewLine {
                when,
                what,
                holiday: matches!(
                    step,
                    Step::Create(_) | Step::Change { .. } | Step::Same { .. }
                ) && working_days::is_holiday(step.date()),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "meetings/series_form.html")]
struct FormPage {
    ctx: PageCtx,
    series: Option<Series>,
    form: SeriesForm,
    errors: FieldErrors,
    choices: Vec<BodyKind>,
    preview: Option<Vec<PreviewLine>>,
}

impl FormPage {
    fn weekdays(&self) -> Vec<(&'static str, &'static str)> {
        WEEKDAYS
            .iter()
            .map(|w| (w.1, dutch::weekday_name(w.0)))
            .collect()
    }

    fn ordinals(&self) -> Vec<(String, &'static str)> {
        ORDINALS.iter().map(|o| (o.0.to_string(), o.1)).collect()
    }

    fn months(&self) -> Vec<(String, &'static str)> {
        (1..=12u8)
            .filter_map(|m| time::Month::try_from(m).ok())
            .map(|m| (u8::from(m).to_string(), dutch::nl_month(m)))
            .collect()
    }

    fn skips(&self, month: &str) -> bool {
        self.form.skip.iter().any(|s| s.trim() == month)
    }

    fn action(&self) -> String {
        match &self.series {
            Some(s) => format!("/beheer/reeksen/{}/wijzigen", s.id),
            None => "/beheer/reeksen".to_string(),
        }
    }
}

fn form_page(
    ctx: PageCtx,
    series: Option<Series>,
    form: SeriesForm,
    errors: FieldErrors,
    mut choices: Vec<BodyKind>,
    preview: Option<Vec<PreviewLine>>,
    status: StatusCode,
) -> Response {
    keep_body(&mut choices, series.as_ref().map(|s| s.body_id));
    let page = FormPage {
        ctx,
        series,
        form,
        errors,
        choices,
        preview,
    };
    (status, page::render(&page)).into_response()
}

async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let form = SeriesForm {
        pattern: "monthly".into(),
        every: "1".into(),
        start: "10:00".into(),
        end: "12:00".into(),
        ..SeriesForm::default()
    };
    let choices = queries::body_kinds(&state.db).await?;
    let none = FieldErrors::default();
    Ok(form_page(
        ctx,
        None,
        form,
        none,
        choices,
        None,
        StatusCode::OK,
    ))
}

async fn create(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = SeriesForm::from_fields(&fields);
    let choices = queries::body_kinds(&state.db).await?;
    let parsed = form.parse(&choices, &[], Some(dutch::today()));
    let now = OffsetDateTime::now_utc();
    if form.wants_preview() {
        return Ok(match parsed {
            Ok(fields) => {
                let lines = preview(&plan(&[], &fields, now), &[], &fields);
                let ok = StatusCode::OK;
                let none = FieldErrors::default();
                form_page(ctx, None, form, none, choices, Some(lines), ok)
            }
            Err(errors) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                form_page(ctx, None, form, errors, choices, None, status)
            }
        });
    }
    let outcome = write::run_form(&state.db, parsed, async |tx, fields| {
        create_series(tx, actor.id, &fields, now).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze reeks")) {
        Ok((id, made)) => Ok(Redirect::to(&format!(
            "/beheer/reeksen/{id}?melding=aangemaakt&aantal={made}"
        ))
        .into_response()),
        Err((status, errors)) => Ok(form_page(ctx, None, form, errors, choices, None, status)),
    }
}

#[derive(Template)]
#[template(path = "meetings/series.html")]
struct ShowPage {
    ctx: PageCtx,
    series: Series,
    meetings: Vec<SeriesMeeting>,
    notice: Option<String>,
}

impl ShowPage {
    /// How a meeting stands to its series, in words.
    fn standing(&self, m: &SeriesMeeting) -> &'static str {
        match m.status {
            MeetingStatus::Cancelled if self.series.exdates.contains(&m.series_date) => {
                "datum overgeslagen"
            }
            MeetingStatus::Cancelled if m.cancel_reason.as_deref() == Some(DROPPED) => {
                "vervallen door een wijziging van de reeks"
            }
            MeetingStatus::Cancelled => "geannuleerd",
            _ if m.changed_by_hand => "met de hand gewijzigd",
            MeetingStatus::Planned => "volgt de reeks",
            _ => "volgt de reeks niet meer",
        }
    }
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    melding: Option<String>,
    aantal: Option<String>,
    gewijzigd: Option<String>,
    vervallen: Option<String>,
}

fn notice(q: &NoticeQuery) -> Option<String> {
    let n = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<u32>().ok());
    let meetings = |n: u32| match n {
        1 => "1 vergadering".to_string(),
        n => format!("{n} vergaderingen"),
    };
    match q.melding.as_deref()? {
        "aangemaakt" => Some(format!(
            "De reeks is ingepland: {} gepland.",
            meetings(n(&q.aantal)?)
        )),
        "gewijzigd" => Some(format!(
            "De reeks is gewijzigd: {} nieuw, {} aangepast, {} vervallen.",
            n(&q.aantal)?,
            n(&q.gewijzigd)?,
            n(&q.vervallen)?
        )),
        _ => None,
    }
}

async fn show(on: On<Series>, Query(q): Query<NoticeQuery>) -> Result<Response> {
    let meetings = meetings(&on.state.db, on.record.id).await?;
    Ok(page::render(&ShowPage {
        ctx: on.ctx,
        series: on.record,
        meetings,
        notice: notice(&q),
    }))
}

async fn edit_form(on: On<Series>) -> Result<Response> {
    let form = SeriesForm::from_series(&on.record);
    let choices = queries::body_kinds(&on.state.db).await?;
    let none = FieldErrors::default();
    let ok = StatusCode::OK;
    Ok(form_page(
        on.ctx,
        Some(on.record),
        form,
        none,
        choices,
        None,
        ok,
    ))
}

async fn update(on: On<Series>, Form(fields): Form<Vec<(String, String)>>) -> Result<Response> {
    let form = SeriesForm::from_fields(&fields);
    let mut choices = queries::body_kinds(&on.state.db).await?;
    let series = &on.record;
    choices.retain(|c| c.body_id == series.body_id);
    let parsed = form.parse(&choices, &series.exdates, None);
    let now = OffsetDateTime::now_utc();
    if form.wants_preview() {
        let (status, errors, lines) = match parsed {
            Ok(fields) => {
                let current = meetings(&on.state.db, series.id).await?;
                let lines = preview(&plan(&current, &fields, now), &current, &fields);
                (StatusCode::OK, FieldErrors::default(), Some(lines))
            }
            Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        };
        return Ok(form_page(
            on.ctx,
            Some(on.record),
            form,
            errors,
            choices,
            lines,
            status,
        ));
    }
    let actor = on.actor.id;
    let outcome = write::run_form(&on.state.db, parsed, async |tx, fields| {
        update_series(tx, actor, series, form.version.0, &fields, now).await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze reeks")) {
        Ok(done) => Ok(Redirect::to(&format!(
            "/beheer/reeksen/{}?melding=gewijzigd&aantal={}&gewijzigd={}&vervallen={}",
            series.id, done.created, done.changed, done.removed
        ))
        .into_response()),
        Err((status, errors)) => {
            let series = Some(on.record);
            Ok(form_page(
                on.ctx, series, form, errors, choices, None, status,
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SkipForm {
    #[serde(default)]
    overslaan_reden: String,
    #[serde(default)]
    version: Version,
}

/// "Sla deze datum over", on the meeting page.
async fn skip(on: OnMeeting, Form(form): Form<SkipForm>) -> Result<Response> {
    let site = Site::of(&on.ctx, &on.state.config);
    let (actor, meeting) = (on.actor.id, &on.record);
    let outcome = write::run(&on.state.db, async |tx| {
        skip_date(
            tx,
            actor,
            meeting,
            form.version.0,
            &form.overslaan_reden,
            &site,
        )
        .await
    })
    .await?;
    match outcome.settle(write::stale_errors("deze vergadering")) {
        Ok(()) => Ok(Redirect::to(&format!(
            "/vergaderingen/{}?melding=overgeslagen",
            meeting.id
        ))
        .into_response()),
        Err((status, errors)) => {
            let input = PageInput {
                errors,
                skip_reason: Some(form.overslaan_reden.clone()),
                ..PageInput::default()
            };
            render_meeting(&on.state, on.ctx, meeting.id, status, input).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn second_tuesday_without_summer() -> Rule {
        Rule {
            pattern: Pattern::Monthly {
                nth: 2,
                weekday: Weekday::Tuesday,
            },
            skip_months: vec![7, 8],
        }
    }

    #[test]
    fn the_second_tuesday_from_september_to_june_leaves_out_july_and_august() {
        let rule = second_tuesday_without_summer();
        let days = between(&rule, date!(2026 - 09 - 01), date!(2027 - 09 - 30));
        assert_eq!(days.first(), Some(&date!(2026 - 09 - 08)));
        assert_eq!(days.len(), 11, "{days:?}");
        assert!(days.iter().all(|d| d.weekday() == Weekday::Tuesday));
        assert!(days.iter().all(|d| (8..=14).contains(&d.day())));
        assert!(!days.iter().any(|d| matches!(u8::from(d.month()), 7 | 8)));
        assert!(days.contains(&date!(2027 - 09 - 14)));
    }

    #[test]
    fn skipped_dates_and_the_last_date_bound_the_rule() {
        let rule = second_tuesday_without_summer();
        let skipped = [date!(2026 - 10 - 13)];
        let days = dates(
            &rule,
            date!(2026 - 09 - 01),
            date!(2026 - 11 - 10),
            &skipped,
        )
        .expect("the rule gives dates");
        assert_eq!(days, vec![date!(2026 - 09 - 08), date!(2026 - 11 - 10)]);
    }

    /// A rule of `pattern` in every month.
    fn all_year(pattern: Pattern) -> Rule {
        Rule {
            pattern,
            skip_months: Vec::new(),
        }
    }

    /// The dates `rule` gives from `first` to `last`, none skipped.
    fn between(rule: &Rule, first: Date, last: Date) -> Vec<Date> {
        dates(rule, first, last, &[]).expect("the rule gives dates")
    }

    #[test]
    fn every_other_week_and_the_last_weekday_of_the_month() {
        let fortnightly = all_year(Pattern::Weekly {
            every: 2,
            weekday: Weekday::Thursday,
        });
        assert_eq!(
            between(&fortnightly, date!(2026 - 10 - 19), date!(2026 - 11 - 30)),
            vec![
                date!(2026 - 10 - 22),
                date!(2026 - 11 - 05),
                date!(2026 - 11 - 19)
            ]
        );
        let last_friday = all_year(Pattern::Monthly {
            nth: -1,
            weekday: Weekday::Friday,
        });
        assert_eq!(
            between(&last_friday, date!(2027 - 01 - 01), date!(2027 - 03 - 31)),
            vec![
                date!(2027 - 01 - 29),
                date!(2027 - 02 - 26),
                date!(2027 - 03 - 26)
            ]
        );
    }

    #[test]
    fn a_weekly_rule_stops_after_one_more_than_the_limit() {
        let weekly = all_year(Pattern::Weekly {
            every: 1,
            weekday: Weekday::Monday,
        });
        let days = between(&weekly, date!(2027 - 01 - 01), date!(2099 - 12 - 31));
        assert_eq!(days.len(), MAX_MEETINGS + 1);
    }

    #[test]
    fn the_stored_rule_reads_back_and_says_itself_in_dutch() {
        let rule = second_tuesday_without_summer();
        let until = dutch::from_brussels(date!(2027 - 06 - 30), time::macros::time!(23:59))
            .expect("a time that exists");
        let text = rule.rrule(until);
        assert_eq!(
            text,
            "FREQ=MONTHLY;UNTIL=20270630T215900Z;BYMONTH=1,2,3,4,5,6,9,10,11,12;BYDAY=2TU"
        );
        assert_eq!(Rule::parse(&text), Some(rule.clone()));
        assert_eq!(
            rule.describe(),
            "elke tweede dinsdag van de maand, behalve in juli en augustus"
        );
        let weekly = Rule {
            pattern: Pattern::Weekly {
                every: 3,
                weekday: Weekday::Friday,
            },
            skip_months: vec![8],
        };
        let text = weekly.rrule(until);
        assert_eq!(Rule::parse(&text), Some(weekly.clone()));
        assert_eq!(
            weekly.describe(),
            "om de 3 weken op vrijdag, behalve in augustus"
        );
    }
}
