//! Exercise time on the calendar: the scenario's `starts` (`2025-03-17 09:00 MSK`) plus exercise
//! time gives the date and time a director reads (`18 Mar 2025 14:20 MSK`), and exercise time alone
//! reads as the exercise's own day and hour (`day 2, 05:20`).
//!
//! The zone is a label: times are shown in the zone the scenario is written in, so no offset or
//! daylight-saving rule is needed.

use std::fmt;
use std::time::Duration;

use words::{Arg, Lang};

/// The start of an exercise on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Days since 1970-01-01 of the start date.
    day: i64,
    /// Minutes after midnight of the start.
    minute: u32,
    /// The zone label, e.g. `MSK`; may be empty.
    zone: String,
}

impl Calendar {
    /// Parses `YYYY-MM-DD HH:MM` followed by an optional zone label.
    pub fn parse(text: &str) -> Result<Calendar, String> {
        let bad = || format!("`{text}` is not a start like `2025-03-17 09:00 MSK` (date, 24-hour time, zone)");
        let mut parts = text.split_whitespace();
        let (date, time) = (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
        let zone = parts.collect::<Vec<_>>().join(" ");
        let number = |s: &str, digits: usize| -> Result<u32, String> {
            if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        let mut ymd = date.split('-');
        let (y, m, d) = (ymd.next().ok_or_else(bad)?, ymd.next().ok_or_else(bad)?, ymd.next().ok_or_else(bad)?);
        let (year, month, day) = (number(y, 4)?, number(m, 2)?, number(d, 2)?);
        let (h, min) = time.split_once(':').ok_or_else(bad)?;
        let (hour, minute) = (number(h, 2)?, number(min, 2)?);
        if ymd.next().is_some() || !(1..=12).contains(&month) || hour > 23 || minute > 59 {
            return Err(bad());
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return Err(format!("`{text}`: {date} is not a date"));
        }
        Ok(Calendar { day: days_from_civil(i64::from(year), month, day), minute: hour * 60 + minute, zone })
    }

    /// The calendar date and time `after` the start, e.g. `18 Mar 2025 14:20 MSK`.
    pub fn at(&self, after: Duration) -> String {
        self.at_in(Lang::default(), after)
    }

    /// The calendar date and time `after` the start as `lang` writes it (`18 марта 2025 г., 14:20 (МСК)`).
    pub fn at_in(&self, lang: Lang, after: Duration) -> String {
        let minutes = i64::from(self.minute) + i64::try_from(after.as_secs() / 60).unwrap_or(i64::MAX / 2);
        let (year, month, day) = civil_from_days(self.day + minutes.div_euclid(1440));
        let of_day = minutes.rem_euclid(1440);
        let (hour, minute) = ((of_day / 60) as u32, (of_day % 60) as u32);
        words::date(lang, &words::Moment { year, month, day, hour, minute, zone: &self.zone })
    }
}

impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.at(Duration::ZERO))
    }
}

/// Exercise time `after` the start as people read it everywhere Muster shows it: on the calendar
/// with the exercise's day and hour (`18 Mar 2025 14:20 MSK (day 2, 05:20)`), or the day and hour
/// alone when there is no calendar.
pub fn when(calendar: Option<&Calendar>, after: Duration) -> String {
    when_in(Lang::default(), calendar, after)
}

/// [`when`], as `lang` writes it.
pub fn when_in(lang: Lang, calendar: Option<&Calendar>, after: Duration) -> String {
    let day = day_clock_in(lang, after);
    match calendar {
        Some(calendar) => format!("{} ({day})", calendar.at_in(lang, after)),
        None => day,
    }
}

/// Exercise time as the exercise's day and hour: `day 1, 00:00` at the start.
pub fn day_clock(after: Duration) -> String {
    day_clock_in(Lang::default(), after)
}

/// [`day_clock`], as `lang` writes it (`день 1, 00:00`).
pub fn day_clock_in(lang: Lang, after: Duration) -> String {
    let minutes = after.as_secs() / 60;
    let time = format!("{:02}:{:02}", (minutes % 1440) / 60, minutes % 60);
    words::say_with(lang, "day-clock", &[("day", Arg::from(minutes / 1440 + 1)), ("time", Arg::from(time))])
}

/// A span of exercise time for people: `2 d 5 h`, `3 h 20 min`, `45 min`, `20 s`.
pub fn span(d: Duration) -> String {
    span_in(Lang::default(), d)
}

/// [`span`], as `lang` writes it (`2 сут 5 ч`).
pub fn span_in(lang: Lang, d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let unit = |id: &str, n: u64| words::say_with(lang, id, &[("n", Arg::from(n))]);
    match (days, hours, minutes) {
        (0, 0, 0) => words::say_with(lang, "span-seconds", &[("n", Arg::from(s))]),
        (0, 0, m) => words::say_with(lang, "span-minutes", &[("n", Arg::from(m))]),
        (0, h, 0) => words::say_with(lang, "span-hours", &[("n", Arg::from(h))]),
        (0, h, m) => format!("{} {}", unit("span-hours", h), unit("span-minutes", m)),
        (d, 0, _) => words::say_with(lang, "span-days", &[("n", Arg::from(d))]),
        (d, h, _) => format!("{} {}", unit("span-days", d), unit("span-hours", h)),
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms (public domain), proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600;

    #[test]
    fn exercise_time_reads_on_the_scenarios_calendar() {
        let start = Calendar::parse("2025-03-17 09:00 MSK").expect("valid start");
        assert_eq!(start.at(Duration::ZERO), "17 Mar 2025 09:00 MSK");
        assert_eq!(start.at(Duration::from_secs(29 * HOUR + 20 * 60)), "18 Mar 2025 14:20 MSK");
        assert_eq!(start.at(Duration::from_secs(15 * HOUR)), "18 Mar 2025 00:00 MSK");
        // Across a month and a leap day.
        let late = Calendar::parse("2024-02-28 23:30 UTC").expect("valid start");
        assert_eq!(late.at(Duration::from_secs(HOUR)), "29 Feb 2024 00:30 UTC");
        assert_eq!(late.at(Duration::from_secs(25 * HOUR)), "1 Mar 2024 00:30 UTC");
        let new_year = Calendar::parse("1999-12-31 12:00").expect("a start without zone");
        assert_eq!(new_year.at(Duration::from_secs(12 * HOUR)), "1 Jan 2000 00:00");
    }

    #[test]
    fn exercise_time_reads_as_the_exercises_day_and_hour() {
        assert_eq!(day_clock(Duration::ZERO), "day 1, 00:00");
        assert_eq!(day_clock(Duration::from_secs(29 * HOUR + 20 * 60)), "day 2, 05:20");
        assert_eq!(day_clock(Duration::from_secs(3 * 24 * HOUR + 59)), "day 4, 00:00");
    }

    #[test]
    fn exercise_time_reads_in_russian_as_russians_write_it() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let start = Calendar::parse("2025-03-17 09:00 MSK").expect("valid start");
        assert_eq!(
            when_in(ru, Some(&start), Duration::from_secs(29 * HOUR + 20 * 60)),
            "18 марта 2025 г., 14:20 (МСК) (день 2, 05:20)"
        );
        assert_eq!(span_in(ru, Duration::from_secs(53 * HOUR)), "2 сут 5 ч");
        assert_eq!(span_in(ru, Duration::from_secs(3 * HOUR + 20 * 60)), "3 ч 20 мин");
    }

    #[test]
    fn spans_read_in_the_largest_units() {
        assert_eq!(span(Duration::from_secs(20)), "20 s");
        assert_eq!(span(Duration::from_secs(45 * 60)), "45 min");
        assert_eq!(span(Duration::from_secs(3 * HOUR + 20 * 60)), "3 h 20 min");
        assert_eq!(span(Duration::from_secs(53 * HOUR)), "2 d 5 h");
    }

    #[test]
    fn a_start_that_is_not_a_date_is_refused_with_the_text() {
        for bad in ["2025-02-30 09:00", "2025-13-01 09:00", "17 March 2025", "2025-03-17", "2025-03-17 24:00", ""] {
            let error = Calendar::parse(bad).expect_err(bad);
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }
}
