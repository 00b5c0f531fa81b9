// SPDX-License-Identifier: GPL-2.0

//! A fake PM register bank that behaves as the hardware does, for tests on the host and in KUnit.
//!
//! - Writes without the 0x5a password are ignored (and counted).
//! - Writing WDOG loads the 20-bit countdown; reading it returns the ticks left.
//! - Writing RSTC with WRCFG = full reset arms the countdown; any other WRCFG disarms it.
//! - Time is advanced explicitly. When an armed countdown reaches zero the "chip" resets: RSTS keeps the
//!   firmware partition bits and gains HADWRF, RSTC and WDOG return to zero, and the reset is counted;
//!   if RSTS asked for partition 63 the machine counts as halted (the Pi power-off convention).
//!
//! The patched QEMU model (board/qemu/) implements the same rules, so tests written against this fake
//! describe what the emulated and the real board do.

use crate::hw::PmRegisters;
use crate::regs::{self, rsts, Reg};
use crate::timeout;

/// The fake register bank.
#[derive(Clone, Debug)]
pub struct FakePm {
    rstc: u32,
    rsts: u32,
    ticks: u32,
    armed: bool,
    resets: u32,
    halted: bool,
    rejected_writes: u32,
    /// Time passed that did not yet make a whole tick, in units of 1/65536 ns.
    sub_tick: u64,
}

impl FakePm {
    /// A chip just after power-on: RSTS shows a power-on reset, the watchdog is stopped.
    pub const fn power_on() -> Self {
        FakePm {
            rstc: 0,
            rsts: rsts::HADPOR,
            ticks: 0,
            armed: false,
            resets: 0,
            halted: false,
            rejected_writes: 0,
            sub_tick: 0,
        }
    }

    /// Lets `ticks` of countdown time pass.
    pub fn advance_ticks(&mut self, ticks: u32) {
        if !self.armed || self.halted {
            return;
        }
        if ticks < self.ticks {
            self.ticks -= ticks;
            return;
        }
        self.resets += 1;
        self.halted = regs::rsts_partition(self.rsts) == rsts::PARTITION_HALT;
        self.rsts = (self.rsts & rsts::PARTITION_MASK) | rsts::HADWRF;
        self.rstc = 0;
        self.ticks = 0;
        self.armed = false;
    }

    /// Lets `ms` milliseconds pass. Fractions of a tick carry over to the next call, as on a real clock.
    pub fn advance_ms(&mut self, ms: u64) {
        let scaled =
            ms.saturating_mul(1_000_000 * u64::from(timeout::TICKS_PER_SECOND)).saturating_add(self.sub_tick);
        self.sub_tick = scaled % 1_000_000_000;
        let ticks = scaled / 1_000_000_000;
        self.advance_ticks(if ticks > u64::from(u32::MAX) { u32::MAX } else { ticks as u32 });
    }

    /// Whether the countdown is armed.
    pub const fn armed(&self) -> bool {
        self.armed
    }

    /// How many times the chip has reset.
    pub const fn resets(&self) -> u32 {
        self.resets
    }

    /// Whether the last reset asked the firmware to halt.
    pub const fn halted(&self) -> bool {
        self.halted
    }

    /// Writes that lacked the password and were ignored.
    pub const fn rejected_writes(&self) -> u32 {
        self.rejected_writes
    }

    /// Ticks left in the countdown.
    pub const fn ticks(&self) -> u32 {
        self.ticks
    }
}

impl PmRegisters for FakePm {
    fn read(&mut self, reg: Reg) -> u32 {
        match reg {
            Reg::Rstc => self.rstc,
            Reg::Rsts => self.rsts,
            Reg::Wdog => self.ticks,
        }
    }

    fn write(&mut self, reg: Reg, value: u32) {
        if value & regs::PASSWORD_MASK != regs::PASSWORD {
            self.rejected_writes += 1;
            return;
        }
        let value = value & !regs::PASSWORD_MASK;
        match reg {
            Reg::Rstc => {
                self.rstc = value;
                self.armed = regs::rstc_is_armed(value);
            }
            Reg::Rsts => self.rsts = value,
            Reg::Wdog => self.ticks = value & regs::wdog::TIME_MASK,
        }
    }
}
