// SPDX-License-Identifier: GPL-2.0

//! The chips the driver handles, and what differs between them.

use crate::regs;

/// One of the supported chips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chip {
    /// DS1307: 5 V, 56 bytes of NVRAM. Its oscillator-stop indication is the clock-halt bit,
    /// which it powers up with.
    Ds1307,
    /// DS1338: the DS1307's 3.3 V successor, with an oscillator stop flag in its control
    /// register besides the clock-halt bit.
    Ds1338,
    /// DS3231: temperature-compensated, with a century bit, an aging offset, a temperature
    /// sensor and an oscillator stop flag in its status register.
    Ds3231,
}

/// Where a chip flags that its oscillator stopped, so that the time it holds is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopFlag {
    /// Only the clock-halt bit in the seconds register (DS1307).
    ClockHalt,
    /// The clock-halt bit, and `mask` in register `reg`, which stays set until cleared.
    Register { reg: u8, mask: u8 },
}

impl Chip {
    /// Every chip, in the order of [`Chip::COMPATIBLES`].
    pub const ALL: [Chip; 3] = [Chip::Ds1307, Chip::Ds1338, Chip::Ds3231];

    /// The device-tree compatibles, as upstream's bindings name them (trivial-rtc.yaml and
    /// rtc-ds1307.yaml).
    pub const COMPATIBLES: [&'static str; 3] = ["dallas,ds1307", "dallas,ds1338", "maxim,ds3231"];

    /// The chip's name, as `dmesg` and the overlay's parameter spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Chip::Ds1307 => "ds1307",
            Chip::Ds1338 => "ds1338",
            Chip::Ds3231 => "ds3231",
        }
    }

    /// The chip a device-tree compatible names.
    pub fn from_compatible(compatible: &str) -> Option<Chip> {
        let i = Self::COMPATIBLES.iter().position(|c| *c == compatible)?;
        Some(Self::ALL[i])
    }

    /// The last year the chip holds; all three start at 2000. The DS1307 and DS1338 count years
    /// 00..=99 and treat every fourth one as a leap year, which is right from 2000 to 2099. The
    /// DS3231's century bit extends that to 2199, where its leap years are wrong again (2100).
    pub const fn last_year(self) -> u32 {
        match self {
            Chip::Ds1307 | Chip::Ds1338 => 2099,
            Chip::Ds3231 => 2199,
        }
    }

    /// The first year the chip holds.
    pub const FIRST_YEAR: u32 = 2000;

    /// Where the chip flags a stopped oscillator.
    pub const fn stop_flag(self) -> StopFlag {
        match self {
            Chip::Ds1307 => StopFlag::ClockHalt,
            Chip::Ds1338 => StopFlag::Register { reg: regs::DS1338_CONTROL, mask: regs::DS1338_CONTROL_OSF },
            Chip::Ds3231 => StopFlag::Register { reg: regs::DS3231_STATUS, mask: regs::DS3231_STATUS_OSF },
        }
    }

    /// Whether the seconds register has the clock-halt bit. The DS3231 has none: its bit 7 reads
    /// as 0.
    pub const fn has_clock_halt(self) -> bool {
        !matches!(self, Chip::Ds3231)
    }

    /// Whether the chip has the century bit, aging offset and temperature sensor.
    pub const fn is_ds3231(self) -> bool {
        matches!(self, Chip::Ds3231)
    }
}
