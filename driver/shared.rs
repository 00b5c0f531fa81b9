// SPDX-License-Identifier: GPL-2.0

//! The state every user of one watchdog shares: the bound device's register mapping and the
//! [`Watchdog`] state machine under one spinlock.
//!
//! Open files, the probe-time device and the sys-off handlers each hold an `Arc<Shared>`. Files may
//! outlive unbind: the mapping is a devres resource, revoked at unbind, so every register access goes
//! through [`Shared::with_hw`], which returns ENODEV once the device is gone. All register sequences run
//! under the spinlock, so the two nodes and the handlers never interleave writes to RSTC and WDOG.

use kernel::{
    device::Device,
    io::mem::DevresIoMem,
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
    time::{Instant, Monotonic},
};

use crate::mmio::MmioPm;
use crate::regs::MAP_SIZE;
use crate::sys_off::SysOffTarget;
use crate::watchdog::{self, Watchdog};

/// One watchdog's shared state.
#[pin_data]
pub(crate) struct Shared {
    iomem: DevresIoMem<MAP_SIZE>,
    #[pin]
    wdt: SpinLock<Watchdog>,
    epoch: Instant<Monotonic>,
}

impl Shared {
    pub(crate) fn new(iomem: DevresIoMem<MAP_SIZE>, wdt: Watchdog) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Shared {
                iomem,
                wdt <- new_spinlock!(wdt, "rpi_wdt_state"),
                epoch: Instant::now(),
            }),
            GFP_KERNEL,
        )
    }

    /// The platform device, for log messages.
    pub(crate) fn device(&self) -> &Device {
        self.iomem.device()
    }

    /// Monotonic nanoseconds since probe: the clock the state machine sees.
    fn now_ns(&self) -> u64 {
        u64::try_from((Instant::<Monotonic>::now() - self.epoch).as_nanos()).unwrap_or(0)
    }

    /// Runs `f` on the state machine and the registers, under the lock. ENODEV after unbind.
    pub(crate) fn with_hw<R>(&self, f: impl FnOnce(&mut Watchdog, &mut MmioPm<'_>, u64) -> R) -> Result<R> {
        let now = self.now_ns();
        let mut wdt = self.wdt.lock();
        let io = self.iomem.try_access().ok_or(ENODEV)?;
        let mut regs = MmioPm::new(&io);
        Ok(f(&mut wdt, &mut regs, now))
    }

    /// Reads state that needs no registers (timeout, boot status, identity).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&Watchdog) -> R) -> R {
        f(&self.wdt.lock())
    }

    /// Runs a final register sequence from restart or power-off context. Other CPUs are stopped there and
    /// a lock one of them held would never be released, so the lock is taken only if it is free.
    fn last_words(&self, f: impl FnOnce(&mut MmioPm<'_>)) {
        let _guard = self.wdt.try_lock();
        if let Some(io) = self.iomem.try_access() {
            f(&mut MmioPm::new(&io));
        }
    }
}

impl SysOffTarget for Shared {
    fn restart(&self) {
        self.last_words(|regs| watchdog::hw_restart(regs));
        // The reset comes within 10 ticks (about 150 µs); wait without sleeping, as the C driver does.
        kernel::time::delay::udelay(kernel::time::Delta::from_millis(1));
    }

    fn power_off(&self) {
        self.last_words(|regs| watchdog::hw_power_off(regs));
        kernel::time::delay::udelay(kernel::time::Delta::from_millis(1));
    }
}
