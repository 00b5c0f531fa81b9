// SPDX-License-Identifier: GPL-2.0

//! The watchdog operations: what the kernel's watchdog core asks of the hardware.
//!
//! - `start` loads WDOG with the timeout, or with the whole 20-bit counter when the timeout is longer
//!   (the core then reloads it in time: `max_hw_heartbeat_ms` is one full load), and arms RSTC. The
//!   core pings by calling `start` again, as with the C driver, so there is no `ping`.
//! - `stop` disarms RSTC.
//! - `get_timeleft` reads what WDOG holds, 0 when stopped. With a timeout over 15 s that is the time
//!   until the next reload by the kernel, not until the reset; the C driver reports the same.
//! - `restart` loads 10 ticks and arms: the machine resets within about 150 µs.
//!
//! Two attributes join the core's in `/sys/class/watchdog/watchdogN/`: `reset_reason` (the decoded
//! cause of the last reset: power-on, watchdog-or-reboot or unknown) and `rsts` (RSTS as read at
//! probe), which the core's `bootstatus` cannot carry.

use kernel::{
    device::{Bound, Device},
    fmt::Write,
    prelude::*,
    str::Formatter,
    sync::Arc,
    watchdog::{self, Attribute, Flags, Info},
};

use crate::boot_status::BootStatus;
use crate::ident::{IDENTITY, RESET_REASON_ATTR, RSTS_ATTR};
use crate::pm::Pm;
use crate::{hw, timeout};

/// The options `WDIOC_GETSUPPORT` reports: the boot status can say whether the watchdog reset the
/// board; there is no pretimeout and no temperature.
const OPTIONS: Flags =
    Flags::SETTIMEOUT.union(Flags::MAGICCLOSE).union(Flags::KEEPALIVEPING).union(Flags::CARDRESET);

/// One PM watchdog, as its watchdog registration owns it.
pub(crate) struct RpiWdt {
    pm: Arc<Pm>,
    boot: BootStatus,
}

impl RpiWdt {
    pub(crate) fn new(pm: Arc<Pm>, boot: BootStatus) -> Self {
        RpiWdt { pm, boot }
    }

    fn show_reset_reason(&self, f: &mut Formatter<'_>) -> Result {
        writeln!(f, "{}", self.boot.cause().name())?;
        Ok(())
    }

    fn show_rsts(&self, f: &mut Formatter<'_>) -> Result {
        writeln!(f, "{:#010x}", self.boot.raw())?;
        Ok(())
    }
}

#[vtable]
impl watchdog::Operations for RpiWdt {
    const INFO: Info = Info::new(IDENTITY, OPTIONS, 0);
    const ATTRIBUTES: &'static [Attribute<Self>] = &[
        Attribute::new(RESET_REASON_ATTR, Self::show_reset_reason),
        Attribute::new(RSTS_ATTR, Self::show_rsts),
    ];

    fn start(&self, wdd: &watchdog::Device, parent: &Device<Bound>) -> Result {
        let ticks = timeout::load_ticks(wdd.timeout());
        self.pm.with_regs(parent, |regs| hw::start(regs, ticks))
    }

    fn stop(&self, _wdd: &watchdog::Device, parent: &Device<Bound>) -> Result {
        self.pm.with_regs(parent, |regs| hw::stop(regs))
    }

    fn get_timeleft(&self, _wdd: &watchdog::Device, parent: &Device<Bound>) -> u32 {
        self.pm.with_regs(parent, |regs| timeout::ticks_to_secs(hw::ticks_left(regs))).unwrap_or(0)
    }

    fn restart(&self, _wdd: &watchdog::Device, _parent: &Device<Bound>) -> Result {
        self.pm.restart();
        Ok(())
    }
}
