// SPDX-License-Identifier: GPL-2.0

//! Why the board last reset, decoded from the RSTS value read at probe.
//!
//! What the hardware can tell apart: a power-on reset (HADPOR) from a watchdog full reset (HADWRF).
//! What it cannot: a watchdog expiry from a plain `reboot`, because Linux restarts a Pi by arming the
//! same watchdog with a 10-tick countdown. Both leave HADWRF set, so a watchdog reset is reported as
//! "watchdog or reboot", and WDIOF_CARDRESET is set for both, as drivers with the same hardware limit do.
//! The quick and hard watchdog bits (HADWRQ, HADWRH) share bits with the firmware's partition field and
//! are therefore not used.

use crate::abi::{self, WDIOF_CARDRESET};
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
    /// The value the control node reports in `RpiWdtBootStatus::cause`.
    pub const fn abi_value(self) -> u32 {
        match self {
            ResetCause::Unknown => abi::CAUSE_UNKNOWN,
            ResetCause::PowerOn => abi::CAUSE_POWER_ON,
            ResetCause::WatchdogOrReboot => abi::CAUSE_WATCHDOG_OR_REBOOT,
        }
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

    /// The boot partition the firmware was asked for (63 means halt).
    pub const fn partition(self) -> u32 {
        rsts_partition(self.raw)
    }

    /// The WDIOF_* flags WDIOC_GETBOOTSTATUS reports.
    pub const fn wdiof_flags(self) -> u32 {
        match self.cause() {
            ResetCause::WatchdogOrReboot => WDIOF_CARDRESET,
            _ => 0,
        }
    }

    /// The control node's view of this status.
    pub const fn to_abi(self) -> abi::RpiWdtBootStatus {
        abi::RpiWdtBootStatus {
            rsts: self.raw,
            wdiof_flags: self.wdiof_flags(),
            cause: self.cause().abi_value(),
            partition: self.partition(),
        }
    }
}
