//! Checks that need a watchdog that counts: the project's QEMU model of the PM watchdog
//! (board/qemu/patches/, built by `make qemu-build`). One QEMU process, with guest resets turned into
//! reboots, is followed through four watchdog resets and a reboot:
//!
//! 1. first boot: start without reset, time left, the standard ABI end to end on /dev/watchdog0 (64-
//!    and 32-bit) and /dev/watchdog, an open file across unbind, rmmod refused while open, wdtctl's
//!    arming commands, keepalive for three timeouts, the kernel's watchdog-test and busybox `watchdog`
//!    unchanged; then close without magic close, and the expiry is timed;
//! 2. second boot: boot status says watchdog; a 20 s timeout (longer than the 16 s one load of WDOG
//!    holds, so the kernel reloads it) fires 20 s after the last ping, timed;
//! 3. third boot: a watchdog found running at probe (unbound while running under nowayout, then bound
//!    again) is kept alive by the kernel for three timeouts with no userspace ping, then userspace takes
//!    it over; nowayout refuses to stop it, and it fires;
//! 4. fourth boot: boot status again; a watchdog found running at probe is kept alive only for
//!    `watchdog.open_timeout` seconds when nobody opens it, then it resets the board;
//! 5. fifth boot: boot status again; a time set in the RTC survives a `reboot` (the DS1338 model is
//!    battery-backed);
//! 6. sixth boot: the RTC counted on from that time; `poweroff` still ends QEMU (partition 63 through
//!    the model).
//!
//! Expiry is measured on the host between the marker the guest prints right after its last ping (when
//! the harness reads it) and the host time QEMU stamps on the QMP `WATCHDOG` event the model sends
//! through `watchdog_perform_action()`; the model counts on QEMU's virtual clock, which under TCG
//! follows the host clock. [`timing::EXPIRY`] bounds the difference.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::suites::{
    await_shell, boot_checked_with, bound_device, expect_attributes, expect_contains, expect_exit, no_splat,
    poweroff_ends_qemu, sh, sysfs_attributes, Session, DRIVER_DIR, TESTS_DIR, WATCHDOG0,
};
use rpi_wdt_core::boot_status::ResetCause;
use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;
use rpi_wdt_testkit::timing;

/// Every check this module records, for the skip list on stock QEMU.
pub const CHECKS: &[&str] = &[
    "model/start_arms_countdown_without_reset",
    "model/time_left_decreases",
    "model/std_abi_program_completed",
    "model/std_abi32_compat_program_completed",
    "model/std_abi_legacy_node_program_completed",
    "model/open_file_survives_unbind_with_enodev",
    "model/rmmod_refused_while_open",
    "model/wdtctl_timeout_set_and_restore_state",
    "model/wdtctl_timeout_out_of_range_exit_6",
    "model/wdtctl_selftest_passes",
    "model/keepalive_holds_three_timeouts",
    "model/kernel_watchdog_test_oneshot",
    "model/kernel_watchdog_test_keeps_alive_then_magic_close",
    "model/busybox_watchdog_keeps_alive_then_magic_close",
    "model/close_without_magic_close_fires_at_timeout",
    "model/boot_status_watchdog_after_expiry",
    "model/long_timeout_fires_20s_after_last_ping",
    "model/running_at_probe_kept_alive_until_open",
    "model/nowayout_refuses_stop_and_fires",
    "model/boot_status_watchdog_after_nowayout_expiry",
    "model/open_timeout_ends_the_kernels_care",
    "model/poweroff_still_ends_qemu",
    "kernel/no_oops_warn_bug_lockdep_model_boots",
];

/// Runs `command` (which must leave the watchdog counting `timeout_s`), then times the expiry and
/// follows the machine into its next boot.
fn timed_expiry(g: &mut Guest, command: &str, timeout_s: u64) -> Result<Duration, String> {
    let marker = "RPI-WDT-LAST-PING";
    let mark = g.qmp_mark();
    g.send_line(&format!("{command}; echo {marker}")).map_err(|e| e.to_string())?;
    g.expect(&format!("{marker}\n"), Duration::from_secs(60)).map_err(|e| e.to_string())?;
    let last_word = std::time::SystemTime::now();
    let fired = g
        .watchdog_expiry(mark, Duration::from_secs(timeout_s + 30))
        .map_err(|e| format!("the watchdog did not fire: {e}"))?;
    let measured = fired.duration_since(last_word).unwrap_or_default();
    await_shell(g).map_err(|e| format!("no next boot after the watchdog reset: {e}"))?;
    let expected = Duration::from_secs(timeout_s);
    println!(
        "#   expiry measured {:.3} s after the last ping, timeout {timeout_s} s (accepted {})",
        measured.as_secs_f64(),
        timing::EXPIRY.window(expected)
    );
    if !timing::EXPIRY.admits(measured, expected) {
        return Err(format!(
            "fired {:.3} s after the last ping, outside {}",
            measured.as_secs_f64(),
            timing::EXPIRY.window(expected)
        ));
    }
    Ok(measured)
}

fn timeleft_s(g: &mut Guest) -> Result<u64, String> {
    let out = sh(g, &format!("cat {WATCHDOG0}/timeleft"))?;
    out.trim().parse().map_err(|_| format!("timeleft is {out:?}"))
}

fn state(g: &mut Guest) -> Result<String, String> {
    Ok(sh(g, &format!("cat {WATCHDOG0}/state"))?.trim().to_string())
}

fn stopped(g: &mut Guest) -> Result<(), String> {
    match state(g)?.as_str() {
        "inactive" => Ok(()),
        other => Err(format!("watchdog0 is {other} afterwards, expected inactive")),
    }
}

fn boot_id(g: &mut Guest) -> Result<String, String> {
    Ok(sh(g, "cat /proc/sys/kernel/random/boot_id")?.trim().to_string())
}

/// The boot status after a watchdog reset, through sysfs, wdtctl and the kernel's watchdog-test.
fn watchdog_boot_status(g: &mut Guest) -> Result<(), String> {
    expect_attributes(
        &sysfs_attributes(g, WATCHDOG0)?,
        &[("bootstatus", "32"), ("reset_reason", ResetCause::WatchdogOrReboot.name())],
    )?;
    let out = sh(g, "wdtctl --json bootstatus")?;
    let cause = format!("\"cause\":\"{}\"", ResetCause::WatchdogOrReboot.name());
    expect_contains("bootstatus", &out, &[&cause, "\"card_reset\":true"])?;
    let out = sh(g, "watchdog-test -f /dev/watchdog0 -b")?;
    expect_contains("watchdog-test -b", &out, &["Last boot is caused by: Card previously reset the CPU"])
}

/// Runs a TAP program and records its checks under `prefix`; returns its output for the differential.
pub fn tap_program(s: &mut Session<'_>, g: &mut Guest, prefix: &str, command: &str) -> Option<String> {
    let started = Instant::now();
    let completed = format!("{prefix}_program_completed");
    match g.run(command, crate::suites::COMMAND_TIMEOUT) {
        Ok(out) => {
            let seen = s.tap_checks(prefix, &out.text, started);
            let status = if out.status == 0 && seen > 0 {
                Status::Pass
            } else {
                Status::Fail(format!("`{command}` exited {} after {seen} checks:\n{}", out.status, out.text))
            };
            s.record(&completed, status, started);
            Some(out.text)
        }
        Err(e) => {
            s.record(&completed, Status::Fail(e.to_string()), started);
            None
        }
    }
}

/// Runs the model boots; returns the 64-bit ABI program's output on rpi_wdt, for the differential.
pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path) -> Option<String> {
    let mut g = boot_checked_with(s, root, initramfs, results, "model", true)?;
    let g = &mut g;

    s.check("model/start_arms_countdown_without_reset", g, |g| {
        sh(g, "wdtctl timeout 5 && wdtctl start")?;
        sh(g, "sleep 1")?;
        match state(g)?.as_str() {
            "active" => Ok(()),
            other => Err(format!("watchdog0 is {other} after wdtctl start")),
        }
    });
    s.check("model/time_left_decreases", g, |g| {
        let first = timeleft_s(g)?;
        sh(g, "sleep 2")?;
        let second = timeleft_s(g)?;
        sh(g, "wdtctl stop && wdtctl timeout 15")?;
        if first > 5 || second + 1 > first || second + 3 < first {
            return Err(format!("time left went from {first} s to {second} s over 2 s"));
        }
        stopped(g)
    });

    // The standard ABI end to end, from a 64-bit and a 32-bit (compat) program, and on the legacy node.
    let abi = tap_program(s, g, "model/std_abi", "rpi-wdt-abi-check std /dev/watchdog0");
    tap_program(s, g, "model/std_abi32_compat", "rpi-wdt-abi-check32 std /dev/watchdog0");
    tap_program(s, g, "model/std_abi_legacy_node", "rpi-wdt-abi-check std /dev/watchdog");

    s.check("model/open_file_survives_unbind_with_enodev", g, |g| {
        let device = bound_device(g)?;
        let out = sh(g, &format!("rpi-wdt-abi-check unbind /dev/watchdog0 rpi_wdt {device}"))?;
        if out.contains("not ok") {
            return Err(out);
        }
        stopped(g)
    });
    s.check("model/rmmod_refused_while_open", g, |g| {
        sh(g, &format!("sh {TESTS_DIR}/rmmod-while-open.sh")).map(drop)?;
        stopped(g)
    });

    s.check("model/wdtctl_timeout_set_and_restore_state", g, |g| {
        let out = sh(g, "wdtctl --json timeout 9")?;
        expect_contains("wdtctl timeout 9", &out, &["\"timeout_s\":9"])?;
        expect_attributes(&sysfs_attributes(g, WATCHDOG0)?, &[("timeout", "9"), ("state", "inactive")])?;
        sh(g, "wdtctl timeout 15").map(drop)
    });
    s.check("model/wdtctl_timeout_out_of_range_exit_6", g, |g| {
        expect_exit(g, "wdtctl timeout 0", 6, &["watchdog0", "1..4294967"])?;
        expect_attributes(&sysfs_attributes(g, WATCHDOG0)?, &[("timeout", "15"), ("state", "inactive")])
    });
    s.check("model/wdtctl_selftest_passes", g, |g| {
        let out = sh(g, "wdtctl selftest")?;
        if out.contains("FAIL") {
            return Err(out);
        }
        expect_contains("wdtctl selftest", &out, &["PASS"])?;
        stopped(g)
    });

    s.check("model/keepalive_holds_three_timeouts", g, |g| {
        // Timeout 2 s, a ping every second, 7 pings: 6 s, three timeouts, without a reset.
        let before = boot_id(g)?;
        let out = sh(g, "wdtctl keepalive --timeout 2 --interval 1 --count 7")?;
        expect_contains("keepalive", &out, &["ping 7", "magic close"])?;
        if boot_id(g)? != before {
            return Err("the board reset during keepalive".into());
        }
        sh(g, "wdtctl timeout 15")?;
        stopped(g)
    });
    s.check("model/kernel_watchdog_test_oneshot", g, |g| {
        let out = sh(g, "watchdog-test -f /dev/watchdog0 -i -s -b -T -t 4 -T -L -d -e")?;
        expect_contains(
            "watchdog-test",
            &out,
            &[
                rpi_wdt_core::ident::IDENTITY_STR,
                "Watchdog timeout set to 4 seconds.",
                "Watchdog card disabled.",
                "Watchdog card enabled.",
            ],
        )?;
        stopped(g)
    });
    s.check("model/kernel_watchdog_test_keeps_alive_then_magic_close", g, |g| {
        let out = sh(
            g,
            "watchdog-test -f /dev/watchdog0 -t 2 -p 1 > /tmp/wt.log 2>&1 & pid=$!; sleep 7; kill -INT $pid; wait $pid; cat /tmp/wt.log",
        )?;
        expect_contains("watchdog-test ticking", &out, &["Watchdog Ticking Away!", "Stopping watchdog ticks..."])?;
        stopped(g)
    });
    s.check("model/busybox_watchdog_keeps_alive_then_magic_close", g, |g| {
        sh(g, "watchdog -T 2 -t 1 /dev/watchdog0")?;
        sh(g, "sleep 7")?;
        let during = state(g)?;
        sh(g, "killall watchdog; sleep 1")?;
        if during != "active" {
            return Err(format!("watchdog0 was {during} while busybox watchdog ran"));
        }
        sh(g, "wdtctl timeout 15")?;
        stopped(g)
    });

    s.check("model/close_without_magic_close_fires_at_timeout", g, |g| {
        timed_expiry(g, "wdtctl keepalive --timeout 3 --count 1 --leave-running", 3).map(drop)
    });
    s.check("model/boot_status_watchdog_after_expiry", g, watchdog_boot_status);

    s.check("model/long_timeout_fires_20s_after_last_ping", g, |g| {
        // 20 s is more than one load of WDOG holds: the kernel's worker reloads the hardware, and
        // times its last reload so that the reset comes 20 s after the last ping from userspace.
        let out = sh(g, "wdtctl --json timeout 20")?;
        expect_contains("SETTIMEOUT 20", &out, &["\"timeout_s\":20"])?;
        timed_expiry(g, "wdtctl keepalive --count 1 --leave-running", 20).map(drop)
    });

    s.check("model/running_at_probe_kept_alive_until_open", g, |g| {
        // Under nowayout, start the watchdog and unbind the driver: the hardware keeps counting. Bind
        // again: probe finds it running and hands it to the watchdog core, which pings it with no
        // userspace help for three timeouts; then a userspace open takes over.
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt nowayout=1 heartbeat=6")?;
        sh(g, "wdtctl start")?;
        let before = boot_id(g)?;
        let device = bound_device(g)?;
        sh(g, &format!("echo {device} > {DRIVER_DIR}/unbind; sleep 1; echo {device} > {DRIVER_DIR}/bind"))?;
        let dmesg = sh(g, "dmesg | tail -n 20")?;
        expect_contains("probe", &dmesg, &["was already running"])?;
        sh(g, "sleep 18")?;
        if boot_id(g)? != before {
            return Err("the board reset while the kernel should have kept the watchdog alive".into());
        }
        let (status, _) = crate::suites::sh_any(g, "rmmod rpi_wdt")?;
        if status == 0 {
            return Err("rmmod succeeded while the watchdog core holds the running watchdog".into());
        }
        let out = sh(g, "wdtctl keepalive --interval 1 --count 3")?;
        expect_contains("userspace takes over", &out, &["ping 3"])?;
        if boot_id(g)? != before {
            return Err("the board reset during the hand-over".into());
        }
        Ok(())
    });
    s.check("model/nowayout_refuses_stop_and_fires", g, |g| {
        expect_attributes(&sysfs_attributes(g, WATCHDOG0)?, &[("nowayout", "1"), ("state", "active")])?;
        expect_exit(g, "wdtctl stop", 5, &["nowayout"])?;
        timed_expiry(g, "wdtctl ping", 6).map(drop)
    });
    s.check("model/boot_status_watchdog_after_nowayout_expiry", g, watchdog_boot_status);
    s.check("model/open_timeout_ends_the_kernels_care", g, |g| {
        // watchdog.open_timeout: the core keeps a watchdog found running at probe alive only until
        // userspace opens it or that many seconds pass. It times its last ping one hardware heartbeat
        // (here the 6 s timeout) before that deadline, so the board resets at the deadline itself:
        // 8 s after the registration, which the marker follows by a few milliseconds.
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt nowayout=1 heartbeat=6")?;
        sh(g, "echo 8 > /sys/module/watchdog/parameters/open_timeout")?;
        sh(g, "wdtctl start")?;
        let device = bound_device(g)?;
        let marker = "RPI-WDT-BOUND";
        let mark = g.qmp_mark();
        g.send_line(&format!(
            "echo {device} > {DRIVER_DIR}/unbind; echo {device} > {DRIVER_DIR}/bind; echo {marker}"
        ))
        .map_err(|e| e.to_string())?;
        g.expect(&format!("{marker}\n"), Duration::from_secs(30)).map_err(|e| e.to_string())?;
        let bound = std::time::SystemTime::now();
        let fired = g
            .watchdog_expiry(mark, Duration::from_secs(40))
            .map_err(|e| format!("the board did not reset after the open timeout: {e}"))?;
        let after = fired.duration_since(bound).unwrap_or_default();
        println!("#   reset {:.1} s after the bind, open timeout 8 s, timeout 6 s", after.as_secs_f64());
        await_shell(g).map_err(|e| format!("no next boot after the reset: {e}"))?;
        if after < Duration::from_secs(7) || after > Duration::from_millis(9500) {
            return Err(format!("reset {:.1} s after the bind, expected 7..9.5 s", after.as_secs_f64()));
        }
        watchdog_boot_status(g)
    });
    // The one QEMU process keeps the RTC model across the guest's reboots, as a board keeps its
    // battery-backed chip.
    crate::rtc::survives_reboot(s, g);
    s.check("model/poweroff_still_ends_qemu", g, |g| poweroff_ends_qemu(g, Duration::from_secs(60)));
    s.check("kernel/no_oops_warn_bug_lockdep_model_boots", g, |g| no_splat(&g.transcript()));
    abi
}
