// SPDX-License-Identifier: GPL-2.0

//! The chip's registers over I2C: the [`Bus`] of the shared register sequences, on a bound client.
//!
//! Every access is one I2C block transfer (the register address written, then the data read or
//! written), so the seven time registers are read together: the chips latch the time at the
//! start of a read, and a read that straddles a second's tick stays consistent.

use kernel::{
    device::{Bound, Device},
    i2c::I2cClient,
    prelude::*,
};

use crate::clock::Bus;

/// The chip on its I2C client.
pub(crate) struct I2cBus<'a>(pub(crate) &'a I2cClient<Bound>);

impl<'a> I2cBus<'a> {
    /// The chip's registers, on the client that the RTC class or the hwmon core called an
    /// operation for.
    pub(crate) fn of(parent: &'a Device<Bound>) -> Result<Self> {
        Ok(Self(parent.try_into()?))
    }
}

impl Bus for I2cBus<'_> {
    type Error = Error;

    fn read(&self, reg: u8, buf: &mut [u8]) -> Result {
        // A short read is EIO: the chips never do it, a broken bus may.
        self.0.smbus_read_i2c_block_data(reg, buf)
    }

    fn write(&self, reg: u8, data: &[u8]) -> Result {
        self.0.smbus_write_i2c_block_data(reg, data)
    }
}
