// SPDX-License-Identifier: GPL-2.0

//! maxim_rtc: a Rust driver for Maxim's (formerly Dallas') I2C real-time clocks, the DS1307,
//! DS1338 and DS3231, on the kernel's RTC class.
//!
//! The chips keep the time in seven BCD registers, on a coin cell while the board is off, and
//! answer at I2C address 0x68. On a Raspberry Pi they sit on I2C1 (GPIO 2 and 3); the project's
//! overlay `rpi-rtc` adds the node with the upstream compatible (`dallas,ds1307`,
//! `dallas,ds1338` or `maxim,ds3231`), and modules.alias loads this module from it. The in-tree
//! C rtc-ds1307 (`CONFIG_RTC_DRV_DS1307`) must stay off so that only one driver owns the chip.
//!
//! The RTC class (through the `kernel::rtc` abstraction) provides `/dev/rtcN`, the `RTC_*`
//! ioctls, `/sys/class/rtc/rtcN` and setting the system clock at boot; `hwclock` and
//! `timedatectl` work unchanged. The driver is the chips' register sequences: reading and
//! setting the time, the stopped-oscillator flags (a time the chip lost reads as `EINVAL`, with
//! a message to set the clock), the range of years each chip holds, and on a DS3231 the aging
//! offset (`/sys/class/rtc/rtcN/offset`) and the temperature (`/sys/class/hwmon/hwmonN`, through
//! the `kernel::hwmon` abstraction, when the kernel has `CONFIG_RUST_HWMON_ABSTRACTIONS`).
//!
//! Not handled: alarms and the square-wave output (the chips' interrupt pin is not wired on
//! common Pi modules), the NVRAM, trickle charging (DS1339 and others), and the other chips
//! rtc-ds1307 drives.
//!
//! The register map, BCD, the hour modes, the century bit, the flags and the register sequences
//! live in `core/src/` as plain Rust shared with the host tests; the files here are the kernel
//! glue.

use kernel::{i2c, of, prelude::*};

// Plain-Rust logic shared with the host crate `maxim-rtc-core` (driver/maxim_rtc/core). Each file
// is included under the module name it has there, so `crate::regs` resolves identically in both.
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/bcd.rs"]
mod bcd;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/chip.rs"]
mod chip;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/clock.rs"]
mod clock;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/date.rs"]
mod date;
#[cfg(all(CONFIG_KUNIT = "y", not(maxim_rtc_without_kunit)))]
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/fake.rs"]
mod fake;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/regs.rs"]
mod regs;
#[cfg(all(CONFIG_KUNIT = "y", not(maxim_rtc_without_kunit)))]
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/scenarios.rs"]
mod scenarios;
#[allow(unreachable_pub, dead_code)]
#[path = "core/src/time.rs"]
mod time;

mod bus;
// The KUnit suite (and the fake chip it uses) is built with CONFIG_KUNIT; `make bench` builds a copy
// without it (--cfg maxim_rtc_without_kunit) to compare sizes with the C driver fairly.
#[cfg(all(CONFIG_KUNIT = "y", not(maxim_rtc_without_kunit)))]
mod kunit;
mod ops;
mod probe;
#[cfg(CONFIG_RUST_HWMON_ABSTRACTIONS)]
mod thermometer;

use chip::Chip;

kernel::of_device_table!(
    OF_TABLE,
    <MaximRtcDriver as i2c::Driver>::IdInfo,
    [
        (of::DeviceId::new(c"dallas,ds1307"), Chip::Ds1307),
        (of::DeviceId::new(c"dallas,ds1338"), Chip::Ds1338),
        (of::DeviceId::new(c"maxim,ds3231"), Chip::Ds3231),
    ]
);

// For `echo ds3231 0x68 > /sys/bus/i2c/devices/i2c-1/new_device` on a system without the overlay.
kernel::i2c_device_table!(
    I2C_TABLE,
    <MaximRtcDriver as i2c::Driver>::IdInfo,
    [
        (i2c::DeviceId::new(c"ds1307"), Chip::Ds1307),
        (i2c::DeviceId::new(c"ds1338"), Chip::Ds1338),
        (i2c::DeviceId::new(c"ds3231"), Chip::Ds3231),
    ]
);

/// The I2C driver. The clock's state lives in its RTC registration, a device resource.
pub(crate) struct MaximRtcDriver;

impl i2c::Driver for MaximRtcDriver {
    type IdInfo = Chip;
    type Data<'bound> = Self;
    const I2C_ID_TABLE: Option<i2c::IdTable<Self::IdInfo>> = Some(&I2C_TABLE);
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        client: &'bound i2c::I2cClient<kernel::device::Core<'_>>,
        chip: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        probe::probe(client, chip.copied()).map(|()| MaximRtcDriver)
    }
}

kernel::module_i2c_driver! {
    type: MaximRtcDriver,
    name: "maxim_rtc",
    authors: ["rpi-rust-wdt developers"],
    description: "Maxim/Dallas DS1307, DS1338 and DS3231 I2C real-time clocks (Rust)",
    license: "GPL v2",
}
