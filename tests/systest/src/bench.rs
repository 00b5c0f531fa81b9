//! `make bench`'s measurements inside QEMU, each from one boot so that ratios hold: `WDIOC_GETTIMEOUT`
//! round-trip latency of rpi_wdt's /dev/watchdogN (Rust) against softdog's (C), both through the
//! kernel's watchdog core and each found by its sysfs identity; `RTC_RD_TIME` latency of maxim_rtc's
//! /dev/rtcN (Rust) against the C rtc-ds1307's, on two DS1338 models on the same I2C bus (the board's
//! at 0x68, bound to maxim_rtc from the overlay, and a second at 0x69 that the bench instantiates by
//! name and binds to rtc-ds1307 through sysfs); and the kernel time at which rpi_wdt finished
//! probing (it has registered its watchdog then). Figures are printed as `# bench-json {...}` lines for
//! scripts/bench.sh to collect.

use std::path::Path;

use rpi_wdt_testkit::console::Guest;

use crate::suites::{boot_checked, sh, Boot, Session};

/// Calls per latency figure.
const CALLS: u32 = 10_000;
/// Calls per RTC latency figure: each is a few emulated I2C transfers, about a millisecond.
const RTC_CALLS: u32 = 2_000;
/// The second DS1338, for rtc-ds1307: on the same bus as the board's, at another address.
const RTC_C_DEVICE: &str = "-device ds1338,bus=i2c-bus.1,address=0x69";
const RTC_C_CLIENT: &str = "1-0069";
/// The C driver and the regmap-i2c it needs, built from the same tree (scripts/driver.sh reference).
const REFERENCE_DIR: &str = "/usr/lib/rpi-wdt/reference";

fn emit(board: &str, name: &str, json_value: &str) {
    println!("# bench-json {{\"board\":\"{board}\",\"name\":\"{name}\",\"value\":{json_value}}}");
}

/// The printk timestamp (seconds) of rpi_wdt's probe message ("Bcm2835 PM watchdog: watchdog0, ..."),
/// printed once its watchdog is registered.
fn driver_ready_s(g: &mut Guest) -> Result<f64, String> {
    let line = sh(g, "dmesg | grep -m1 'rpi_wdt .*PM watchdog'")?;
    line.trim_start()
        .strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| format!("no probe timestamp in {line:?}"))
}

/// Emits the `# bench-json` figures of the bench program's JSON lines; an error line fails.
fn emit_program(board: &str, out: &str) -> Result<(), String> {
    for line in out.lines().filter(|l| l.starts_with('{')) {
        println!("#   {line}");
        let name = line.split("\"name\":\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("?");
        emit(board, &format!("latency_{name}"), line);
        if line.contains("\"error\"") || line.contains("\"failed\":true") {
            return Err(format!("{name}: {line}"));
        }
    }
    Ok(())
}

/// RTC_RD_TIME on maxim_rtc's clock and on rtc-ds1307's, loaded for the bench only and unloaded after.
fn rtc_latency(board: &str) -> impl FnOnce(&mut Guest) -> Result<(), String> + '_ {
    move |g| {
        sh(g, &format!("insmod {REFERENCE_DIR}/regmap-i2c.ko && insmod {REFERENCE_DIR}/rtc-ds1307.ko"))?;
        let result = (|| {
            // Both drivers' I2C id tables have "ds1338", and maxim_rtc, loaded first, takes the new
            // client: it is moved to rtc-ds1307 the usual way, through sysfs.
            sh(g, "echo ds1338 0x69 > /sys/bus/i2c/devices/i2c-1/new_device")?;
            let bound = sh(g, &format!("basename $(readlink /sys/bus/i2c/devices/{RTC_C_CLIENT}/driver)"))?;
            if bound.trim() != "rtc-ds1307" {
                sh(g, &format!("echo {RTC_C_CLIENT} > /sys/bus/i2c/drivers/{}/unbind", bound.trim()))?;
                sh(g, &format!("echo {RTC_C_CLIENT} > /sys/bus/i2c/drivers/rtc-ds1307/bind"))?;
            }
            let name = sh(g, &format!("cat /sys/bus/i2c/devices/{RTC_C_CLIENT}/rtc/rtc*/name"))
                .map_err(|e| format!("rtc-ds1307 registered no clock for {RTC_C_CLIENT}: {e}"))?;
            if !name.contains("rtc-ds1307") {
                return Err(format!("{RTC_C_CLIENT}'s clock is {name:?}, expected rtc-ds1307's"));
            }
            let out = sh(g, &format!("rpi-wdt-bench rtc {RTC_CALLS}"))?;
            emit_program(board, &out)
        })();
        let _ = sh(g, "echo 0x69 > /sys/bus/i2c/devices/i2c-1/delete_device");
        sh(g, "rmmod rtc-ds1307 && rmmod regmap-i2c")?;
        result
    }
}

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, model: bool) {
    let board = s.board.to_string();
    let Some(mut g) = boot_checked(s, root, initramfs, results, Boot::named("bench").devices(RTC_C_DEVICE))
    else {
        return;
    };
    let g = &mut g;
    s.check("bench/boot_to_driver_ready", g, |g| {
        let t = driver_ready_s(g)?;
        println!("#   rpi_wdt probed {t:.3} s after the kernel started");
        emit(&board, "boot_to_driver_ready_s", &format!("{t:.3}"));
        Ok(())
    });
    if model {
        s.check("bench/ioctl_latency", g, |g| {
            let out = sh(g, &format!("modprobe softdog soft_noboot=1 && rpi-wdt-bench watchdog {CALLS}"))?;
            emit_program(&board, &out)?;
            // The program closed both with the magic character: both must be stopped before softdog goes.
            let states = sh(g, "cat /sys/class/watchdog/watchdog*/state")?;
            if states.lines().any(|l| l.trim() != "inactive") {
                return Err(format!("a watchdog was left running after the bench:\n{states}"));
            }
            sh(g, "rmmod softdog").map(drop)
        });
    }
    if model || board != "rpi4" {
        s.check("bench/rtc_rd_time_latency", g, rtc_latency(&board));
    } else {
        let why = crate::rtc::StockQemu::Raspi4bI2cIrq.why();
        s.record(
            "bench/rtc_rd_time_latency",
            rpi_wdt_testkit::report::Status::Skip(why),
            std::time::Instant::now(),
        );
    }
    let _ = g.send_line("poweroff");
    let _ = g.wait_exit(std::time::Duration::from_secs(60));
}
