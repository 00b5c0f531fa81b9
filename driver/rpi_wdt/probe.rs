// SPDX-License-Identifier: GPL-2.0

//! Probe and unbind: map the registers, read the boot status and whether the watchdog already runs,
//! then register the watchdog with the kernel's watchdog core and, if the node says so, a power-off
//! handler.
//!
//! The mapping becomes a device resource before the watchdog registration, which is one too: device
//! resources are released in reverse order, so the watchdog is unregistered (and its operations have
//! stopped) before the mapping is revoked. Fields drop in declaration order at unbind: the power-off
//! handler first, then the watchdog.

use kernel::{
    device::Core,
    devres::Devres,
    platform,
    prelude::*,
    watchdog::{self, Flags},
};

use crate::boot_status::BootStatus;
use crate::hw::{self, PmRegisters};
use crate::mmio::MmioPm;
use crate::pm::Pm;
use crate::regs::{Reg, MAP_SIZE};
use crate::sys_off::{self, PowerOffHandler};
use crate::wdt::RpiWdt;
use crate::{timeout, Soc};

/// The restart priority the C bcm2835_wdt driver uses: the default restart handler.
const RESTART_PRIORITY: i32 = 128;

/// The driver data of one bound watchdog.
pub(crate) struct RpiWdtDevice {
    _power_off: Option<PowerOffHandler>,
    watchdog: Devres<watchdog::Registration<RpiWdt>>,
}

/// Probes one device. The result is the driver data, moved into place by the platform core.
pub(crate) fn probe(pdev: &platform::Device<Core<'_>>, soc: Soc) -> Result<RpiWdtDevice> {
    let dev = pdev.as_ref();
    let size = pdev.resource_by_index(0).map(|r| r.size()).ok_or_else(|| {
        dev_err!(dev, "no 'reg' in the device-tree node: it must cover RSTC..WDOG (12 bytes at PM + 0x1c)\n");
        ENODEV
    })?;
    if size < MAP_SIZE as u64 {
        dev_err!(
            dev,
            "'reg' is {} bytes; it must cover RSTC..WDOG ({} bytes at PM + 0x1c)\n",
            size,
            MAP_SIZE
        );
        return Err(EINVAL);
    }
    // Not exclusive: the bcm2835-pm MFD owns the PM block's resource and must keep it.
    let iomem = pdev.io_request_by_index(0).ok_or(ENODEV)?.iomap_sized::<MAP_SIZE>()?;
    let (boot, running) = {
        let mut regs = MmioPm::new(&iomem);
        (BootStatus::from_rsts(regs.read(Reg::Rsts)), hw::is_running(&mut regs))
    };
    let pm = Pm::new(iomem.into_devres()?)?;

    let nowayout = crate::module_parameters::nowayout.value();
    let options = watchdog::Options {
        timeout: timeout::DEFAULT_TIMEOUT_S,
        timeout_param: crate::module_parameters::heartbeat.value(),
        min_timeout: timeout::MIN_TIMEOUT_S,
        max_hw_heartbeat_ms: timeout::MAX_HW_HEARTBEAT_MS,
        nowayout,
        bootstatus: if boot.watchdog_reset() { Flags::CARDRESET } else { Flags::NONE },
        hw_running: running,
        stop_on_reboot: true,
        stop_on_unregister: true,
        restart_priority: RESTART_PRIORITY,
        ..watchdog::Options::default()
    };
    let watchdog = watchdog::Registration::new(dev, options, RpiWdt::new(pm.clone(), boot))?;

    let power_off_capable =
        dev.fwnode().is_some_and(|node| node.property_present(c"system-power-controller"));
    let power_off = if power_off_capable { Some(sys_off::register(pm)?) } else { None };

    let wdd = watchdog.access(dev)?.device();
    dev_info!(
            dev,
            "{:?} PM watchdog: watchdog{}, timeout {} s, nowayout {}, power-off {}, last reset: {} (RSTS {:#06x})\n",
            soc,
            wdd.id(),
            wdd.timeout(),
            nowayout,
            if power_off_capable { "yes" } else { "no" },
            boot.cause().name(),
            boot.raw()
        );
    if running {
        dev_warn!(
                dev,
                "watchdog{} was already running: the kernel keeps it alive until userspace opens /dev/watchdog{}\n",
                wdd.id(),
                wdd.id()
            );
    }

    Ok(RpiWdtDevice { _power_off: power_off, watchdog })
}

pub(crate) fn unbind(pdev: &platform::Device<Core<'_>>, this: Pin<&RpiWdtDevice>) {
    let dev = pdev.as_ref();
    let Ok(registration) = this.watchdog.access(dev) else { return };
    let wdd = registration.device();
    if wdd.is_hw_running() && crate::module_parameters::nowayout.value() {
        dev_crit!(
            dev,
            "unbound with nowayout while running: the watchdog keeps counting and the board resets unless the driver is bound again in time\n"
        );
    }
}
