//! Dutch dates, numbers and Brussels time: for pages, forms and queries
//! alike (nothing here knows a page).

use std::fmt;
use std::sync::LazyLock;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// A decimal as Dutch writes it: "120000" → "120.000", "80.5" → "80,5".
pub fn nl_number(value: &str) -> String {
    NlNumber(value).to_string()
}

/// A decimal as Dutch writes it ([`nl_number`]), written straight into a
/// page: the agreement page shows a value per measurement, and a `String`
/// for each was a twentieth of the page read back cold. The text of a
/// PostgreSQL numeric holds only digits, a point and a minus (or `NaN`):
/// a page writes it unescaped (`base::page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlNumber<'a>(pub &'a str);

impl NlNumber<'_> {
    pub fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        let value = self.0;
        let (int, frac) = value.split_once('.').unwrap_or((value, ""));
        let frac = frac.trim_end_matches('0');
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        w.write_str(sign)?;
        if !digits.is_ascii() {
            // Not a numeric's text: as it is, not cut between characters.
            w.write_str(digits)?;
        } else {
            // Groups of three from the right: the first one shorter.
            let first = match digits.len() % 3 {
                0 => digits.len().min(3),
                n => n,
            };
            w.write_str(&digits[..first])?;
            // What follows the first group is whole groups of three.
            for at in (first..digits.len()).step_by(3) {
                w.write_char('.')?;
                w.write_str(&digits[at..at + 3])?;
            }
        }
        if !frac.is_empty() {
            w.write_char(',')?;
            w.write_str(frac)?;
        }
        Ok(())
    }
}

impl fmt::Display for NlNumber<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// Parses a number as people in Flanders type it: "120.000", "120 000",
/// "80", "80,5", "-3,25". The comma is the decimal sign; dots may only group
/// thousands. Returns the canonical decimal text ("120000", "80.5") that
/// PostgreSQL casts to numeric, or `None` when it is not such a number.
pub fn parse_nl_number(s: &str) -> Option<String> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (sign, rest) = match cleaned.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", cleaned.as_str()),
    };
    let (int, frac) = match rest.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let int_digits: String = if int.contains('.') {
        let mut groups = int.split('.');
        let first = groups.next()?;
        if !digits(first) || first.len() > 3 {
            return None;
        }
        let mut all = first.to_string();
        for g in groups {
            if !digits(g) || g.len() != 3 {
                return None;
            }
            all.push_str(g);
        }
        all
    } else if digits(int) {
        int.to_string()
    } else {
        return None;
    };
    if int_digits.len() > 15 {
        return None;
    }
    let int_digits = int_digits.trim_start_matches('0');
    let int_digits = if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    };
    match frac {
        Some(f) if !digits(f) || f.len() > 6 => None,
        Some(f) => Some(format!("{sign}{int_digits}.{f}")),
        None => Some(format!("{sign}{int_digits}")),
    }
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "2 oktober 2019"
pub fn nl_date(d: Date) -> String {
    let mut s = String::with_capacity(20);
    push_nl_date(&mut s, d);
    s
}

/// "maandag 2 oktober 2019"
pub fn nl_day(d: Date) -> String {
    let mut s = String::with_capacity(28);
    s.push_str(nl_weekday(d));
    s.push(' ');
    push_nl_date(&mut s, d);
    s
}

/// Appends "2 oktober 2019" to `s`. Pages show hundreds of dates (a
/// register, a review queue): written into one buffer, without `format!`
/// and a string per part, a date costs a fifth of what it did (callgrind,
/// docs/performance.md).
pub fn push_nl_date(s: &mut String, d: Date) {
    // A `String` is a `fmt::Write` that never fails.
    let _ = NlDate(d).write_to(s);
}

/// Appends `n` in decimal, with leading zeros up to `width` digits.
pub fn push_int(s: &mut String, n: i64, width: usize) {
    // A `String` is a `fmt::Write` that never fails.
    let _ = write_int(s, n, width);
}

/// Writes `n` in decimal, with leading zeros up to `width` digits.
pub fn write_int(w: &mut (impl fmt::Write + ?Sized), n: i64, width: usize) -> fmt::Result {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n.unsigned_abs());
    if n < 0 {
        w.write_char('-')?;
    }
    for _ in digits.len()..width {
        w.write_char('0')?;
    }
    w.write_str(digits)
}

/// A date as Dutch writes it, "2 oktober 2019", written straight into the
/// page: the agreement page shows a hundred dates of follow-up, and a
/// `String` for each ([`nl_date`]) was a tenth of its rendering (callgrind,
/// docs/performance.md). Only digits, spaces and month names: a page
/// writes it unescaped (`base::page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlDate(pub Date);

impl NlDate {
    pub fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        let (year, month, day) = self.0.to_calendar_date();
        write_int(w, i64::from(day), 1)?;
        w.write_char(' ')?;
        w.write_str(nl_month(month))?;
        w.write_char(' ')?;
        write_int(w, i64::from(year), 1)
    }
}

impl fmt::Display for NlDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// A period as the pages say it: "1 januari 2020 – 31 december 2024",
/// "sinds …", "tot …". Written straight into a page like [`NlDate`] (the
/// composition editor shows a hundred), and as safe unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl Period {
    pub fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        match (self.from, self.until) {
            (Some(f), Some(u)) => {
                NlDate(f).write_to(w)?;
                w.write_str(" – ")?;
                NlDate(u).write_to(w)
            }
            (Some(f), None) => {
                w.write_str("sinds ")?;
                NlDate(f).write_to(w)
            }
            (None, Some(u)) => {
                w.write_str("tot ")?;
                NlDate(u).write_to(w)
            }
            (None, None) => w.write_str("periode niet vermeld"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// A date as a date field and a chart's axis write it, "2019-10-02": only
/// digits and dashes, written unescaped like [`NlDate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDate(pub Date);

impl IsoDate {
    pub fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        let (year, month, day) = self.0.to_calendar_date();
        write_int(w, i64::from(year), 4)?;
        w.write_char('-')?;
        write_int(w, i64::from(u8::from(month)), 2)?;
        w.write_char('-')?;
        write_int(w, i64::from(day), 2)
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// "2019-10-02", the value of a date field.
pub fn iso_date(d: Date) -> String {
    let mut s = String::with_capacity(10);
    // A `String` is a `fmt::Write` that never fails.
    let _ = IsoDate(d).write_to(&mut s);
    s
}

/// Parses a date field (YYYY-MM-DD) as a browser's date input sends it.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

static BRUSSELS: LazyLock<jiff::tz::TimeZone> =
    LazyLock::new(|| jiff::tz::TimeZone::get("Europe/Brussels").unwrap_or(jiff::tz::TimeZone::UTC));

// Dates inside JSON that PostgreSQL built (`json_agg`): "YYYY-MM-DD".
time::serde::format_description!(pub json_date, Date, "[year]-[month]-[day]");

/// A moment as JSON and the PDFs read it (RFC 3339), and as the read
/// models keep it (src/cache/stored.rs): formats that are not for people
/// (postcard) get the Unix time in nanoseconds and the offset, read back
/// without parsing text (parsing was a tenth of decoding a model).
pub mod moment {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::{OffsetDateTime, UtcOffset};

    pub fn serialize<S: Serializer>(v: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            time::serde::rfc3339::serialize(v, s)
        } else {
            (v.unix_timestamp_nanos(), v.offset().whole_seconds()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        if d.is_human_readable() {
            return time::serde::rfc3339::deserialize(d);
        }
        let (nanos, offset) = <(i128, i32)>::deserialize(d)?;
        let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(D::Error::custom)?;
        let offset = UtcOffset::from_whole_seconds(offset).map_err(D::Error::custom)?;
        Ok(at.to_offset(offset))
    }
}

/// [`moment`], or none. time's own `rfc3339::option` reads a present value
/// with `deserialize_any`, which postcard cannot.
pub mod moment_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;

    #[derive(Serialize, Deserialize)]
    struct At(#[serde(with = "super::moment")] OffsetDateTime);

    pub fn serialize<S: Serializer>(v: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        v.map(At).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Ok(Option::<At>::deserialize(d)?.map(|At(at)| at))
    }
}

/// A day as JSON reads it ("2019-10-02", [`json_date`]), and as the read
/// models keep it: time's compact form for formats not for people.
pub mod day {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(v: &Date, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            super::json_date::serialize(v, s)
        } else {
            v.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        if d.is_human_readable() {
            super::json_date::deserialize(d)
        } else {
            Date::deserialize(d)
        }
    }
}

/// Today in Belgium.
pub fn today() -> Date {
    brussels(OffsetDateTime::now_utc()).date()
}

/// A moment as read on a clock in Brussels.
pub fn brussels(t: OffsetDateTime) -> OffsetDateTime {
    let offset = jiff::Timestamp::from_second(t.unix_timestamp())
        .map(|ts| BRUSSELS.to_offset(ts).seconds())
        .unwrap_or(0);
    t.to_offset(UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC))
}

/// The moment a Brussels clock shows `date` `time`. `None` for the hour
/// that does not exist when summer time starts; in the hour that occurs
/// twice when it ends, the first one.
pub fn from_brussels(date: Date, time: Time) -> Option<OffsetDateTime> {
    let civil = jiff::civil::DateTime::new(
        i16::try_from(date.year()).ok()?,
        i8::try_from(u8::from(date.month())).ok()?,
        i8::try_from(date.day()).ok()?,
        i8::try_from(time.hour()).ok()?,
        i8::try_from(time.minute()).ok()?,
        0,
        0,
    )
    .ok()?;
    let offset = match BRUSSELS.to_ambiguous_timestamp(civil).offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { offset } => offset,
        jiff::tz::AmbiguousOffset::Fold { before, .. } => before,
        jiff::tz::AmbiguousOffset::Gap { .. } => return None,
    };
    let offset = UtcOffset::from_whole_seconds(offset.seconds()).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// "maandag 2 oktober 2019 om 14.30 uur"
pub fn nl_datetime(t: OffsetDateTime) -> String {
    let local = brussels(t);
    let mut s = String::with_capacity(40);
    s.push_str(nl_weekday(local.date()));
    s.push(' ');
    push_nl_date(&mut s, local.date());
    s.push_str(" om ");
    push_int(&mut s, i64::from(local.hour()), 1);
    s.push('.');
    push_int(&mut s, i64::from(local.minute()), 2);
    s.push_str(" uur");
    s
}

pub fn nl_weekday(d: Date) -> &'static str {
    weekday_name(d.weekday())
}

/// "maandag"
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAYS[usize::from(day.number_days_from_monday())]
}

pub fn nl_month(m: Month) -> &'static str {
    MONTHS[usize::from(u8::from(m)) - 1]
}

const WEEKDAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// Parses a time field (HH:MM) as a browser's time input sends it.
pub fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() > 2 || m.len() != 2 {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// When something is, from `start` to `end`, as the pages say it:
/// "dinsdag 3 maart 2020, 10:00 – 12:00", or from one day and hour to
/// another. Written straight into a page (a meeting's page says it three
/// times): only letters, digits, spaces, points, commas, colons and a
/// dash, so a page writes it unescaped (`base::page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl When {
    pub fn write_to(self, w: &mut (impl fmt::Write + ?Sized)) -> fmt::Result {
        let (start, end) = (brussels(self.start), brussels(self.end));
        if start.date() == end.date() {
            w.write_str(nl_weekday(start.date()))?;
            w.write_char(' ')?;
            NlDate(start.date()).write_to(w)?;
            w.write_str(", ")?;
            write_hhmm(w, start)?;
            w.write_str(" – ")?;
            write_hhmm(w, end)
        } else {
            w.write_str(&nl_datetime(self.start))?;
            w.write_str(" – ")?;
            w.write_str(&nl_datetime(self.end))
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

fn write_hhmm(w: &mut (impl fmt::Write + ?Sized), t: OffsetDateTime) -> fmt::Result {
    write_int(w, i64::from(t.hour()), 2)?;
    w.write_char(':')?;
    write_int(w, i64::from(t.minute()), 2)
}

/// "14:30", the value of a time field.
pub fn hhmm(t: OffsetDateTime) -> String {
    let mut s = String::with_capacity(5);
    // A `String` is a `fmt::Write` that never fails.
    let _ = write_hhmm(&mut s, t);
    s
}

/// A slug for an address: "Hélène D'Haese" → "helene-d-haese". Accents
/// dropped so URLs stay plain; at most about `max` characters; `empty` when
/// nothing of the text is left.
pub fn slug(text: &str, max: usize, empty: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= max {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { empty } else { slug }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    /// A meeting's time in Brussels: on one day, with its hours; over two
    /// days, each day and hour.
    #[test]
    fn when_says_the_day_and_hours_in_brussels() {
        let one_day = When {
            start: datetime!(2020-03-03 9:05 UTC),
            end: datetime!(2020-03-03 11:00 UTC),
        };
        assert_eq!(one_day.to_string(), "dinsdag 3 maart 2020, 10:05 – 12:00");
        let two_days = When {
            start: datetime!(2020-07-01 8:00 UTC),
            end: datetime!(2020-07-02 15:30 UTC),
        };
        assert_eq!(
            two_days.to_string(),
            "woensdag 1 juli 2020 om 10.00 uur – donderdag 2 juli 2020 om 17.30 uur"
        );
    }

    /// People's formats (JSON, the PDFs') read and write RFC 3339 as
    /// before; the read models' postcard keeps the same moment, offset
    /// included, and the same day.
    #[test]
    fn moments_and_days_keep_in_both_kinds_of_format() {
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Row {
            #[serde(with = "moment")]
            at: OffsetDateTime,
            #[serde(with = "moment_option")]
            maybe: Option<OffsetDateTime>,
            #[serde(with = "moment_option")]
            never: Option<OffsetDateTime>,
            #[serde(with = "day")]
            on: Date,
        }
        let row = Row {
            at: datetime!(2019-10-02 10:30:00.123456789 +02:00),
            maybe: Some(datetime!(2020-03-10 09:00 UTC)),
            never: None,
            on: date!(2019 - 10 - 02),
        };
        let json = serde_json::to_string(&row).expect("json");
        assert_eq!(
            json,
            r#"{"at":"2019-10-02T10:30:00.123456789+02:00","maybe":"2020-03-10T09:00:00Z","never":null,"on":"2019-10-02"}"#
        );
        assert_eq!(serde_json::from_str::<Row>(&json).expect("json"), row);
        let bytes = postcard::to_stdvec(&row).expect("postcard");
        let back: Row = postcard::from_bytes(&bytes).expect("postcard");
        assert_eq!(back, row);
        assert_eq!(back.at.offset(), row.at.offset());
    }

    #[test]
    fn dates_read_in_dutch() {
        assert_eq!(nl_date(date!(2019 - 10 - 02)), "2 oktober 2019");
        assert_eq!(nl_date(date!(0987 - 12 - 31)), "31 december 987");
        assert_eq!(nl_day(date!(2019 - 10 - 02)), "woensdag 2 oktober 2019");
        assert_eq!(iso_date(date!(2020 - 01 - 01)), "2020-01-01");
        assert_eq!(iso_date(date!(0987 - 11 - 30)), "0987-11-30");
        assert_eq!(NlDate(date!(2019 - 10 - 02)).to_string(), "2 oktober 2019");
        assert_eq!(IsoDate(date!(2019 - 10 - 02)).to_string(), "2019-10-02");
        assert_eq!(
            nl_datetime(datetime!(2026-07-01 07:05 UTC)),
            "woensdag 1 juli 2026 om 9.05 uur"
        );
        let mut s = String::new();
        push_int(&mut s, -42, 4);
        push_int(&mut s, 0, 1);
        assert_eq!(s, "-00420");
    }

    #[test]
    fn numbers_read_in_dutch() {
        assert_eq!(nl_number("120000"), "120.000");
        assert_eq!(nl_number("80"), "80");
        assert_eq!(nl_number("80.50"), "80,5");
        assert_eq!(nl_number("-1234567.0"), "-1.234.567");
        assert_eq!(nl_number("1234"), "1.234");
        assert_eq!(nl_number("123"), "123");
        assert_eq!(nl_number("0.5"), "0,5");
        assert_eq!(nl_number("12345678.125"), "12.345.678,125");
        assert_eq!(nl_number("NaN"), "NaN");
        assert_eq!(nl_number(""), "");
    }

    #[test]
    fn numbers_parse_as_typed_in_dutch() {
        for (typed, canonical) in [
            ("120000", "120000"),
            ("120.000", "120000"),
            ("120 000", "120000"),
            ("80", "80"),
            ("80,5", "80.5"),
            ("-3,25", "-3.25"),
            ("1.234.567,8", "1234567.8"),
            ("007", "7"),
        ] {
            assert_eq!(
                parse_nl_number(typed).as_deref(),
                Some(canonical),
                "{typed}"
            );
        }
        for bad in [
            "", "80.5", "1.23", "veel", "1,2,3", "12e3", "--1", ",5", "1.2345",
        ] {
            assert_eq!(parse_nl_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn date_fields_parse_strictly() {
        assert_eq!(parse_date("2020-01-01"), Some(date!(2020 - 01 - 01)));
        assert_eq!(parse_date(" 2024-02-29 "), Some(date!(2024 - 02 - 29)));
        for bad in [
            "",
            "2023-02-29",
            "2020-13-01",
            "20-01-01",
            "gisteren",
            "2020-01-01x",
            "99999-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn brussels_time_follows_summer_time() {
        assert_eq!(brussels(datetime!(2026-03-29 00:59 UTC)).hour(), 1);
        assert_eq!(brussels(datetime!(2026-03-29 01:00 UTC)).hour(), 3);
        assert_eq!(brussels(datetime!(2026-10-25 00:59 UTC)).hour(), 2);
        assert_eq!(brussels(datetime!(2026-10-25 01:00 UTC)).hour(), 2);
        assert_eq!(
            from_brussels(date!(2026 - 07 - 01), time!(14:00)),
            Some(datetime!(2026-07-01 12:00 UTC))
        );
        assert_eq!(
            from_brussels(date!(2026 - 12 - 01), time!(14:00)),
            Some(datetime!(2026-12-01 13:00 UTC))
        );
        // 02:30 does not exist on the last Sunday of March.
        assert_eq!(from_brussels(date!(2026 - 03 - 29), time!(02:30)), None);
        // 02:30 happens twice on the last Sunday of October: the first.
        assert_eq!(
            from_brussels(date!(2026 - 10 - 25), time!(02:30)),
            Some(datetime!(2026-10-25 00:30 UTC))
        );
    }

    #[test]
    fn time_fields_parse_strictly() {
        assert_eq!(parse_time("09:05"), Some(time!(09:05)));
        assert_eq!(parse_time("9:05"), Some(time!(09:05)));
        for bad in ["", "24:00", "12:60", "12", "12:5", "noon", "123:00"] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }
}
