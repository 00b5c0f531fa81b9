// SPDX-License-Identifier: GPL-2.0

//! [`PmRegisters`] over the driver's 12-byte MMIO mapping of RSTC, RSTS and WDOG.
//!
//! Every offset is a constant from `regs.rs`, so the kernel's I/O accessors check it against the mapping
//! size at compile time.

use kernel::io::{mem::IoMem, Io};

use crate::hw::PmRegisters;
use crate::regs::{Reg, MAP_SIZE};

/// The mapped registers of one bound device.
pub(crate) struct MmioPm<'a> {
    io: &'a IoMem<'a, MAP_SIZE>,
}

impl<'a> MmioPm<'a> {
    pub(crate) fn new(io: &'a IoMem<'a, MAP_SIZE>) -> Self {
        MmioPm { io }
    }
}

impl PmRegisters for MmioPm<'_> {
    fn read(&mut self, reg: Reg) -> u32 {
        match reg {
            Reg::Rstc => self.io.read32(Reg::Rstc.offset()),
            Reg::Rsts => self.io.read32(Reg::Rsts.offset()),
            Reg::Wdog => self.io.read32(Reg::Wdog.offset()),
        }
    }

    fn write(&mut self, reg: Reg, value: u32) {
        match reg {
            Reg::Rstc => self.io.write32(value, Reg::Rstc.offset()),
            Reg::Rsts => self.io.write32(value, Reg::Rsts.offset()),
            Reg::Wdog => self.io.write32(value, Reg::Wdog.offset()),
        }
    }
}
