// SPDX-License-Identifier: GPL-2.0

//! The power-off handler: the Pi firmware's halt convention, through the kernel's sys-off chain.
//!
//! Powering a Pi off means asking the firmware to halt after the next reset (boot partition 63 in
//! RSTS), then resetting through the watchdog, as the C driver does. It is registered only when the
//! device-tree node has `system-power-controller`.

use kernel::{
    prelude::*,
    sync::Arc,
    sys_off::{self, priority, Mode},
};

use crate::pm::Pm;

/// The handler: the registers of the PM block it resets.
pub(crate) struct PowerOff(Arc<Pm>);

impl sys_off::Handler for PowerOff {
    fn handle(&self) {
        self.0.power_off();
    }
}

/// A registered power-off handler; dropping it unregisters the handler.
pub(crate) type PowerOffHandler = Pin<KBox<sys_off::Registration<PowerOff>>>;

/// Registers `pm`'s power-off sequence at the default priority.
pub(crate) fn register(pm: Arc<Pm>) -> Result<PowerOffHandler> {
    KBox::pin_init(sys_off::Registration::new(Mode::PowerOff, priority::DEFAULT, PowerOff(pm)), GFP_KERNEL)
}
