// SPDX-License-Identifier: GPL-2.0

//! The register map: every address and bit the driver uses, and nothing else.
//!
//! The three chips share the seven time registers at 0x00..=0x06, in BCD. What follows them
//! differs: the DS1307 and DS1338 have a control register at 0x07 and NVRAM up to 0x3f; the DS3231
//! has two alarms at 0x07..=0x0d, control at 0x0e, status at 0x0f, the aging offset at 0x10 and
//! the temperature at 0x11..=0x12.

/// The first time register, seconds; the driver reads and writes all seven in one block.
pub const TIME: u8 = 0x00;
/// The number of time registers.
pub const TIME_LEN: usize = 7;

/// Offsets into the time block.
pub const SECONDS: usize = 0;
pub const MINUTES: usize = 1;
pub const HOURS: usize = 2;
pub const WEEKDAY: usize = 3;
pub const DATE: usize = 4;
pub const MONTH: usize = 5;
pub const YEAR: usize = 6;

/// Seconds register, DS1307 and DS1338: clock halt. Set, the oscillator is stopped (the DS1307
/// powers up so when it lost its battery).
pub const SECONDS_CH: u8 = 0x80;
/// Hours register: 12-hour mode.
pub const HOURS_12H: u8 = 0x40;
/// Hours register in 12-hour mode: PM.
pub const HOURS_PM: u8 = 0x20;
/// Month register, DS3231: century, set when the year register wrapped from 99 to 00.
pub const MONTH_CENTURY: u8 = 0x80;

/// DS1338 control register.
pub const DS1338_CONTROL: u8 = 0x07;
/// DS1338 control register: oscillator stop flag, set when the oscillator stopped since it was
/// last cleared (at first power-up too).
pub const DS1338_CONTROL_OSF: u8 = 0x20;

/// DS3231 control register.
pub const DS3231_CONTROL: u8 = 0x0e;
/// DS3231 control register: "not enable oscillator". Set, the oscillator stops when the chip runs
/// on its battery.
pub const DS3231_CONTROL_EOSC_N: u8 = 0x80;
/// DS3231 status register.
pub const DS3231_STATUS: u8 = 0x0f;
/// DS3231 status register: oscillator stop flag.
pub const DS3231_STATUS_OSF: u8 = 0x80;
/// DS3231 aging offset, a two's-complement byte added to the crystal's load capacitance.
pub const DS3231_AGING: u8 = 0x10;
/// DS3231 temperature, most significant byte first: a 10-bit two's-complement value in quarters
/// of a degree Celsius, left-aligned in the two bytes.
pub const DS3231_TEMPERATURE: u8 = 0x11;
