// SPDX-License-Identifier: GPL-2.0

//! Pure logic of the maxim_rtc driver for Maxim's (formerly Dallas') I2C real-time clocks, the
//! DS1307, DS1338 and DS3231: the register map, BCD, the 12- and 24-hour modes, the DS3231's
//! century bit, the oscillator-stop flags, the range of years each chip holds, the DS3231's aging
//! offset and temperature, and the register sequences of each operation over an abstract bus,
//! with a fake register bank for tests.
//!
//! These files are compiled twice: here as a host crate (for `cargo test`), and into the kernel
//! module, whose crate root includes each file with `#[path]` under the same module name. They
//! therefore use only `core`, never `std`, `alloc` or the `kernel` crate, and never panic on any
//! input, whatever the chip returns.
#![no_std]

pub mod bcd;
pub mod chip;
pub mod clock;
pub mod date;
pub mod fake;
pub mod regs;
pub mod scenarios;
pub mod time;
