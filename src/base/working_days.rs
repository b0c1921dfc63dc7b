//! Working days as the Flemish administration counts them: Monday to
//! Friday, without the Belgian public holidays and the Flemish
//! Community's holiday (11 July). Reminders go out a number of working
//! days before a meeting.

use time::{Date, Duration, Month, Weekday};

/// Easter Sunday of `year` (the Gregorian computus, Meeus/Jones/Butcher).
fn easter(year: i32) -> Option<Date> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// New Year, Easter Monday, Labour Day, Ascension, Whit Monday, 11 July
/// (Flemish Community), 21 July, 15 August, 1 and 11 November, Christmas.
pub fn is_holiday(d: Date) -> bool {
    let fixed = [
        (Month::January, 1),
        (Month::May, 1),
        (Month::July, 11),
        (Month::July, 21),
        (Month::August, 15),
        (Month::November, 1),
        (Month::November, 11),
        (Month::December, 25),
    ];
    if fixed.contains(&(d.month(), d.day())) {
        return true;
    }
    easter(d.year()).is_some_and(|e| [1, 39, 50].contains(&(d - e).whole_days()))
}

pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(d)
}

/// The working day `n` working days before `day` (`n` = 0: `day` itself).
pub fn before(day: Date, n: u32) -> Date {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d -= Duration::days(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn easter_and_the_holidays_that_follow_it() {
        assert_eq!(easter(2026), Some(date!(2026 - 04 - 05)));
        assert_eq!(easter(2027), Some(date!(2027 - 03 - 28)));
        assert!(is_holiday(date!(2026 - 04 - 06))); // Easter Monday
        assert!(is_holiday(date!(2026 - 05 - 14))); // Ascension
        assert!(is_holiday(date!(2026 - 05 - 25))); // Whit Monday
        assert!(is_holiday(date!(2026 - 07 - 11)));
        assert!(!is_holiday(date!(2026 - 04 - 07)));
    }

    #[test]
    fn counting_back_skips_weekends_and_holidays() {
        // Thursday 10 December 2026, three working days before: Monday 7.
        assert_eq!(before(date!(2026 - 12 - 10), 3), date!(2026 - 12 - 07));
        // Tuesday 8 December: Thursday 3 (the weekend is skipped).
        assert_eq!(before(date!(2026 - 12 - 08), 3), date!(2026 - 12 - 03));
        // Tuesday 26 May 2026, one before: Friday 22 (Whit Monday 25 is off).
        assert_eq!(before(date!(2026 - 05 - 26), 1), date!(2026 - 05 - 22));
        assert_eq!(before(date!(2026 - 05 - 26), 0), date!(2026 - 05 - 26));
    }
}
