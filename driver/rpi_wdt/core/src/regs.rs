// SPDX-License-Identifier: GPL-2.0

//! Register layout of the BCM2835/BCM2711 PM watchdog, and the encoding of every value the driver writes.
//!
//! The watchdog lives in the power-management (PM) block at bus address 0x7e100000. Three 32-bit registers
//! matter, and the driver maps only them (12 bytes from RSTC), leaving the rest of the block, its power
//! domains and its resets to the in-tree `bcm2835-pm` MFD driver:
//!
//! | PM offset | map offset | name | what it does                                                      |
//! |-----------|------------|------|-------------------------------------------------------------------|
//! | 0x1c      | 0x0        | RSTC | reset control: WRCFG (bits 5:4) = full reset arms the countdown    |
//! | 0x20      | 0x4        | RSTS | reset status: how the chip last reset; the firmware's boot partition |
//! | 0x24      | 0x8        | WDOG | 20-bit countdown, 65536 ticks per second; reads give ticks left    |
//!
//! Every write must carry the password 0x5a in the top byte, or the PM block ignores it. Reads return the
//! register without the password.
//!
//! Not handled here: the quick/hard reset configurations (WRCFG 0x10/0x30), which the Pi firmware does
//! not use, and the domain/software reset sources, which only appear as decoded boot-status bits.

/// The password every PM register write carries in its top byte.
pub const PASSWORD: u32 = 0x5a00_0000;
/// The byte of a register value that holds the password.
pub const PASSWORD_MASK: u32 = 0xff00_0000;

/// Offset of RSTC, the first mapped register, inside the PM block.
pub const PM_BLOCK_OFFSET: u32 = 0x1c;
/// Bytes the driver maps: RSTC, RSTS and WDOG.
pub const MAP_SIZE: usize = 12;

/// The three registers, by their offset inside the driver's 12-byte mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// Reset control.
    Rstc,
    /// Reset status.
    Rsts,
    /// Watchdog countdown.
    Wdog,
}

impl Reg {
    /// Offset inside the driver's mapping (which starts at RSTC).
    pub const fn offset(self) -> usize {
        match self {
            Reg::Rstc => 0x0,
            Reg::Rsts => 0x4,
            Reg::Wdog => 0x8,
        }
    }

    /// Offset inside the PM block, as the SoC documentation and the C driver name it.
    pub const fn pm_offset(self) -> u32 {
        PM_BLOCK_OFFSET + self.offset() as u32
    }
}

/// RSTC bits.
pub mod rstc {
    /// Watchdog reset configuration field.
    pub const WRCFG_MASK: u32 = 0x0000_0030;
    /// WRCFG value that makes the countdown reaching zero reset the whole chip.
    pub const WRCFG_FULL_RESET: u32 = 0x0000_0020;
    /// The value written (with the password) to stop the watchdog: WRCFG cleared.
    pub const RESET: u32 = 0x0000_0102;
}

/// RSTS bits. "HAD" bits record how the chip last reset: D = domain, W = watchdog, S = software;
/// Q/F/H = quick, full, hard; POR = power-on reset.
pub mod rsts {
    /// Had domain reset, quick.
    pub const HADDRQ: u32 = 0x0000_0001;
    /// Had domain reset, full.
    pub const HADDRF: u32 = 0x0000_0002;
    /// Had domain reset, hard.
    pub const HADDRH: u32 = 0x0000_0004;
    /// Had watchdog reset, quick.
    pub const HADWRQ: u32 = 0x0000_0010;
    /// Had watchdog reset, full: what a watchdog expiry (and a plain reboot) leaves behind.
    pub const HADWRF: u32 = 0x0000_0020;
    /// Had watchdog reset, hard.
    pub const HADWRH: u32 = 0x0000_0040;
    /// Had software reset, quick.
    pub const HADSRQ: u32 = 0x0000_0100;
    /// Had software reset, full.
    pub const HADSRF: u32 = 0x0000_0200;
    /// Had software reset, hard.
    pub const HADSRH: u32 = 0x0000_0400;
    /// Had power-on reset.
    pub const HADPOR: u32 = 0x0000_1000;
    /// The Raspberry Pi firmware keeps a 6-bit boot partition number in the even bits 0..=10.
    pub const PARTITION_MASK: u32 = 0x0000_0555;
    /// Partition 63: the firmware halts instead of booting (the power-off convention).
    pub const PARTITION_HALT: u32 = 63;
}

/// WDOG bits.
pub mod wdog {
    /// The 20-bit countdown.
    pub const TIME_MASK: u32 = 0x000f_ffff;
}

/// WDOG value that loads the countdown with `ticks` (truncated to 20 bits).
pub const fn wdog_load(ticks: u32) -> u32 {
    PASSWORD | (ticks & wdog::TIME_MASK)
}

/// RSTC value that arms a full reset when the countdown reaches zero, keeping the other bits of `current`.
pub const fn rstc_arm(current: u32) -> u32 {
    PASSWORD | (current & !PASSWORD_MASK & !rstc::WRCFG_MASK) | rstc::WRCFG_FULL_RESET
}

/// RSTC value that stops the countdown from resetting anything.
pub const fn rstc_stop() -> u32 {
    PASSWORD | rstc::RESET
}

/// Whether an RSTC value has the full reset armed.
pub const fn rstc_is_armed(rstc: u32) -> bool {
    rstc & rstc::WRCFG_MASK == rstc::WRCFG_FULL_RESET
}

/// Ticks left in a WDOG value.
pub const fn wdog_ticks(wdog: u32) -> u32 {
    wdog & wdog::TIME_MASK
}

/// Spreads a 6-bit partition number into RSTS's even bits (bit n of the number goes to bit 2n).
pub const fn partition_to_rsts(partition: u32) -> u32 {
    let mut out = 0;
    let mut bit = 0;
    while bit < 6 {
        out |= ((partition >> bit) & 1) << (2 * bit);
        bit += 1;
    }
    out
}

/// Gathers the 6-bit partition number from RSTS's even bits.
pub const fn rsts_partition(rsts: u32) -> u32 {
    let mut out = 0;
    let mut bit = 0;
    while bit < 6 {
        out |= ((rsts >> (2 * bit)) & 1) << bit;
        bit += 1;
    }
    out
}

/// RSTS value that tells the firmware to halt after the next reset (partition 63), keeping the other bits.
pub const fn rsts_halt(current: u32) -> u32 {
    PASSWORD | (current & !PASSWORD_MASK) | partition_to_rsts(rsts::PARTITION_HALT)
}
