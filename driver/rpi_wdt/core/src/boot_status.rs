// SPDX-License-Identifier: GPL-2.0

//! Why the board last reset, decoded from the RSTS value read at probe.
//!
//! What the hardware can tell apart: a power-on reset (HADPOR) from a watchdog full reset (HADWRF).
//! What it cannot: a watchdog expiry from a plain `reboot`, because Linux restarts a Pi by arming the
//! same watchdog with a 10-tick countdown. Both leave HADWRF set, so a watchdog reset is reported as
//! "watchdog or reboot", and the watchdog core's WDIOF_CARDRESET boot status is set for both, as
//! drivers with the same hardware limit do. The quick and hard watchdog bits (HADWRQ, HADWRH) share
//! bits with the firmware's partition field and are therefore not used.

use crate::regs::{rsts, rsts_partition};

/// The reset cause as this driver reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetCause {
    /// No recognised bit is set.
    Unknown,
    /// Power was applied (HADPOR without HADWRF).
    PowerOn,
    /// The watchdog reset the chip: an expiry, or a reboot (indistinguishable, see the module docs).
    WatchdogOrReboot,
}

impl ResetCause {
    /// Every cause, in a fixed order.
    pub const ALL: [ResetCause; 3] = [ResetCause::Unknown, ResetCause::PowerOn, ResetCause::WatchdogOrReboot];

    /// The name the driver's `reset_reason` sysfs attribute and wdtctl use.
    pub const fn name(self) -> &'static str {
        match self {
            ResetCause::Unknown => "unknown",
            ResetCause::PowerOn => "power-on",
            ResetCause::WatchdogOrReboot => "watchdog-or-reboot",
        }
    }

    /// Parses a name written by [`ResetCause::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|cause| cause.name() == name)
    }
}

/// RSTS as read at probe, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootStatus {
    raw: u32,
}

impl BootStatus {
    /// Decodes an RSTS value (the password byte, if any, is ignored).
    pub const fn from_rsts(raw: u32) -> Self {
        BootStatus { raw: raw & !crate::regs::PASSWORD_MASK }
    }

    /// The RSTS value without the password byte.
    pub const fn raw(self) -> u32 {
        self.raw
    }

    /// Why the chip last reset.
    pub const fn cause(self) -> ResetCause {
        if self.raw & rsts::HADWRF != 0 {
            ResetCause::WatchdogOrReboot
        } else if self.raw & rsts::HADPOR != 0 {
            ResetCause::PowerOn
        } else {
            ResetCause::Unknown
        }
    }

    /// Whether the watchdog reset the chip: the boot status the watchdog core reports as
    /// WDIOF_CARDRESET.
    pub const fn watchdog_reset(self) -> bool {
        matches!(self.cause(), ResetCause::WatchdogOrReboot)
    }

    /// The boot partition the firmware was asked for (63 means halt).
    pub const fn partition(self) -> u32 {
        rsts_partition(self.raw)
    }
}
