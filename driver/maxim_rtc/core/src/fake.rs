// SPDX-License-Identifier: GPL-2.0

//! A fake chip: a bank of 64 registers behind [`Bus`], which can also fail on command. It keeps
//! no time of its own; the scenarios set the registers as a chip would leave them.

use core::cell::Cell;

use crate::clock::Bus;

/// The error the fake bus returns: `EIO`'s number, as the kernel's I2C drivers give on a NACK.
pub const BUS_ERROR: i32 = 5;

/// The number of registers, enough for the DS1307's 0x00..=0x3f.
pub const REGS: usize = 64;

/// The fake chip.
pub struct FakeChip {
    regs: [Cell<u8>; REGS],
    /// Transactions that succeed before every later one fails; `None`, all succeed.
    succeed: Cell<Option<u32>>,
    transactions: Cell<u32>,
    writes: Cell<u32>,
}

impl Default for FakeChip {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeChip {
    /// A chip with every register 0 and a working bus.
    pub const fn new() -> Self {
        Self {
            regs: [const { Cell::new(0) }; REGS],
            succeed: Cell::new(None),
            transactions: Cell::new(0),
            writes: Cell::new(0),
        }
    }

    /// Register `reg`, or 0 past the bank.
    pub fn get(&self, reg: u8) -> u8 {
        self.regs.get(reg as usize).map_or(0, Cell::get)
    }

    /// Sets register `reg`, as the chip itself would.
    pub fn set(&self, reg: u8, value: u8) {
        if let Some(r) = self.regs.get(reg as usize) {
            r.set(value);
        }
    }

    /// Sets the registers from `reg` on.
    pub fn set_block(&self, reg: u8, values: &[u8]) {
        for (i, v) in values.iter().enumerate() {
            self.set(reg.wrapping_add(i as u8), *v);
        }
    }

    /// Lets `n` more transactions succeed and fails every one after them; `None` heals the bus.
    pub fn fail_after(&self, n: Option<u32>) {
        self.succeed.set(n);
    }

    /// The number of transactions so far, failed ones included.
    pub fn transactions(&self) -> u32 {
        self.transactions.get()
    }

    /// The number of successful writes so far.
    pub fn writes(&self) -> u32 {
        self.writes.get()
    }

    fn transact(&self, reg: u8, len: usize) -> Result<(), i32> {
        self.transactions.set(self.transactions.get().saturating_add(1));
        match self.succeed.get() {
            Some(0) => return Err(BUS_ERROR),
            Some(n) => self.succeed.set(Some(n - 1)),
            None => {}
        }
        if reg as usize + len > REGS {
            return Err(BUS_ERROR);
        }
        Ok(())
    }
}

impl Bus for FakeChip {
    type Error = i32;

    fn read(&self, reg: u8, buf: &mut [u8]) -> Result<(), i32> {
        self.transact(reg, buf.len())?;
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.get(reg + i as u8);
        }
        Ok(())
    }

    fn write(&self, reg: u8, data: &[u8]) -> Result<(), i32> {
        self.transact(reg, data.len())?;
        self.set_block(reg, data);
        self.writes.set(self.writes.get().saturating_add(1));
        Ok(())
    }
}
