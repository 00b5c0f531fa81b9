// SPDX-License-Identifier: GPL-2.0

//! The register sequences of the PM watchdog, over any implementation of [`PmRegisters`].
//!
//! These are the only things the driver does to the hardware: arm or reload the countdown, stop it,
//! read it, and reset the machine (to restart it, or to power it off through the firmware's halt
//! convention). Everything around them (the device node, single open, magic close, nowayout, timeouts
//! longer than one load, pinging a watchdog found running at boot) is the kernel watchdog core's.
//! Callers serialise the sequences: each one reads and writes several registers.

use crate::regs::{self, Reg};
use crate::timeout;

/// Access to the three watchdog registers. The kernel implements it over MMIO; tests over a fake.
pub trait PmRegisters {
    /// Reads a register.
    fn read(&mut self, reg: Reg) -> u32;
    /// Writes a register; `value` must already carry the password.
    fn write(&mut self, reg: Reg, value: u32);
}

/// Arms the countdown with `ticks`, or reloads it when it is already armed: load WDOG, then set
/// RSTC's full-reset configuration, keeping RSTC's other bits.
pub fn start(regs: &mut impl PmRegisters, ticks: u32) {
    regs.write(Reg::Wdog, regs::wdog_load(ticks));
    let current = regs.read(Reg::Rstc);
    regs.write(Reg::Rstc, regs::rstc_arm(current));
}

/// Disarms the countdown.
pub fn stop(regs: &mut impl PmRegisters) {
    regs.write(Reg::Rstc, regs::rstc_stop());
}

/// Whether the countdown is armed (also when a bootloader armed it before Linux).
pub fn is_running(regs: &mut impl PmRegisters) -> bool {
    regs::rstc_is_armed(regs.read(Reg::Rstc))
}

/// Ticks before the countdown resets the machine; 0 when it is not armed.
pub fn ticks_left(regs: &mut impl PmRegisters) -> u32 {
    if is_running(regs) {
        regs::wdog_ticks(regs.read(Reg::Wdog))
    } else {
        0
    }
}

/// Resets the machine within `RESTART_TICKS` (about 150 µs). The caller then waits.
pub fn restart(regs: &mut impl PmRegisters) {
    start(regs, timeout::RESTART_TICKS);
}

/// Asks the firmware to halt after the reset (partition 63 in RSTS), then resets.
pub fn power_off(regs: &mut impl PmRegisters) {
    let current = regs.read(Reg::Rsts);
    regs.write(Reg::Rsts, regs::rsts_halt(current));
    restart(regs);
}
