// SPDX-License-Identifier: GPL-2.0

//! The register sequences of each operation, over an abstract bus: the kernel module's bus is the
//! I2C client, the tests' is the fake register bank ([`crate::fake`]).
//!
//! The order of writes matters when power fails midway. Setting the time writes the seven time
//! registers first and clears the oscillator stop flag last, so an interrupted set leaves the flag
//! set and the time still reads as invalid, never as a half-written time that looks valid.

use crate::{
    chip::{Chip, StopFlag},
    date::DateTime,
    regs,
    time::{self, Invalid},
};

/// Register reads and writes on the chip. Each call is one bus transaction, from `reg` on.
pub trait Bus {
    /// The bus's error, for example an errno.
    type Error: Copy;
    /// Reads `buf.len()` registers from `reg` on.
    fn read(&self, reg: u8, buf: &mut [u8]) -> core::result::Result<(), Self::Error>;
    /// Writes `data` to the registers from `reg` on.
    fn write(&self, reg: u8, data: &[u8]) -> core::result::Result<(), Self::Error>;
}

/// Why an operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error<E> {
    /// The bus failed, for example nothing acknowledged the chip's address.
    Bus(E),
    /// The chip's oscillator stopped (its battery ran out or was never fitted), so it does not
    /// know the time until it is set.
    OscillatorStopped,
    /// A register holds no valid time.
    Invalid(Invalid),
    /// The year is outside what the chip holds.
    OutOfRange,
    /// The frequency offset is more than the chip can correct.
    OffsetOutOfRange,
    /// The chip has no such feature (aging offset or temperature on a DS1307 or DS1338).
    Unsupported,
}

impl<E> From<Invalid> for Error<E> {
    fn from(invalid: Invalid) -> Self {
        match invalid {
            Invalid::ClockHalted => Error::OscillatorStopped,
            other => Error::Invalid(other),
        }
    }
}

/// The result of an operation.
pub type Result<T, E> = core::result::Result<T, Error<E>>;

fn read_reg<B: Bus>(bus: &B, reg: u8) -> Result<u8, B::Error> {
    let mut v = [0u8];
    bus.read(reg, &mut v).map_err(Error::Bus)?;
    Ok(v[0])
}

fn write_reg<B: Bus>(bus: &B, reg: u8, value: u8) -> Result<(), B::Error> {
    bus.write(reg, &[value]).map_err(Error::Bus)
}

/// Prepares the chip at probe: a DS3231 whose oscillator is set to stop on battery power gets it
/// enabled, as rtc-ds1307 does. Nothing else is written; a stopped clock stays flagged until it
/// is set.
pub fn init<B: Bus>(chip: Chip, bus: &B) -> Result<(), B::Error> {
    if chip.is_ds3231() {
        let control = read_reg(bus, regs::DS3231_CONTROL)?;
        if control & regs::DS3231_CONTROL_EOSC_N != 0 {
            write_reg(bus, regs::DS3231_CONTROL, control & !regs::DS3231_CONTROL_EOSC_N)?;
        }
    }
    Ok(())
}

/// Whether the chip's stop flag says its oscillator stopped since the time was last set.
fn stop_flag_set<B: Bus>(chip: Chip, bus: &B) -> Result<bool, B::Error> {
    match chip.stop_flag() {
        StopFlag::ClockHalt => Ok(false),
        StopFlag::Register { reg, mask } => Ok(read_reg(bus, reg)? & mask != 0),
    }
}

/// Reads the time, in one block read of the time registers.
pub fn read_time<B: Bus>(chip: Chip, bus: &B) -> Result<DateTime, B::Error> {
    let mut r = [0u8; regs::TIME_LEN];
    bus.read(regs::TIME, &mut r).map_err(Error::Bus)?;
    let t = time::decode(chip, &r)?;
    if stop_flag_set(chip, bus)? {
        return Err(Error::OscillatorStopped);
    }
    Ok(t)
}

/// Sets the time, which also starts a halted oscillator, then clears the stop flag.
pub fn set_time<B: Bus>(chip: Chip, bus: &B, t: &DateTime) -> Result<(), B::Error> {
    let r = time::encode(chip, t).ok_or(Error::OutOfRange)?;
    bus.write(regs::TIME, &r).map_err(Error::Bus)?;
    if let StopFlag::Register { reg, mask } = chip.stop_flag() {
        let v = read_reg(bus, reg)?;
        if v & mask != 0 {
            write_reg(bus, reg, v & !mask)?;
        }
    }
    Ok(())
}

/// Parts per billion that one step of the DS3231's aging offset moves the frequency, at 25 °C
/// (the datasheet's typical figure). A positive offset adds load capacitance and slows the clock,
/// which is also the sign of the RTC class's offset.
pub const PPB_PER_AGING_STEP: i64 = 100;

/// Reads the DS3231's aging offset, in parts per billion.
pub fn read_offset<B: Bus>(chip: Chip, bus: &B) -> Result<i64, B::Error> {
    if !chip.is_ds3231() {
        return Err(Error::Unsupported);
    }
    Ok(i64::from(read_reg(bus, regs::DS3231_AGING)? as i8) * PPB_PER_AGING_STEP)
}

/// The aging register value nearest to `ppb`, or `None` if it is beyond the register's range.
pub fn aging_for_offset(ppb: i64) -> Option<i8> {
    let half = PPB_PER_AGING_STEP / 2;
    let steps = if ppb >= 0 {
        ppb.checked_add(half)? / PPB_PER_AGING_STEP
    } else {
        -(half.checked_sub(ppb)? / PPB_PER_AGING_STEP)
    };
    i8::try_from(steps).ok()
}

/// Sets the DS3231's aging offset to the step nearest `ppb`. The chip applies it at its next
/// temperature conversion (within 64 s).
pub fn set_offset<B: Bus>(chip: Chip, bus: &B, ppb: i64) -> Result<(), B::Error> {
    if !chip.is_ds3231() {
        return Err(Error::Unsupported);
    }
    let aging = aging_for_offset(ppb).ok_or(Error::OffsetOutOfRange)?;
    write_reg(bus, regs::DS3231_AGING, aging as u8)
}

/// Reads the DS3231's temperature, in millidegrees Celsius (a resolution of 250).
pub fn read_temperature<B: Bus>(chip: Chip, bus: &B) -> Result<i32, B::Error> {
    if !chip.is_ds3231() {
        return Err(Error::Unsupported);
    }
    let mut t = [0u8; 2];
    bus.read(regs::DS3231_TEMPERATURE, &mut t).map_err(Error::Bus)?;
    Ok(i32::from(i16::from_be_bytes(t) >> 6) * 250)
}
