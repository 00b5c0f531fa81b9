//! Checks of the I2C real-time clock: maxim_rtc on QEMU's DS1338 model (on I2C1, where the rpi-rtc
//! overlay puts the chip), through the RTC class and busybox `hwclock`, in the main boot of each
//! board. The model takes its time from the host's clock, so the guest's RTC must agree with the
//! host's UTC. Every check that moves the clock puts it back to the host's time.
//!
//! Some checks need the project's QEMU patches (board/qemu/patches/, `make qemu-build`): raspi4b's
//! I2C interrupt, the DS1338's time set from all registers at the end of a write, its clock-halt
//! bit, and its battery (the time kept over a guest reboot, which the HIL suite's rtc_survives_reboot
//! checks). On stock QEMU they are skipped, saying why ([`StockQemu`]).
//!
//! QEMU models a DS1338 only. The main boot adds a second one at 0x69 as a stand-in DS3231
//! ([`DS3231_STAND_IN`]): the DS3231's registers past the time (control, status, aging offset,
//! temperature) fall in that model's NVRAM, so maxim_rtc bound to it as a `ds3231` runs its DS3231
//! paths, and the hwmon abstraction registers the temperature sensor, end to end.
//!
//! Not checked here (QEMU cannot show it): the DS3231's own behaviour, its temperature conversions,
//! the aging offset's effect on the frequency and its oscillator stop flag (the KUnit suite and host
//! tests cover the register sequences on the fake chip), and the time surviving a power cycle of a
//! real board.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::hwclock;
use rpi_wdt_testkit::report::Status;

use crate::suites::{expect_exit, kunit_suite, sh, sh_any, Session};

/// The driver's KUnit suite: one case per shared scenario (driver/maxim_rtc/core/src/scenarios.rs).
const KUNIT_SUITE: &str = "maxim_rtc_regs";
/// The chip's client: I2C1, address 0x68.
const CLIENT: &str = "1-0068";
pub const DRIVER_DIR: &str = "/sys/bus/i2c/drivers/maxim_rtc";
const RTC0: &str = "/sys/class/rtc/rtc0";
/// The chip QEMU models, as board/<board>/board.env's RTC_COMPATIBLE sets it.
const COMPATIBLE: &str = "dallas,ds1338";
/// How far the guest's RTC may be from the host's clock: the model reads the host's clock, and a
/// read takes a few emulated I2C transfers.
const TOLERANCE_S: i64 = 2;

/// The QEMU device of the stand-in DS3231: a DS1338 model at 0x69 on the same bus, with no node in
/// the device tree, so nothing binds it until [`ds3231_stand_in`] instantiates it.
pub const DS3231_STAND_IN: &str = "-device ds1338,bus=i2c-bus.1,address=0x69";
/// The stand-in's address, as in [`DS3231_STAND_IN`].
const STAND_IN_ADDRESS: u8 = 0x69;
/// The stand-in's client.
const STAND_IN_CLIENT: &str = "1-0069";

/// The host's UTC time, in seconds.
fn host_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The RTC's time through RTC_RD_TIME (rpi-rtc-check).
fn rtc_seconds(g: &mut Guest) -> Result<i64, String> {
    let out = sh(g, "rpi-rtc-check read /dev/rtc0")?;
    value(&out, "seconds")
}

/// A `# value NAME=N` line of a guest program's output.
fn value(out: &str, name: &str) -> Result<i64, String> {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("# value {name}=")))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no '# value {name}=' line in:\n{out}"))
}

fn within(what: &str, got: i64, want: i64, tolerance: i64) -> Result<(), String> {
    if (got - want).abs() <= tolerance {
        Ok(())
    } else {
        Err(format!("{what}: {got}, expected {want} ± {tolerance} s (off by {} s)", got - want))
    }
}

/// Puts the RTC and the system clock back to the host's time.
fn restore(g: &mut Guest) -> Result<(), String> {
    sh(g, &format!("rpi-rtc-check set /dev/rtc0 {}", host_now()))?;
    sh(g, "hwclock -s -u").map(drop)
}

/// The checks of [`checks`] that need the chip, recorded as skipped on a board whose QEMU machine
/// cannot reach it.
const CHIP_CHECKS: &[&str] = &[
    "rtc/autoloaded_from_overlay",
    "rtc/registered_with_the_rtc_class",
    "rtc/system_clock_set_from_the_rtc_at_boot",
    "rtc/hwclock_reads_the_host_utc",
    "rtc/hwclock_systohc_then_hctosys",
    "rtc/set_time_reads_back",
    "rtc/invalid_times_refused_and_the_clock_unchanged",
    "rtc/unbind_bind_10_cycles",
    DS3231_CHECK,
    "rtc/rmmod_modprobe_5_cycles",
];
/// The stand-in DS3231's check.
const DS3231_CHECK: &str = "rtc/ds3231_temperature_through_hwmon_and_aging_offset";

/// What stock QEMU 10.0 lacks that a check needs; the project's QEMU patches add it.
#[derive(Clone, Copy)]
pub enum StockQemu {
    /// raspi4b's I2C controllers have no interrupt (board/qemu/patches/0005).
    Raspi4bI2cIrq,
    /// The ds1338 model sets its clock field by field as a write goes, so the 31st written while
    /// the clock is in a shorter month rolls over (board/qemu/patches/0002).
    FieldByField,
    /// The ds1338 model ignores the clock-halt bit (board/qemu/patches/0003).
    ClockHalt,
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
            StockQemu::ClockHalt => {
                "stock QEMU 10.0's ds1338 ignores the clock-halt bit, so its oscillator cannot stop"
            }
        };
        format!("{lack}; build the project's QEMU with 'make qemu-build'")
    }
}

/// Skipped on stock QEMU.
const STOPPED_CHECK: &str = "rtc/stopped_oscillator_reads_invalid_until_set";
const MONTH_END_CHECK: &str = "rtc/set_time_of_a_31st_from_february";

/// The board's chip's address on I2C1.
const CHIP_ADDRESS: u8 = 0x68;

/// A register of the chip at `address` on I2C1, read around its driver through i2c-dev (`-f`: the
/// address is the driver's).
fn i2cget(g: &mut Guest, address: u8, reg: u8) -> Result<u8, String> {
    let out = sh(g, &format!("i2cget -f -y 1 {address:#04x} {reg:#04x}"))?;
    u8::from_str_radix(out.trim().trim_start_matches("0x"), 16)
        .map_err(|e| format!("i2cget {reg:#04x} printed {out:?}: {e}"))
}

/// The driver's warning when the chip lost the time, counted in the kernel log.
fn lost_time_warnings(g: &mut Guest) -> Result<usize, String> {
    let out = sh(g, "dmesg | grep -c 'has lost the time' || true")?;
    out.trim().parse().map_err(|e| format!("grep -c printed {out:?}: {e}"))
}

/// The DS1338's oscillator stopped, as a flat battery leaves it: the time reads as invalid, with one
/// warning that says to set the clock, and setting it starts the clock and clears the flags.
fn stopped_oscillator(g: &mut Guest) -> Result<(), String> {
    use maxim_rtc_core::regs::{DS1338_CONTROL, DS1338_CONTROL_OSF, SECONDS_CH};
    let warnings = lost_time_warnings(g)?;
    // CH in the seconds register stops the oscillator, and the chip sets OSF.
    sh(g, &format!("i2cset -f -y 1 {CHIP_ADDRESS:#04x} 0x00 {SECONDS_CH:#04x}"))?;
    if i2cget(g, CHIP_ADDRESS, DS1338_CONTROL)? & DS1338_CONTROL_OSF == 0 {
        return Err("OSF is clear after the oscillator stopped: the QEMU model did not set it".into());
    }
    expect_exit(g, "rpi-rtc-check read /dev/rtc0", 1, &["# value errno=22"])?;
    let (status, out) = sh_any(g, "hwclock -r -u 2>&1")?;
    if status == 0 || !out.contains("Invalid argument") {
        return Err(format!("hwclock -r on a stopped clock: exit {status}, {out:?}; expected EINVAL"));
    }
    let after = lost_time_warnings(g)?;
    if after != warnings + 1 {
        return Err(format!("{} 'has lost the time' warnings for two reads, expected one", after - warnings));
    }
    sh(g, &format!("rpi-rtc-check set /dev/rtc0 {}", host_now()))?;
    if i2cget(g, CHIP_ADDRESS, 0)? & SECONDS_CH != 0
        || i2cget(g, CHIP_ADDRESS, DS1338_CONTROL)? & DS1338_CONTROL_OSF != 0
    {
        return Err("CH or OSF still set after the time was set".into());
    }
    // Counting again, not frozen at the time set.
    sh(g, "sleep 3")?;
    within("the RTC 3 s after the set", rtc_seconds(g)?, host_now(), TOLERANCE_S)
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
        for check in CHIP_CHECKS.iter().chain([&STOPPED_CHECK, &MONTH_END_CHECK]) {
            s.record(check, Status::Skip(StockQemu::Raspi4bI2cIrq.why()), Instant::now());
        }
        return;
    }
    s.check("rtc/autoloaded_from_overlay", g, |g| {
        sh(g, "grep -q '^maxim_rtc ' /proc/modules")
            .map_err(|e| format!("maxim_rtc not loaded by coldplug: {e}"))?;
        let compatible = sh(g, &format!("tr '\\0' ' ' < {DRIVER_DIR}/{CLIENT}/of_node/compatible"))?;
        if !compatible.contains(COMPATIBLE) {
            return Err(format!("{CLIENT}'s compatible is {compatible:?}, expected {COMPATIBLE}"));
        }
        let alias = sh(g, "grep maxim_rtc /lib/modules/$(uname -r)/modules.alias")?;
        for chip in maxim_rtc_core::chip::Chip::COMPATIBLES {
            if !alias.contains(&format!("of:N*T*C{chip}")) {
                return Err(format!("modules.alias has no entry for {chip}:\n{alias}"));
            }
        }
        Ok(())
    });
    s.check("rtc/registered_with_the_rtc_class", g, |g| {
        sh(g, "test -c /dev/rtc0")?;
        let device = sh(g, &format!("basename $(readlink -f {RTC0}/device)"))?;
        if device.trim() != CLIENT {
            return Err(format!("rtc0 belongs to {:?}, expected {CLIENT}", device.trim()));
        }
        let name = sh(g, &format!("cat {RTC0}/name"))?;
        if !name.contains("maxim_rtc") {
            return Err(format!("{RTC0}/name is {name:?}"));
        }
        let hctosys = sh(g, &format!("cat {RTC0}/hctosys"))?;
        if hctosys.trim() != "1" {
            return Err(format!("{RTC0}/hctosys is {hctosys:?}: the system clock was not set from rtc0"));
        }
        Ok(())
    });
    s.check("rtc/system_clock_set_from_the_rtc_at_boot", g, |g| {
        // The RTC class logs it on the parent device when rtc0 registers.
        let log = sh(g, "dmesg | grep 'setting system clock to'")?;
        if !log.contains(&format!("maxim_rtc {CLIENT}: setting system clock to")) {
            return Err(format!("no hctosys message from maxim_rtc: {log}"));
        }
        let guest = sh(g, "date -u +%s")?.trim().parse::<i64>().map_err(|e| e.to_string())?;
        within("the guest's system clock", guest, host_now(), TOLERANCE_S)
    });
    s.check("rtc/hwclock_reads_the_host_utc", g, |g| {
        let out = sh(g, "hwclock -r -u")?;
        let t = hwclock::parse(&out).ok_or_else(|| format!("cannot parse hwclock's output: {out:?}"))?;
        within("hwclock -r -u", t, host_now(), TOLERANCE_S)?;
        within("RTC_RD_TIME", rtc_seconds(g)?, host_now(), TOLERANCE_S)
    });
    s.check("rtc/hwclock_systohc_then_hctosys", g, |g| {
        // 2031-05-06 07:08:09 UTC into the system clock, then into the RTC; the system clock
        // elsewhere, then back from the RTC.
        let then = 1_935_817_689;
        let result = (|| {
            sh(g, &format!("date -u -s @{then} >/dev/null && hwclock -w -u"))?;
            within("the RTC after hwclock -w", rtc_seconds(g)?, then, TOLERANCE_S)?;
            sh(g, "date -u -s @978307200 >/dev/null && hwclock -s -u")?;
            let guest = sh(g, "date -u +%s")?.trim().parse::<i64>().map_err(|e| e.to_string())?;
            within("the system clock after hwclock -s", guest, then, TOLERANCE_S)
        })();
        restore(g)?;
        result
    });
    s.check("rtc/set_time_reads_back", g, |g| {
        // 2099-12-31 23:59:58, the DS1338's last two seconds.
        let result = sh(g, "rpi-rtc-check set /dev/rtc0 4102444798").map(drop);
        restore(g)?;
        result
    });
    if model {
        s.check(MONTH_END_CHECK, g, |g| {
            // 2030-03-31 12:00 set while the clock is in February: a model that took the registers
            // one by one would pass through February 31st and land on March 3rd.
            let result = sh(g, "rpi-rtc-check set /dev/rtc0 1896177600")
                .and_then(|_| sh(g, "rpi-rtc-check set /dev/rtc0 1901188800"))
                .map(drop);
            restore(g)?;
            result
        });
    } else {
        s.record(MONTH_END_CHECK, Status::Skip(StockQemu::FieldByField.why()), Instant::now());
    }
    s.check("rtc/invalid_times_refused_and_the_clock_unchanged", g, |g| {
        sh(g, "rpi-rtc-check invalid /dev/rtc0")?;
        within("the RTC after the refused sets", rtc_seconds(g)?, host_now(), TOLERANCE_S)
    });
    if model {
        s.check(STOPPED_CHECK, g, |g| {
            let result = stopped_oscillator(g);
            restore(g)?;
            result
        });
    } else {
        s.record(STOPPED_CHECK, Status::Skip(StockQemu::ClockHalt.why()), Instant::now());
    }
    s.check("rtc/unbind_bind_10_cycles", g, |g| {
        for i in 0..10 {
            sh(g, &format!("echo {CLIENT} > {DRIVER_DIR}/unbind"))?;
            let (gone, _) = sh_any(g, "test -e /dev/rtc0")?;
            sh(g, &format!("echo {CLIENT} > {DRIVER_DIR}/bind"))?;
            if gone == 0 {
                return Err(format!("cycle {i}: /dev/rtc0 still there after unbind"));
            }
            within(&format!("cycle {i}: the RTC"), rtc_seconds(g)?, host_now(), TOLERANCE_S)?;
        }
        Ok(())
    });
    stand_in_check(s, g, DS3231_CHECK);
    s.check("rtc/rmmod_modprobe_5_cycles", g, |g| {
        for i in 0..5 {
            sh(g, "rmmod maxim_rtc")?;
            let (gone, _) = sh_any(g, "test -e /dev/rtc0")?;
            // By the client's modalias, as coldplug loads it.
            sh(g, &format!("modprobe $(cat /sys/bus/i2c/devices/{CLIENT}/modalias)"))?;
            if gone == 0 {
                return Err(format!("cycle {i}: /dev/rtc0 still there after rmmod"));
            }
            // The I2C core binds the client when the driver registers.
            sh(g, "(for i in 1 2 3 4 5 6 7 8 9 10; do test -c /dev/rtc0 && exit 0; sleep 0.2; done; exit 1)")
                .map_err(|e| format!("cycle {i}: no /dev/rtc0 after modprobe: {e}"))?;
        }
        within("the RTC after the cycles", rtc_seconds(g)?, host_now(), TOLERANCE_S)
    });
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
