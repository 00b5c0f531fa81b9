// SPDX-License-Identifier: GPL-2.0

//! A calendar date and time of day, in the proleptic Gregorian calendar, UTC.

/// A date and time with every field in range: the day exists in its month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// The year, for example 2026.
    pub year: u32,
    /// 1 (January) to 12.
    pub month: u8,
    /// 1 to the month's last day.
    pub day: u8,
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
    /// 0 to 59.
    pub second: u8,
}

impl DateTime {
    /// Makes a date and time, or returns `None` if a field is out of range.
    pub const fn new(year: u32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        if month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(Self { year, month, day, hour, minute, second })
    }

    /// The day of the week, 0 (Sunday) to 6.
    pub const fn weekday(&self) -> u8 {
        // Days since 1970-01-01, a Thursday.
        ((days_from_civil(self.year, self.month, self.day) + 4).rem_euclid(7)) as u8
    }

    /// Seconds since 1970-01-01 00:00:00.
    pub const fn to_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
    }
}

/// Whether `year` is a leap year.
pub const fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// The number of days in `month` (1 to 12) of `year`; 0 for a month out of range.
pub const fn days_in_month(year: u32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to `year-month-day` (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(year: u32, month: u8, day: u8) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}
