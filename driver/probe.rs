// SPDX-License-Identifier: GPL-2.0

//! Probe and unbind: map the registers, read the boot status, apply the module parameters, then publish
//! the restart/power-off handlers and the two device nodes.
//!
//! The order matters. `shared` is initialised first, because a device node can be opened the moment it is
//! registered, and its `open` reaches `shared` through the registration's container. Fields drop in
//! declaration order, so the nodes go first at unbind (no new opens), then the handlers, then this
//! device's reference to `shared` (open files may keep it longer; their register access then fails with
//! ENODEV).

use kernel::{device::Core, miscdevice::MiscDeviceRegistration, platform, prelude::*, sync::Arc};

use crate::ctl_node::{self, CtlNode};
use crate::regs::{Reg, MAP_SIZE};
use crate::shared::Shared;
use crate::sys_off::{self, Mode, SysOffHandler};
use crate::wdt_node::{self, WdtNode};
use crate::{boot_status::BootStatus, timeout, watchdog, Soc};

/// The driver data of one bound watchdog.
#[pin_data]
pub(crate) struct RpiWdtDevice {
    #[pin]
    wdt_node: MiscDeviceRegistration<WdtNode>,
    #[pin]
    ctl_node: MiscDeviceRegistration<CtlNode>,
    restart: SysOffHandler<Shared>,
    power_off: Option<SysOffHandler<Shared>>,
    shared: Arc<Shared>,
}

impl RpiWdtDevice {
    /// The shared state behind a `/dev/rpi-wdt` registration.
    pub(crate) fn shared_of_wdt_node(misc: &MiscDeviceRegistration<WdtNode>) -> Arc<Shared> {
        let misc: *const MiscDeviceRegistration<WdtNode> = misc;
        // SAFETY: Every `MiscDeviceRegistration<WdtNode>` is the `wdt_node` field of a pinned
        // `RpiWdtDevice` (registered only in `probe`), so the container pointer is valid.
        let this: *const RpiWdtDevice = unsafe { kernel::container_of!(misc, RpiWdtDevice, wdt_node) };
        // SAFETY: `shared` is initialised before either node is registered and dropped only after both
        // are deregistered; misc_open holds the misc lock that deregistration takes, so the field is
        // alive for this call. Only this field is read, never the whole (possibly partial) struct.
        unsafe { (*core::ptr::addr_of!((*this).shared)).clone() }
    }

    /// The shared state behind a `/dev/rpi-wdt-ctl` registration.
    pub(crate) fn shared_of_ctl_node(misc: &MiscDeviceRegistration<CtlNode>) -> Arc<Shared> {
        let misc: *const MiscDeviceRegistration<CtlNode> = misc;
        // SAFETY: As in `shared_of_wdt_node`, for the `ctl_node` field.
        let this: *const RpiWdtDevice = unsafe { kernel::container_of!(misc, RpiWdtDevice, ctl_node) };
        // SAFETY: As in `shared_of_wdt_node`.
        unsafe { (*core::ptr::addr_of!((*this).shared)).clone() }
    }
}

/// The timeout from the `heartbeat` parameter or the node's `timeout-sec`, clamped with a warning.
fn configured_timeout(dev: &kernel::device::Device) -> u32 {
    let heartbeat = crate::module_parameters::heartbeat.value();
    let dt_timeout = dev.fwnode().map_or(0, |node| node.property_read::<u32>(c"timeout-sec").or(0));
    let (seconds, requested, clamped) = timeout::choose(heartbeat, dt_timeout);
    if clamped {
        let source = if heartbeat != 0 { "heartbeat" } else { "timeout-sec" };
        dev_warn!(
            dev,
            "{}={} is out of range {}..{} s: using {} s\n",
            source,
            requested,
            timeout::MIN_TIMEOUT_S,
            timeout::MAX_TIMEOUT_S,
            seconds
        );
    }
    seconds
}

pub(crate) fn probe<'bound, 'ctx>(
    pdev: &'bound platform::Device<Core<'ctx>>,
    soc: Soc,
) -> impl PinInit<RpiWdtDevice, Error> + 'bound + use<'bound, 'ctx> {
    pin_init::pin_init_scope(move || {
        let dev = pdev.as_ref();
        let size = pdev.resource_by_index(0).map(|r| r.size()).ok_or_else(|| {
            dev_err!(
                dev,
                "no 'reg' in the device-tree node: it must cover RSTC..WDOG (12 bytes at PM + 0x1c)\n"
            );
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

        let mut regs = crate::mmio::MmioPm::new(&iomem);
        let boot = BootStatus::from_rsts(watchdog::PmRegisters::read(&mut regs, Reg::Rsts));
        let nowayout = crate::module_parameters::nowayout.value();
        let mut wdt = watchdog::Watchdog::new(configured_timeout(dev), nowayout, boot);
        match wdt.adopt_at_probe(&mut regs) {
            watchdog::AdoptOutcome::NotRunning => {}
            watchdog::AdoptOutcome::Stopped => {
                dev_warn!(dev, "watchdog was already running (started before this driver): stopped it\n")
            }
            watchdog::AdoptOutcome::KeptRunning => dev_warn!(
                dev,
                "watchdog was already running and nowayout is set: it keeps running; open /dev/rpi-wdt within {} s\n",
                timeout::ticks_to_secs(watchdog::hw_ticks_left(&mut regs))
            ),
        }
        let timeout_s = wdt.timeout_s();
        let power_off_capable =
            dev.fwnode().is_some_and(|node| node.property_present(c"system-power-controller"));

        let shared = Shared::new(iomem.into_devres()?, wdt)?;
        let restart = SysOffHandler::register(Mode::Restart, sys_off::PRIO_RESTART_WATCHDOG, shared.clone())?;
        let power_off = if power_off_capable {
            Some(SysOffHandler::register(Mode::PowerOff, sys_off::PRIO_DEFAULT, shared.clone())?)
        } else {
            None
        };

        let power_off_state = if power_off_capable { "yes" } else { "no" };
        dev_info!(
            dev,
            "{:?} PM watchdog: timeout {} s, nowayout {}, power-off {}, last reset: {:?} (RSTS {:#06x})\n",
            soc,
            timeout_s,
            nowayout,
            power_off_state,
            boot.cause(),
            boot.raw()
        );

        Ok(try_pin_init!(RpiWdtDevice {
            shared,
            restart,
            power_off,
            wdt_node <- wdt_node::register(),
            ctl_node <- ctl_node::register(),
        }))
    })
}

pub(crate) fn unbind(pdev: &platform::Device<Core<'_>>, this: Pin<&RpiWdtDevice>) {
    let still_running = this.shared.with_hw(|wdt, regs, _| {
        let running = wdt.shutdown(regs);
        (running, wdt.time_left_s(regs))
    });
    if let Ok((true, left)) = still_running {
        dev_crit!(
            pdev.as_ref(),
            "unbound with nowayout while running: the watchdog keeps counting; the board resets in {} s\n",
            left
        );
    }
}
