//! Checks of the I2C real-time clock: maxim_rtc on QEMU's DS1338 model (on I2C1, where the rpi-rtc
//! overlay puts the chip), through the RTC class and busybox `hwclock`, in the main boot of each
//! board. The model takes its time from the host's clock, so the guest's RTC must agree with the
//! host's UTC. Every check that moves the clock puts it back to the host's time.
//!
//! On raspi4b only the KUnit suite runs: QEMU's raspi4b cannot carry I2C transfers ([`no_i2c`]).
//!
//! Not checked here (QEMU cannot show it): the oscillator-stop flags (the model cannot set them;
//! the KUnit suite and host tests cover them on the fake chip), the DS3231's aging offset and
//! temperature, and the time surviving a power cycle.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;

use crate::suites::{kunit_suite, sh, sh_any, Session};

/// The driver's KUnit suite: one case per shared scenario (driver/maxim_rtc/core/src/scenarios.rs).
const KUNIT_SUITE: &str = "maxim_rtc_regs";
/// The chip's client: I2C1, address 0x68.
const CLIENT: &str = "1-0068";
pub const DRIVER_DIR: &str = "/sys/bus/i2c/drivers/maxim_rtc";
const RTC0: &str = "/sys/class/rtc/rtc0";
/// The chip QEMU models, as board/<board>/qemu.env's RTC_COMPATIBLE sets it.
const COMPATIBLE: &str = "dallas,ds1338";
/// How far the guest's RTC may be from the host's clock: the model reads the host's clock, and a
/// read takes a few emulated I2C transfers.
const TOLERANCE_S: i64 = 2;

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

/// Parses busybox `hwclock -r`'s output, a `ctime()` line such as `Tue Dec  1 21:30:00 2026  0.000000
/// seconds`, as UTC seconds.
fn parse_hwclock(out: &str) -> Option<i64> {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let line = out.lines().find(|l| l.contains("seconds"))?;
    let f: Vec<&str> = line.split_whitespace().collect();
    let name = *f.get(1)?;
    let month = MONTHS.iter().position(|m| *m == name)? as u8 + 1;
    let day: u8 = f.get(2)?.parse().ok()?;
    let hms: Vec<u8> = f.get(3)?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let year: u32 = f.get(4)?.parse().ok()?;
    let t = maxim_rtc_core::date::DateTime::new(year, month, day, *hms.first()?, *hms.get(1)?, *hms.get(2)?)?;
    Some(t.to_seconds())
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
    "rtc/rmmod_modprobe_5_cycles",
];

/// Why a board's QEMU machine cannot carry I2C transfers to the chip, if it cannot.
fn no_i2c(board: &str) -> Option<&'static str> {
    match board {
        "rpi4" => Some(
            "QEMU 10.0's raspi4b does not connect the BCM2835 I2C controllers' interrupt to its GIC \
             (hw/arm/bcm2838.c wires only UART, mailbox, SD, USB and DMA), so every I2C transfer \
             times out (ETIMEDOUT) and maxim_rtc's probe fails; the chip is reached on raspi3b",
        ),
        _ => None,
    }
}

/// The checks of the main boot.
pub fn checks(s: &mut Session<'_>, g: &mut Guest) {
    let started = Instant::now();
    match sh(g, "dmesg") {
        Ok(dmesg) => kunit_suite(s, &dmesg, KUNIT_SUITE, maxim_rtc_core::scenarios::ALL.len(), started, g),
        Err(why) => s.record(&format!("kunit/{KUNIT_SUITE}"), Status::Fail(why), started),
    }
    if let Some(why) = no_i2c(s.board) {
        for check in CHIP_CHECKS {
            s.record(check, Status::Skip(why.into()), Instant::now());
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
        let t = parse_hwclock(&out).ok_or_else(|| format!("cannot parse hwclock's output: {out:?}"))?;
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
    s.check("rtc/invalid_times_refused_and_the_clock_unchanged", g, |g| {
        sh(g, "rpi-rtc-check invalid /dev/rtc0")?;
        within("the RTC after the refused sets", rtc_seconds(g)?, host_now(), TOLERANCE_S)
    });
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

#[cfg(test)]
mod tests {
    use super::parse_hwclock;

    #[test]
    fn hwclock_output_parses() {
        assert_eq!(parse_hwclock("Tue Dec  1 21:30:00 2026  0.000000 seconds\n"), Some(1_796_160_600));
        assert_eq!(parse_hwclock("Sat Jan  1 00:00:00 2000  0.000000 seconds"), Some(946_684_800));
        assert_eq!(parse_hwclock("hwclock: RTC_RD_TIME: Invalid argument"), None);
    }
}
