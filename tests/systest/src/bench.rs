//! `make bench`'s measurements inside QEMU, each from one boot so that ratios hold: `WDIOC_GETTIMEOUT`
//! round-trip latency of rpi_wdt's /dev/watchdogN (Rust) against softdog's (C), both through the
//! kernel's watchdog core and each found by its sysfs identity, and the kernel time at which rpi_wdt
//! finished probing (it has registered its watchdog then). Figures are printed as `# bench-json {...}`
//! lines for scripts/bench.sh to collect.

use std::path::Path;

use rpi_wdt_testkit::console::Guest;

use crate::suites::{boot_checked_with, sh, Session};

/// Calls per latency figure.
const CALLS: u32 = 10_000;

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

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, latency: bool) {
    let board = s.board.to_string();
    let Some(mut g) = boot_checked_with(s, root, initramfs, results, "bench", false) else { return };
    let g = &mut g;
    s.check("bench/boot_to_driver_ready", g, |g| {
        let t = driver_ready_s(g)?;
        println!("#   rpi_wdt probed {t:.3} s after the kernel started");
        emit(&board, "boot_to_driver_ready_s", &format!("{t:.3}"));
        Ok(())
    });
    if latency {
        s.check("bench/ioctl_latency", g, |g| {
            let out = sh(g, &format!("modprobe softdog soft_noboot=1 && rpi-wdt-bench {CALLS}"))?;
            for line in out.lines().filter(|l| l.starts_with('{')) {
                println!("#   {line}");
                let name = line.split("\"name\":\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("?");
                emit(&board, &format!("latency_{name}"), line);
                if line.contains("\"error\"") || line.contains("\"failed\":true") {
                    return Err(format!("{name}: {line}"));
                }
            }
            // The program closed both with the magic character: both must be stopped before softdog goes.
            let states = sh(g, "cat /sys/class/watchdog/watchdog*/state")?;
            if states.lines().any(|l| l.trim() != "inactive") {
                return Err(format!("a watchdog was left running after the bench:\n{states}"));
            }
            sh(g, "rmmod softdog").map(drop)
        });
    }
    let _ = g.send_line("poweroff");
    let _ = g.wait_exit(std::time::Duration::from_secs(60));
}
