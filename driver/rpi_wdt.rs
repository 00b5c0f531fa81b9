// SPDX-License-Identifier: GPL-2.0

//! rpi_wdt: a Rust driver for the Raspberry Pi's PM watchdog (BCM2835/BCM2837 on the Pi 3, BCM2711 on
//! the Pi 4).
//!
//! The device comes from the project's device-tree overlay: a node under `/soc` with compatible
//! `rpi-rust-wdt,bcm2835-pm-wdt` (or `rpi-rust-wdt,bcm2711-pm-wdt`) covering RSTC..WDOG, 12 bytes of the
//! PM block. The in-tree `bcm2835-pm` MFD keeps the whole PM block for power domains and resets, so this
//! driver maps its 12 bytes without claiming them (`iomap_sized`, not the exclusive variant), and the
//! in-tree C watchdog (`CONFIG_BCM2835_WDT`) must stay off so that only one driver drives RSTC and WDOG.
//!
//! It offers:
//! - `/dev/rpi-wdt`: the standard Linux watchdog ABI (`include/uapi/linux/watchdog.h`), for busybox
//!   `watchdog`, systemd, the watchdog daemon and the kernel's watchdog selftest;
//! - `/dev/rpi-wdt-ctl`: a control node for the project's `wdtctl`, which does not arm on open;
//! - restart through the watchdog, and power-off through the firmware's partition-63 halt convention when
//!   the node has `system-power-controller`;
//! - boot status decoded from RSTS at probe.
//!
//! Not handled: pretimeouts and timeouts over 15 s (the hardware has neither), keeping a watchdog that was
//! already running at probe alive from the kernel (it is stopped unless nowayout), stopping the watchdog on
//! `halt`, and more than one instance (the node names are fixed; a second probe fails with EBUSY).
//!
//! The register encoding, timeout arithmetic, boot-status decoding, ABI and state machine live in
//! `core/src/` as plain Rust shared with the host tests and userspace; the files here are the kernel glue.

use kernel::{of, platform, prelude::*};

// Plain-Rust logic shared with the host crate `rpi-wdt-core` (driver/core). Each file is included under
// the module name it has there, so `crate::regs` resolves identically in both crates.
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/abi.rs"]
mod abi;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/boot_status.rs"]
mod boot_status;
#[cfg(all(CONFIG_KUNIT = "y", not(rpi_wdt_without_kunit)))]
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/fake_pm.rs"]
mod fake_pm;
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
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/watchdog.rs"]
mod watchdog;

mod ctl_node;
// The KUnit suite (and the fake register bank it uses) is built with CONFIG_KUNIT; `make bench` builds a
// copy without it (--cfg rpi_wdt_without_kunit) to compare sizes with the C driver fairly.
#[cfg(all(CONFIG_KUNIT = "y", not(rpi_wdt_without_kunit)))]
mod kunit;
mod mmio;
mod probe;
mod shared;
mod sys_off;
mod uapi;
mod wdt_node;

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
            description: "Watchdog timeout in seconds, 1..15 (0 = 15; larger values are clamped to 15)",
        },
        nowayout: bool {
            default: false,
            description: "Watchdog cannot be stopped once started",
        },
    },
}
