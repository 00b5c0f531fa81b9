// SPDX-License-Identifier: GPL-2.0

//! rpi_wdt: a Rust driver for the Raspberry Pi's PM watchdog (BCM2835/BCM2837 on the Pi 3, BCM2711 on
//! the Pi 4), on the kernel's watchdog core.
//!
//! The device comes from the project's device-tree overlay: a node under `/soc` with compatible
//! `rpi-rust-wdt,bcm2835-pm-wdt` (or `rpi-rust-wdt,bcm2711-pm-wdt`) covering RSTC..WDOG, 12 bytes of the
//! PM block. The in-tree `bcm2835-pm` MFD keeps the whole PM block for power domains and resets, so this
//! driver maps its 12 bytes without claiming them (`iomap_sized`, not the exclusive variant), and the
//! in-tree C watchdog (`CONFIG_BCM2835_WDT`) must stay off so that only one driver drives RSTC and WDOG.
//!
//! The driver is the hardware's register sequences and nothing more; the watchdog core (through the
//! `kernel::watchdog` abstraction) provides `/dev/watchdogN`, `/dev/watchdog`,
//! `/sys/class/watchdog/watchdogN`, single open, magic close, nowayout, timeouts longer than the
//! 16 s one load of WDOG holds (its worker reloads the hardware), keeping a watchdog found running at
//! probe alive until userspace opens it, stopping on reboot, and the restart handler. On top, it
//! registers a power-off handler (the firmware's partition-63 halt convention) when the node has
//! `system-power-controller`, and adds two sysfs attributes: `reset_reason` and `rsts`.
//!
//! Not handled: pretimeouts (the hardware has none), and telling a watchdog expiry from a reboot
//! (the hardware cannot; see `core/src/boot_status.rs`).
//!
//! The register layout, timeout arithmetic, boot-status decoding and register sequences live in
//! `core/src/` as plain Rust shared with the host tests; the files here are the kernel glue.

use kernel::{of, platform, prelude::*};

// Plain-Rust logic shared with the host crate `rpi-wdt-core` (driver/rpi_wdt/core). Each file is included under
// the module name it has there, so `crate::regs` resolves identically in both crates.
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/boot_status.rs"]
mod boot_status;
#[cfg(all(CONFIG_KUNIT = "y", not(rpi_wdt_without_kunit)))]
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/fake_pm.rs"]
mod fake_pm;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/hw.rs"]
mod hw;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/ident.rs"]
mod ident;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/regs.rs"]
mod regs;
#[cfg(all(CONFIG_KUNIT = "y", not(rpi_wdt_without_kunit)))]
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/scenarios.rs"]
mod scenarios;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/timeout.rs"]
mod timeout;

// The KUnit suite (and the fake register bank it uses) is built with CONFIG_KUNIT; `make bench` builds a
// copy without it (--cfg rpi_wdt_without_kunit) to compare sizes with the C driver fairly.
#[cfg(all(CONFIG_KUNIT = "y", not(rpi_wdt_without_kunit)))]
mod kunit;
mod mmio;
mod pm;
mod probe;
mod sys_off;
mod wdt;

/// Which SoC the matched compatible names. Both behave the same; it is reported at probe.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Soc {
    /// BCM2835/BCM2836/BCM2837: Pi 1 to Pi 3.
    Bcm2835,
    /// BCM2711: Pi 4.
    Bcm2711,
}

kernel::of_device_table!(
    OF_TABLE,
    <RpiWdtDriver as platform::Driver>::IdInfo,
    [
        (of::DeviceId::new(c"rpi-rust-wdt,bcm2835-pm-wdt"), Soc::Bcm2835),
        (of::DeviceId::new(c"rpi-rust-wdt,bcm2711-pm-wdt"), Soc::Bcm2711),
    ]
);

/// The platform driver.
pub(crate) struct RpiWdtDriver;

impl platform::Driver for RpiWdtDriver {
    type IdInfo = Soc;
    type Data<'bound> = probe::RpiWdtDevice;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<kernel::device::Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        probe::probe(pdev, info.copied().unwrap_or(Soc::Bcm2835))
    }

    fn unbind<'bound>(
        pdev: &'bound platform::Device<kernel::device::Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) {
        probe::unbind(pdev, this);
    }
}

kernel::module_platform_driver! {
    type: RpiWdtDriver,
    name: "rpi_wdt",
    authors: ["rpi-rust-wdt developers"],
    description: "Raspberry Pi BCM2835/BCM2711 PM watchdog (Rust)",
    license: "GPL v2",
    params: {
        heartbeat: u32 {
            default: 0,
            description: "Watchdog timeout in seconds (0 = the node's timeout-sec, else 15; over 15 s the kernel reloads the hardware)",
        },
        nowayout: bool {
            default: false,
            description: "Watchdog cannot be stopped once started",
        },
    },
}
