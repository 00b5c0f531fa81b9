// SPDX-License-Identifier: GPL-2.0

//! The seven time registers, decoded and encoded.
//!
//! The driver writes the 24-hour mode, a clear clock-halt bit and the day of the week (1 for
//! Sunday, as rtc-ds1307 does, so the two drivers can share a chip). It reads both hour modes, in
//! case another system set the 12-hour one, and ignores the day of the week, which the RTC class
//! computes from the date.

use crate::{bcd, chip::Chip, date::DateTime, regs};

/// Why the time registers hold no valid time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// The clock-halt bit is set: the oscillator is stopped.
    ClockHalted,
    /// A register holds a value no time has, or a day its month lacks: `reg` is its address.
    Register { reg: u8, value: u8 },
}

/// Decodes the time registers `r` of `chip`.
pub fn decode(chip: Chip, r: &[u8; regs::TIME_LEN]) -> Result<DateTime, Invalid> {
    if chip.has_clock_halt() && r[regs::SECONDS] & regs::SECONDS_CH != 0 {
        return Err(Invalid::ClockHalted);
    }
    let field = |i: usize, mask: u8, max: u8| {
        bcd::decode(r[i] & mask, max).ok_or(Invalid::Register { reg: regs::TIME + i as u8, value: r[i] })
    };
    let second = field(regs::SECONDS, 0x7f, 59)?;
    let minute = field(regs::MINUTES, 0x7f, 59)?;
    let hours = r[regs::HOURS];
    let hour = if hours & regs::HOURS_12H != 0 {
        // 1 to 12, with 12 AM the midnight hour.
        let h = field(regs::HOURS, 0x1f, 12)?;
        if h == 0 {
            return Err(Invalid::Register { reg: regs::TIME + regs::HOURS as u8, value: hours });
        }
        h % 12 + if hours & regs::HOURS_PM != 0 { 12 } else { 0 }
    } else {
        field(regs::HOURS, 0x3f, 23)?
    };
    let day = field(regs::DATE, 0x3f, 31)?;
    let month = field(regs::MONTH, 0x1f, 12)?;
    let mut year = Chip::FIRST_YEAR + field(regs::YEAR, 0xff, 99)? as u32;
    if chip.is_ds3231() && r[regs::MONTH] & regs::MONTH_CENTURY != 0 {
        year += 100;
    }
    DateTime::new(year, month, day, hour, minute, second)
        .ok_or(Invalid::Register { reg: regs::TIME + regs::DATE as u8, value: r[regs::DATE] })
}

/// Encodes `t` for `chip`, or returns `None` if its year is outside the chip's range.
pub fn encode(chip: Chip, t: &DateTime) -> Option<[u8; regs::TIME_LEN]> {
    if t.year < Chip::FIRST_YEAR || t.year > chip.last_year() {
        return None;
    }
    let years = t.year - Chip::FIRST_YEAR;
    let mut month = bcd::encode(t.month);
    if years >= 100 {
        month |= regs::MONTH_CENTURY;
    }
    Some([
        bcd::encode(t.second),
        bcd::encode(t.minute),
        bcd::encode(t.hour),
        t.weekday() + 1,
        bcd::encode(t.day),
        month,
        bcd::encode((years % 100) as u8),
    ])
}
