// SPDX-License-Identifier: GPL-2.0

//! One PM watchdog's registers, and the lock that serialises the sequences run on them.
//!
//! The watchdog operations, the restart handler and the power-off handler all reach the registers
//! through a [`Pm`]. The watchdog core calls operations concurrently (see `kernel::watchdog`), and
//! every sequence reads and writes several registers, so each runs under the spinlock. The mapping is
//! a device resource: the watchdog operations present the bound parent and access it directly; the
//! power-off handler, which is not tied to the binding, goes through the revocable guard and does
//! nothing once the device is unbound.

use kernel::{
    device::{Bound, Device},
    io::mem::DevresIoMem,
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
    time::{delay::udelay, Delta},
};

use crate::hw;
use crate::mmio::MmioPm;
use crate::regs::MAP_SIZE;

/// The registers of one bound device.
#[pin_data]
pub(crate) struct Pm {
    iomem: DevresIoMem<MAP_SIZE>,
    #[pin]
    lock: SpinLock<()>,
}

impl Pm {
    pub(crate) fn new(iomem: DevresIoMem<MAP_SIZE>) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Pm {
                iomem,
                lock <- new_spinlock!((), "rpi_wdt_pm"),
            }),
            GFP_KERNEL,
        )
    }

    /// Runs a register sequence for an operation of the bound device `parent`.
    pub(crate) fn with_regs<R>(
        &self,
        parent: &Device<Bound>,
        f: impl FnOnce(&mut MmioPm<'_>) -> R,
    ) -> Result<R> {
        let _guard = self.lock.lock();
        let io = self.iomem.access(parent)?;
        Ok(f(&mut MmioPm::new(io)))
    }

    /// Runs the last sequence before the machine resets, from the restart or power-off handler: in
    /// atomic context, maybe with other CPUs stopped, so a lock one of them held would never be
    /// released. The lock is therefore taken only if it is free, then the reset comes within 10 ticks
    /// (about 150 µs), which it waits for without sleeping, as the C driver does.
    fn last_words(&self, f: impl FnOnce(&mut MmioPm<'_>)) {
        let _guard = self.lock.try_lock();
        if let Some(io) = self.iomem.try_access() {
            f(&mut MmioPm::new(&io));
        }
        udelay(Delta::from_millis(1));
    }

    /// Resets the machine now.
    pub(crate) fn restart(&self) {
        self.last_words(|regs| hw::restart(regs));
    }

    /// Asks the firmware to halt, then resets the machine.
    pub(crate) fn power_off(&self) {
        self.last_words(|regs| hw::power_off(regs));
    }
}
