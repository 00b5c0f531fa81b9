//! The I2C real-time clock's checks that need the raw console or a QEMU machine of their own:
//! maxim_rtc's KUnit suite, a stand-in DS3231, and a boot with the overlay but no chip. The
//! scenarios that run over a shell (probe and autoload, hwclock both ways, set and refused times,
//! the stopped oscillator, unbind/bind and rmmod/modprobe cycles, the time over a reboot) are the
//! HIL table's (tests/hil/src/rtc.rs), which runs on these boards too.
//!
//! QEMU models a DS1338 only. The main boot adds a second one at 0x69 as a stand-in DS3231
//! ([`DS3231_STAND_IN`]): the DS3231's registers past the time (control, status, aging offset,
//! temperature) fall in that model's NVRAM, so maxim_rtc bound to it as a `ds3231` runs its DS3231
//! paths, and the hwmon abstraction registers the temperature sensor, end to end.
//!
//! Some checks need the project's QEMU patches (board/qemu/patches/, `make qemu-build`): raspi4b's
//! I2C interrupt, and the DS1338's time set from all registers at the end of a write (the
//! reliability suite's fuzzer). On stock QEMU they are skipped, saying why ([`StockQemu`]).
//!
//! Not checked here (QEMU cannot show it): the DS3231's own behaviour, its temperature conversions,
//! the aging offset's effect on the frequency and its oscillator stop flag (the KUnit suite and host
//! tests cover the register sequences on the fake chip), and the time surviving a power cycle of a
//! real board.

use std::time::Instant;

use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;

use crate::suites::{kunit_suite, sh, sh_any, Session};

/// The driver's KUnit suite: one case per shared scenario (driver/maxim_rtc/core/src/scenarios.rs).
const KUNIT_SUITE: &str = "maxim_rtc_regs";
const DRIVER_DIR: &str = "/sys/bus/i2c/drivers/maxim_rtc";

/// The QEMU device of the stand-in DS3231: a DS1338 model at 0x69 on the same bus, with no node in
/// the device tree, so nothing binds it until [`ds3231_stand_in`] instantiates it.
pub const DS3231_STAND_IN: &str = "-device ds1338,bus=i2c-bus.1,address=0x69";
/// The stand-in's address, as in [`DS3231_STAND_IN`].
const STAND_IN_ADDRESS: u8 = 0x69;
/// The stand-in's client.
const STAND_IN_CLIENT: &str = "1-0069";

/// The main boot's check of the stand-in.
const DS3231_CHECK: &str = "rtc/ds3231_temperature_through_hwmon_and_aging_offset";

/// What stock QEMU 10.0 lacks that a check needs; the project's QEMU patches add it.
#[derive(Clone, Copy)]
pub enum StockQemu {
    /// raspi4b's I2C controllers have no interrupt (board/qemu/patches/0005).
    Raspi4bI2cIrq,
    /// The ds1338 model sets its clock field by field as a write goes, so the 31st written while
    /// the clock is in a shorter month rolls over (board/qemu/patches/0002).
    FieldByField,
}

impl StockQemu {
    pub fn why(self) -> String {
        let lack = match self {
            StockQemu::Raspi4bI2cIrq => {
                "stock QEMU 10.0's raspi4b does not connect the I2C controllers' interrupt to its GIC, so \
                 every I2C transfer times out and maxim_rtc's probe fails"
            }
            StockQemu::FieldByField => {
                "stock QEMU 10.0's ds1338 sets its clock field by field during a write, so a 31st set \
                 while the clock is in a shorter month lands in the next month"
            }
        };
        format!("{lack}; build the project's QEMU with 'make qemu-build'")
    }
}

/// A register of the chip at `address` on I2C1, read around its driver through i2c-dev (`-f`: the
/// address is the driver's).
fn i2cget(g: &mut Guest, address: u8, reg: u8) -> Result<u8, String> {
    let out = sh(g, &format!("i2cget -f -y 1 {address:#04x} {reg:#04x}"))?;
    u8::from_str_radix(out.trim().trim_start_matches("0x"), 16)
        .map_err(|e| format!("i2cget {reg:#04x} printed {out:?}: {e}"))
}

/// The directory of the stand-in's hwmon device, `/sys/class/hwmon/hwmonN`, checking that it is
/// the only one named ds3231 and that it belongs to the stand-in's client.
fn stand_in_hwmon(g: &mut Guest) -> Result<String, String> {
    let names = sh(g, "grep -lx ds3231 /sys/class/hwmon/hwmon*/name || true")?;
    let dirs: Vec<&str> = names.lines().filter_map(|l| l.trim().strip_suffix("/name")).collect();
    let [dir] = dirs[..] else {
        return Err(format!("expected one hwmon device named ds3231, found {dirs:?}"));
    };
    let device = sh(g, &format!("basename $(readlink -f {dir}/device)"))?;
    if device.trim() != STAND_IN_CLIENT {
        return Err(format!("{dir} belongs to {:?}, expected {STAND_IN_CLIENT}", device.trim()));
    }
    Ok(dir.to_string())
}

/// Whether a hwmon device named ds3231 exists.
fn ds3231_hwmon_present(g: &mut Guest) -> Result<bool, String> {
    let (status, _) = sh_any(g, "grep -qx ds3231 /sys/class/hwmon/hwmon*/name 2>/dev/null")?;
    Ok(status == 0)
}

/// The number in a sysfs file.
fn number(g: &mut Guest, file: &str) -> Result<i64, String> {
    let out = sh(g, &format!("cat {file}"))?;
    out.trim().parse().map_err(|e| format!("{file} holds {out:?}: {e}"))
}

/// The stand-in's temperature registers set to `msb`, `lsb` (around the driver: `-f`), and read
/// back through hwmon as `millidegrees`.
fn temperature_reads(g: &mut Guest, msb: u8, lsb: u8, millidegrees: i64) -> Result<(), String> {
    use maxim_rtc_core::regs::DS3231_TEMPERATURE;
    sh(g, &format!("i2cset -f -y 1 {STAND_IN_ADDRESS:#04x} {DS3231_TEMPERATURE:#04x} {msb:#04x}"))?;
    sh(g, &format!("i2cset -f -y 1 {STAND_IN_ADDRESS:#04x} {:#04x} {lsb:#04x}", DS3231_TEMPERATURE + 1))?;
    let dir = stand_in_hwmon(g)?;
    let got = number(g, &format!("{dir}/temp1_input"))?;
    if got != millidegrees {
        return Err(format!(
            "temp1_input is {got} for registers {msb:#04x} {lsb:#04x}, expected {millidegrees}"
        ));
    }
    Ok(())
}

/// maxim_rtc bound as a DS3231 to the stand-in: the temperature through hwmon, negative ones
/// included; the aging offset through the RTC class, a refused one leaving the register as it was;
/// and unbind/bind cycles while a reader keeps reading the temperature.
fn ds3231_stand_in(g: &mut Guest) -> Result<(), String> {
    use maxim_rtc_core::clock::{aging_for_offset, PPB_PER_AGING_STEP};
    use maxim_rtc_core::regs::DS3231_AGING;
    let aging = |g: &mut Guest| i2cget(g, STAND_IN_ADDRESS, DS3231_AGING);
    // The shell expands no glob in a redirection's target, so the path is resolved first.
    let offset =
        sh(g, &format!("echo /sys/bus/i2c/devices/{STAND_IN_CLIENT}/rtc/rtc*/offset"))?.trim().to_string();
    temperature_reads(g, 0x19, 0x40, 25_250)?;
    temperature_reads(g, 0xf6, 0x80, -9_500)?;
    for ppb in [300, -12_800] {
        sh(g, &format!("echo {ppb} > {offset}"))?;
        let want = aging_for_offset(ppb).ok_or(format!("{ppb} ppb is out of the register's range"))?;
        if aging(g)? != want as u8 {
            return Err(format!("{ppb} ppb set the aging register to {:#04x}, expected {want}", aging(g)?));
        }
        let back = number(g, &offset)?;
        if back != i64::from(want) * PPB_PER_AGING_STEP {
            return Err(format!("{offset} reads {back} after {ppb} was set"));
        }
    }
    let before = aging(g)?;
    let (status, out) = sh_any(g, &format!("(echo 12800 > {offset}) 2>&1"))?;
    if status == 0 || !out.contains("out of range") || aging(g)? != before {
        return Err(format!(
            "an offset beyond the register: exit {status}, {out:?}; expected ERANGE and no change"
        ));
    }
    // A reader in the background races the unregistering hwmon device on every unbind.
    sh(
        g,
        "(while :; do cat /sys/class/hwmon/hwmon*/temp1_input >/dev/null 2>&1; done) & echo $! > /tmp/reader",
    )?;
    let cycles = (|| {
        for i in 0..5 {
            sh(g, &format!("echo {STAND_IN_CLIENT} > {DRIVER_DIR}/unbind"))?;
            if ds3231_hwmon_present(g)? {
                return Err(format!("cycle {i}: the hwmon device is still there after unbind"));
            }
            sh(g, &format!("echo {STAND_IN_CLIENT} > {DRIVER_DIR}/bind"))?;
        }
        Ok(())
    })();
    sh(g, "kill $(cat /tmp/reader); rm /tmp/reader")?;
    cycles?;
    temperature_reads(g, 0x19, 0x40, 25_250)
}

/// The check `name`, in a boot with [`DS3231_STAND_IN`]: the stand-in instantiated, checked by
/// [`ds3231_stand_in`], and deleted, leaving no hwmon device behind. The main boot runs it, and the
/// reliability suite, whose kmemleak scan then covers the registrations.
pub fn stand_in_check(s: &mut Session<'_>, g: &mut Guest, name: &str) {
    s.check(name, g, |g| {
        sh(g, &format!("echo ds3231 {STAND_IN_ADDRESS:#04x} > /sys/bus/i2c/devices/i2c-1/new_device"))?;
        let result = ds3231_stand_in(g);
        sh(g, &format!("echo {STAND_IN_ADDRESS:#04x} > /sys/bus/i2c/devices/i2c-1/delete_device"))?;
        if ds3231_hwmon_present(g)? {
            return Err("a hwmon device named ds3231 is left after delete_device".into());
        }
        result
    });
}

/// The checks of the main boot; `model` says whether the project's QEMU runs.
pub fn checks(s: &mut Session<'_>, g: &mut Guest, model: bool) {
    let started = Instant::now();
    match sh(g, "dmesg") {
        Ok(dmesg) => kunit_suite(s, &dmesg, KUNIT_SUITE, maxim_rtc_core::scenarios::ALL.len(), started, g),
        Err(why) => s.record(&format!("kunit/{KUNIT_SUITE}"), Status::Fail(why), started),
    }
    if !model && s.board == "rpi4" {
        s.record(DS3231_CHECK, Status::Skip(StockQemu::Raspi4bI2cIrq.why()), Instant::now());
    } else {
        stand_in_check(s, g, DS3231_CHECK);
    }
}

/// The check of a boot with the overlay but without the chip (QEMU_NO_BOARD_DEVICES=1): probe fails
/// with a message that says what to check, and nothing else goes wrong.
pub fn missing_chip(s: &mut Session<'_>, g: &mut Guest) {
    s.check("rtc/missing_chip_fails_probe_with_a_message", g, |g| {
        sh(g, "grep -q '^maxim_rtc ' /proc/modules").map_err(|e| format!("maxim_rtc not loaded: {e}"))?;
        let (status, _) = sh_any(g, "test -e /dev/rtc0")?;
        if status == 0 {
            return Err("/dev/rtc0 exists without a chip".into());
        }
        let log = sh(g, "dmesg | grep maxim_rtc")?;
        if !log.contains("no ds1338 answers at this address") || !log.contains("check the module's wiring") {
            return Err(format!("no probe failure message that names the chip and the wiring:\n{log}"));
        }
        Ok(())
    });
}
