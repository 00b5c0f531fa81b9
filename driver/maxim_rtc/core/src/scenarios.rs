// SPDX-License-Identifier: GPL-2.0

//! Behaviour scenarios of the register sequences against the fake chip.
//!
//! Each scenario returns `Err(Failure)` naming the first broken expectation instead of panicking,
//! so the same code runs as host tests (`cargo test`) and as KUnit cases inside the kernel module,
//! where a panic would be a kernel BUG. [`for_each_scenario!`](crate::for_each_scenario) is the one
//! list of their names, from which the host tests, the KUnit suite and [`ALL`] are generated.

use core::fmt;

use crate::chip::Chip;
use crate::clock::{self, Error};
use crate::date::DateTime;
use crate::fake::{FakeChip, BUS_ERROR};
use crate::regs;
use crate::time::Invalid;

/// Calls the macro `$callback` with the name of every scenario, comma-separated.
#[macro_export]
macro_rules! for_each_scenario {
    ($callback:ident) => {
        $callback! {
            a_set_time_reads_back_on_every_chip,
            the_24_hour_mode_and_sunday_as_1_are_written,
            the_12_hour_mode_is_read,
            the_ds3231_century_bit_counts_from_2100,
            years_out_of_range_leave_the_chip_unchanged,
            clock_halt_reads_as_stopped_until_set,
            ds1338_osf_reads_as_stopped_until_set,
            ds3231_osf_reads_as_stopped_until_set,
            an_interrupted_set_leaves_the_clock_invalid,
            registers_without_a_time_are_errors,
            bus_errors_pass_through,
            init_enables_the_ds3231_oscillator_on_battery,
            the_aging_offset_round_trips,
            the_temperature_is_decoded,
        }
    };
}

/// The first expectation a scenario found broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Source line of the failed check.
    pub line: u32,
    /// What was expected.
    pub expected: &'static str,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenarios.rs:{}: expected {}", self.line, self.expected)
    }
}

/// The outcome of one scenario.
pub type Outcome = Result<(), Failure>;

macro_rules! check {
    ($cond:expr, $expected:expr) => {
        if !$cond {
            return Err(Failure { line: line!(), expected: $expected });
        }
    };
}

macro_rules! scenario_table {
    ($($name:ident),* $(,)?) => {
        /// Every scenario, by name.
        pub const ALL: &[(&str, fn() -> Outcome)] = &[$((stringify!($name), $name)),*];
    };
}
for_each_scenario!(scenario_table);

fn at(year: u32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Result<DateTime, Failure> {
    DateTime::new(year, month, day, hour, minute, second)
        .ok_or(Failure { line: line!(), expected: "a valid date" })
}

/// A chip as it is after the time was set once: running, no stop flag.
fn running(chip: Chip, t: &DateTime) -> Result<FakeChip, Failure> {
    let fake = FakeChip::new();
    check!(clock::set_time(chip, &fake, t).is_ok(), "setting the time on a working bus");
    Ok(fake)
}

/// Setting a time and reading it back gives the same time, on every chip, across the range.
pub fn a_set_time_reads_back_on_every_chip() -> Outcome {
    for chip in Chip::ALL {
        for t in [
            at(2000, 1, 1, 0, 0, 0)?,
            at(2026, 12, 1, 21, 7, 59)?,
            at(2024, 2, 29, 23, 59, 59)?,
            at(2099, 12, 31, 23, 59, 59)?,
        ] {
            let fake = running(chip, &t)?;
            check!(clock::read_time(chip, &fake) == Ok(t), "the time read back equals the time set");
        }
    }
    Ok(())
}

/// The driver writes the 24-hour mode, a clear clock-halt bit and the weekday with Sunday as 1.
pub fn the_24_hour_mode_and_sunday_as_1_are_written() -> Outcome {
    // 2026-11-29 was a Sunday; 2026-12-01 a Tuesday.
    let fake = running(Chip::Ds1307, &at(2026, 11, 29, 23, 30, 0)?)?;
    check!(fake.get(regs::TIME + regs::HOURS as u8) == 0x23, "hours 0x23 in 24-hour BCD");
    check!(fake.get(regs::TIME + regs::WEEKDAY as u8) == 1, "Sunday written as 1");
    check!(fake.get(regs::TIME) & regs::SECONDS_CH == 0, "the clock-halt bit clear");
    let fake = running(Chip::Ds1307, &at(2026, 12, 1, 0, 0, 0)?)?;
    check!(fake.get(regs::TIME + regs::WEEKDAY as u8) == 3, "Tuesday written as 3");
    Ok(())
}

/// Hours another system wrote in the 12-hour mode read as the 24-hour hour.
pub fn the_12_hour_mode_is_read() -> Outcome {
    let fake = running(Chip::Ds1338, &at(2026, 12, 1, 0, 0, 0)?)?;
    let hours = regs::TIME + regs::HOURS as u8;
    for (reg, hour) in [(0x52u8, 0u8), (0x41, 1), (0x51, 11), (0x72, 12), (0x61, 13), (0x71, 23)] {
        fake.set(hours, reg);
        let t = clock::read_time(Chip::Ds1338, &fake);
        check!(t.map(|t| t.hour) == Ok(hour), "12-hour register values map to the 24-hour hour");
    }
    for bad in [0x40u8, 0x53, 0x60, 0x4a] {
        fake.set(hours, bad);
        check!(
            matches!(
                clock::read_time(Chip::Ds1338, &fake),
                Err(Error::Invalid(Invalid::Register { reg: 2, .. }))
            ),
            "12-hour values 0, 13 and non-BCD are invalid"
        );
    }
    Ok(())
}

/// The DS3231 holds 2100 to 2199 with its century bit; the others refuse them.
pub fn the_ds3231_century_bit_counts_from_2100() -> Outcome {
    let t = at(2150, 6, 15, 12, 0, 0)?;
    let fake = running(Chip::Ds3231, &t)?;
    check!(
        fake.get(regs::TIME + regs::MONTH as u8) == regs::MONTH_CENTURY | 0x06,
        "the century bit and June"
    );
    check!(fake.get(regs::TIME + regs::YEAR as u8) == 0x50, "year register 50");
    check!(clock::read_time(Chip::Ds3231, &fake) == Ok(t), "2150 reads back");
    let fake = running(Chip::Ds3231, &at(2099, 12, 31, 23, 59, 59)?)?;
    check!(fake.get(regs::TIME + regs::MONTH as u8) & regs::MONTH_CENTURY == 0, "no century bit in 2099");
    Ok(())
}

/// A year the chip cannot hold is refused before anything is written.
pub fn years_out_of_range_leave_the_chip_unchanged() -> Outcome {
    for (chip, year) in [
        (Chip::Ds1307, 2100),
        (Chip::Ds1338, 2100),
        (Chip::Ds3231, 2200),
        (Chip::Ds1307, 1999),
        (Chip::Ds3231, 1999),
    ] {
        let fake = FakeChip::new();
        check!(
            clock::set_time(chip, &fake, &at(year, 1, 1, 0, 0, 0)?) == Err(Error::OutOfRange),
            "OutOfRange"
        );
        check!(fake.transactions() == 0, "no bus transaction for a refused time");
    }
    Ok(())
}

/// The DS1307's clock-halt bit (set at power-up without a battery) reads as a stopped clock, and
/// setting the time clears it.
pub fn clock_halt_reads_as_stopped_until_set() -> Outcome {
    let t = at(2026, 12, 1, 12, 0, 0)?;
    let fake = running(Chip::Ds1307, &t)?;
    fake.set(regs::TIME, fake.get(regs::TIME) | regs::SECONDS_CH);
    check!(
        clock::read_time(Chip::Ds1307, &fake) == Err(Error::OscillatorStopped),
        "a halted clock is stopped"
    );
    check!(clock::set_time(Chip::Ds1307, &fake, &t).is_ok(), "setting a halted clock");
    check!(clock::read_time(Chip::Ds1307, &fake) == Ok(t), "valid again after the set");
    Ok(())
}

/// The DS1338's OSF reads as a stopped clock until the time is set, which clears only OSF.
pub fn ds1338_osf_reads_as_stopped_until_set() -> Outcome {
    let t = at(2026, 12, 1, 12, 0, 0)?;
    let fake = running(Chip::Ds1338, &t)?;
    fake.set(regs::DS1338_CONTROL, regs::DS1338_CONTROL_OSF | 0x13);
    check!(clock::read_time(Chip::Ds1338, &fake) == Err(Error::OscillatorStopped), "OSF set is stopped");
    check!(clock::set_time(Chip::Ds1338, &fake, &t).is_ok(), "setting the time");
    check!(fake.get(regs::DS1338_CONTROL) == 0x13, "OSF cleared, the square-wave bits kept");
    check!(clock::read_time(Chip::Ds1338, &fake) == Ok(t), "valid after the set");
    Ok(())
}

/// The DS3231's OSF reads as a stopped clock until the time is set, which clears only OSF.
pub fn ds3231_osf_reads_as_stopped_until_set() -> Outcome {
    let t = at(2026, 12, 1, 12, 0, 0)?;
    let fake = running(Chip::Ds3231, &t)?;
    fake.set(regs::DS3231_STATUS, regs::DS3231_STATUS_OSF | 0x08);
    check!(clock::read_time(Chip::Ds3231, &fake) == Err(Error::OscillatorStopped), "OSF set is stopped");
    check!(clock::set_time(Chip::Ds3231, &fake, &t).is_ok(), "setting the time");
    check!(fake.get(regs::DS3231_STATUS) == 0x08, "OSF cleared, EN32kHz kept");
    check!(clock::read_time(Chip::Ds3231, &fake) == Ok(t), "valid after the set");
    Ok(())
}

/// A set that fails after the time registers were written leaves the stop flag set, so the
/// clock still reads as invalid rather than as a time nobody confirmed.
pub fn an_interrupted_set_leaves_the_clock_invalid() -> Outcome {
    let t = at(2026, 12, 1, 12, 0, 0)?;
    let fake = running(Chip::Ds3231, &t)?;
    fake.set(regs::DS3231_STATUS, regs::DS3231_STATUS_OSF);
    fake.fail_after(Some(1));
    check!(clock::set_time(Chip::Ds3231, &fake, &t) == Err(Error::Bus(BUS_ERROR)), "the bus error");
    fake.fail_after(None);
    check!(clock::read_time(Chip::Ds3231, &fake) == Err(Error::OscillatorStopped), "still stopped");
    Ok(())
}

/// Registers that hold no time (not BCD, or a day the month lacks) are errors naming them.
pub fn registers_without_a_time_are_errors() -> Outcome {
    let fake = running(Chip::Ds1338, &at(2026, 2, 1, 0, 0, 0)?)?;
    fake.set(regs::TIME + regs::MINUTES as u8, 0x7a);
    check!(
        clock::read_time(Chip::Ds1338, &fake)
            == Err(Error::Invalid(Invalid::Register { reg: 1, value: 0x7a })),
        "minutes 0x7a are invalid"
    );
    fake.set(regs::TIME + regs::MINUTES as u8, 0);
    fake.set(regs::TIME + regs::DATE as u8, 0x30);
    check!(matches!(clock::read_time(Chip::Ds1338, &fake), Err(Error::Invalid(_))), "February 30 is invalid");
    fake.set(regs::TIME + regs::DATE as u8, 0x28);
    fake.set(regs::TIME + regs::MONTH as u8, 0x13);
    check!(matches!(clock::read_time(Chip::Ds1338, &fake), Err(Error::Invalid(_))), "month 13 is invalid");
    Ok(())
}

/// A failing bus (a missing chip) fails every operation with the bus's error.
pub fn bus_errors_pass_through() -> Outcome {
    let fake = FakeChip::new();
    fake.fail_after(Some(0));
    let t = at(2026, 12, 1, 0, 0, 0)?;
    for chip in Chip::ALL {
        check!(clock::read_time(chip, &fake) == Err(Error::Bus(BUS_ERROR)), "read fails with the bus error");
        check!(
            clock::set_time(chip, &fake, &t) == Err(Error::Bus(BUS_ERROR)),
            "set fails with the bus error"
        );
    }
    check!(clock::init(Chip::Ds3231, &fake) == Err(Error::Bus(BUS_ERROR)), "init fails with the bus error");
    Ok(())
}

/// Probe enables a DS3231 oscillator that would stop on battery, keeping the other control bits,
/// and writes nothing to the other chips.
pub fn init_enables_the_ds3231_oscillator_on_battery() -> Outcome {
    let fake = FakeChip::new();
    fake.set(regs::DS3231_CONTROL, regs::DS3231_CONTROL_EOSC_N | 0x1c);
    check!(clock::init(Chip::Ds3231, &fake).is_ok(), "init");
    check!(fake.get(regs::DS3231_CONTROL) == 0x1c, "EOSC_N cleared, the rest kept");
    for chip in [Chip::Ds1307, Chip::Ds1338] {
        let fake = FakeChip::new();
        check!(clock::init(chip, &fake).is_ok() && fake.transactions() == 0, "no transaction");
    }
    Ok(())
}

/// The DS3231's aging offset in parts per billion rounds to the nearest step, within the signed
/// register's range; the other chips have none.
pub fn the_aging_offset_round_trips() -> Outcome {
    let fake = FakeChip::new();
    for (ppb, reg, back) in
        [(0i64, 0u8, 0i64), (250, 3, 300), (-249, 0xfe, -200), (12700, 127, 12700), (-12800, 0x80, -12800)]
    {
        check!(clock::set_offset(Chip::Ds3231, &fake, ppb).is_ok(), "an offset in range is set");
        check!(fake.get(regs::DS3231_AGING) == reg, "the nearest aging step");
        check!(clock::read_offset(Chip::Ds3231, &fake) == Ok(back), "it reads back as that step");
    }
    let before = fake.get(regs::DS3231_AGING);
    for ppb in [12750, -12851, i64::MAX, i64::MIN] {
        check!(clock::set_offset(Chip::Ds3231, &fake, ppb) == Err(Error::OffsetOutOfRange), "out of range");
    }
    check!(fake.get(regs::DS3231_AGING) == before, "a refused offset leaves the register");
    check!(clock::read_offset(Chip::Ds1338, &fake) == Err(Error::Unsupported), "no offset on a DS1338");
    Ok(())
}

/// The DS3231's temperature is read in millidegrees, negative ones included.
pub fn the_temperature_is_decoded() -> Outcome {
    let fake = FakeChip::new();
    for (msb, lsb, mc) in
        [(0x19u8, 0x40u8, 25_250i32), (0x00, 0x00, 0), (0xe7, 0x00, -25_000), (0xff, 0xc0, -250)]
    {
        fake.set_block(regs::DS3231_TEMPERATURE, &[msb, lsb]);
        check!(clock::read_temperature(Chip::Ds3231, &fake) == Ok(mc), "the temperature in millidegrees");
    }
    check!(clock::read_temperature(Chip::Ds1307, &fake) == Err(Error::Unsupported), "no sensor on a DS1307");
    Ok(())
}
