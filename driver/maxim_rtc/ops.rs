// SPDX-License-Identifier: GPL-2.0

//! The RTC class's operations: the shared register sequences on the client, and their errors
//! turned into errnos and messages that say what to do.
//!
//! The RTC class serialises the operations of one clock (`rtc->ops_lock`), so the only state
//! here, whether the stopped-oscillator warning was given, needs no lock of its own; it is
//! atomic because the operations take `&self`.

use core::sync::atomic::{AtomicBool, Ordering};

use kernel::{
    device::{Bound, Device},
    prelude::*,
    rtc::{self, RtcTime},
};

use crate::bus::I2cBus;
use crate::chip::Chip;
use crate::clock;
use crate::date::DateTime;
use crate::time::Invalid;

/// One clock: the chip, and whether its lost time was reported since it was last valid.
pub(crate) struct Clock {
    chip: Chip,
    warned: AtomicBool,
}

/// A DS3231, which also has the aging offset. A separate type, so that the RTC class shows the
/// `offset` attribute only for the chip that has it.
pub(crate) struct AgingClock(Clock);

impl Clock {
    pub(crate) fn new(chip: Chip) -> Self {
        Self { chip, warned: AtomicBool::new(false) }
    }

    /// Turns a register sequence's error into an errno, and says what it means once.
    fn errno(&self, parent: &Device<Bound>, e: clock::Error<Error>) -> Error {
        match e {
            clock::Error::Bus(e) => e,
            clock::Error::OscillatorStopped => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    dev_warn!(
                        parent,
                        "the {} has lost the time (its oscillator stopped: is the battery flat or missing?); \
                         set it with 'hwclock --systohc' once the system time is right\n",
                        self.chip.name()
                    );
                }
                EINVAL
            }
            clock::Error::Invalid(Invalid::Register { reg, value }) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    dev_warn!(
                        parent,
                        "the {} holds no valid time (register {:#04x} is {:#04x}); set it with 'hwclock --systohc'\n",
                        self.chip.name(),
                        reg,
                        value
                    );
                }
                EINVAL
            }
            clock::Error::Invalid(Invalid::ClockHalted) => EINVAL,
            clock::Error::OutOfRange | clock::Error::OffsetOutOfRange => ERANGE,
            clock::Error::Unsupported => EOPNOTSUPP,
        }
    }

    fn read_time(&self, parent: &Device<Bound>) -> Result<RtcTime> {
        let t = clock::read_time(self.chip, &I2cBus::of(parent)?).map_err(|e| self.errno(parent, e))?;
        self.warned.store(false, Ordering::Relaxed);
        RtcTime::new(t.year, t.month.into(), t.day.into(), t.hour.into(), t.minute.into(), t.second.into())
    }

    fn set_time(&self, parent: &Device<Bound>, time: &RtcTime) -> Result {
        let field = |v: u32| u8::try_from(v).map_err(|_| EINVAL);
        let t = DateTime::new(
            time.year(),
            field(time.month())?,
            field(time.day())?,
            field(time.hour())?,
            field(time.minute())?,
            field(time.second())?,
        )
        .ok_or(EINVAL)?;
        clock::set_time(self.chip, &I2cBus::of(parent)?, &t).map_err(|e| self.errno(parent, e))?;
        self.warned.store(false, Ordering::Relaxed);
        Ok(())
    }
}

#[vtable]
impl rtc::Operations for Clock {
    fn read_time(&self, parent: &Device<Bound>) -> Result<RtcTime> {
        Clock::read_time(self, parent)
    }

    fn set_time(&self, parent: &Device<Bound>, time: &RtcTime) -> Result {
        Clock::set_time(self, parent, time)
    }
}

impl AgingClock {
    pub(crate) fn new(chip: Chip) -> Self {
        Self(Clock::new(chip))
    }
}

#[vtable]
impl rtc::Operations for AgingClock {
    fn read_time(&self, parent: &Device<Bound>) -> Result<RtcTime> {
        self.0.read_time(parent)
    }

    fn set_time(&self, parent: &Device<Bound>, time: &RtcTime) -> Result {
        self.0.set_time(parent, time)
    }

    fn read_offset(&self, parent: &Device<Bound>) -> Result<i64> {
        clock::read_offset(self.0.chip, &I2cBus::of(parent)?).map_err(|e| self.0.errno(parent, e))
    }

    fn set_offset(&self, parent: &Device<Bound>, offset: i64) -> Result {
        clock::set_offset(self.0.chip, &I2cBus::of(parent)?, offset).map_err(|e| self.0.errno(parent, e))
    }
}
