//! Timing checks that need a watchdog that counts: the project's QEMU model of the PM watchdog
//! (board/qemu/patches/, built by `make qemu-build`). One QEMU process, with guest resets turned into
//! reboots, is followed through two watchdog resets:
//!
//! 1. first boot: start without reset, time left, the standard ABI end to end, keepalive for three
//!    timeouts, the kernel's watchdog-test and busybox `watchdog` unchanged; then close without magic
//!    close, and the expiry is timed from the guest's last word to QEMU's expiry trace event;
//! 2. second boot: boot status says watchdog; with nowayout, stop is refused and the watchdog fires;
//! 3. third boot: boot status again, then `poweroff` still ends QEMU (partition 63 through the model).
//!
//! Expiry is measured on the host between the marker the guest prints right after its last ping (when
//! the harness reads it) and the host time QEMU stamps on its `bcm2835_powermgt_wdog_expired` trace line
//! (`-msg timestamp=on`); the model counts on QEMU's virtual clock, which under TCG follows the host
//! clock. [`EXPIRY_TOLERANCE`] bounds the difference.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::suites::{
    await_shell, boot_checked_with, expect_contains, expect_exit, no_splat, poweroff_ends_qemu, sh, sh_any,
    Session,
};
use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;

/// How far a measured expiry may be from the timeout: the guest's marker comes a little after the last
/// ping (early side), console and trace output reach the harness a little late (late side).
pub const EXPIRY_TOLERANCE: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(700));

/// Every check this module records, for the skip list on stock QEMU.
pub const CHECKS: &[&str] = &[
    "model/start_arms_countdown_without_reset",
    "model/time_left_decreases",
    "model/std_abi_program_completed",
    "model/std_abi32_compat_program_completed",
    "model/keepalive_holds_three_timeouts",
    "model/kernel_watchdog_test_oneshot",
    "model/kernel_watchdog_test_keeps_alive_then_magic_close",
    "model/busybox_watchdog_keeps_alive_then_magic_close",
    "model/bench_program_measures_every_node",
    "model/close_without_magic_close_fires_at_timeout",
    "model/boot_status_watchdog_after_expiry",
    "model/nowayout_refuses_stop_and_fires",
    "model/boot_status_watchdog_after_nowayout_expiry",
    "model/poweroff_still_ends_qemu",
    "kernel/no_oops_warn_bug_lockdep_model_boots",
];

const TRACE_EXPIRED: &str = "bcm2835_powermgt_wdog_expired";

/// Runs `command` (which must leave the watchdog counting `timeout_s`), then times the expiry and
/// follows the machine into its next boot.
fn timed_expiry(g: &mut Guest, command: &str, timeout_s: u64) -> Result<Duration, String> {
    let marker = "RPI-WDT-LAST-PING";
    g.send_line(&format!("{command}; echo {marker}")).map_err(|e| e.to_string())?;
    g.expect(&format!("{marker}\n"), Duration::from_secs(60)).map_err(|e| e.to_string())?;
    let last_word = std::time::SystemTime::now();
    let text = g
        .expect(TRACE_EXPIRED, Duration::from_secs(timeout_s + 30))
        .map_err(|e| format!("the watchdog did not fire: {e}"))?;
    let fired = rpi_wdt_testkit::console::trace_time(&text, TRACE_EXPIRED)
        .ok_or_else(|| format!("no timestamp on QEMU's trace line (-msg timestamp=on): {text}"))?;
    let measured = fired.duration_since(last_word).unwrap_or_default();
    await_shell(g).map_err(|e| format!("no second boot after the watchdog reset: {e}"))?;
    let expected = Duration::from_secs(timeout_s);
    let (early, late) = EXPIRY_TOLERANCE;
    println!(
        "#   expiry measured {:.3} s after the last ping, timeout {timeout_s} s (tolerance -{} ms/+{} ms)",
        measured.as_secs_f64(),
        early.as_millis(),
        late.as_millis()
    );
    if measured + early < expected || measured > expected + late {
        return Err(format!(
            "fired {:.3} s after the last ping, expected {timeout_s} s",
            measured.as_secs_f64()
        ));
    }
    Ok(measured)
}

fn json_field<'a>(json: &'a str, field: &str) -> Option<&'a str> {
    let start = json.find(&format!("\"{field}\":"))? + field.len() + 3;
    let rest = &json[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn timeleft_ms(g: &mut Guest) -> Result<u64, String> {
    let out = sh(g, "wdtctl --json status")?;
    json_field(&out, "timeleft_ms").and_then(|v| v.parse().ok()).ok_or(format!("no timeleft_ms in {out}"))
}

fn stopped(g: &mut Guest) -> Result<(), String> {
    let out = sh(g, "wdtctl --json status")?;
    expect_contains("watchdog stopped afterwards", &out, &["\"running\":false", "\"open\":false"])
}

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path) {
    let Some(mut g) = boot_checked_with(s, root, initramfs, results, "model", true) else { return };
    let g = &mut g;

    s.check("model/start_arms_countdown_without_reset", g, |g| {
        sh(g, "wdtctl timeout 5 && wdtctl start")?;
        let out = sh(g, "sleep 1; wdtctl --json status")?;
        expect_contains("after start", &out, &["\"running\":true"])?;
        Ok(())
    });
    s.check("model/time_left_decreases", g, |g| {
        let first = timeleft_ms(g)?;
        sh(g, "sleep 2")?;
        let second = timeleft_ms(g)?;
        sh(g, "wdtctl stop && wdtctl timeout 15")?;
        if first > 5_000 || second + 1_500 > first || second + 2_500 < first {
            return Err(format!("time left went from {first} ms to {second} ms over 2 s"));
        }
        stopped(g)
    });

    // The standard ABI end to end, from a 64-bit and a 32-bit (compat) program.
    for (prefix, program) in
        [("model/std_abi", "rpi-wdt-abi-check"), ("model/std_abi32_compat", "rpi-wdt-abi-check32")]
    {
        let started = Instant::now();
        let completed = format!("{prefix}_program_completed");
        match g.run(&format!("{program} std"), crate::suites::COMMAND_TIMEOUT) {
            Ok(out) => {
                let seen = s.tap_checks(prefix, &out.text, started);
                let status = if out.status == 0 && seen > 0 {
                    Status::Pass
                } else {
                    Status::Fail(format!("exited {} after {seen} checks:\n{}", out.status, out.text))
                };
                s.record(&completed, status, started);
            }
            Err(e) => s.record(&completed, Status::Fail(e.to_string()), started),
        }
    }

    s.check("model/keepalive_holds_three_timeouts", g, |g| {
        // Timeout 2 s, a ping every second, 7 pings: 6 s, three timeouts, without a reset.
        let out = sh(g, "wdtctl keepalive --timeout 2 --interval 1 --count 7")?;
        expect_contains("keepalive", &out, &["ping 7", "stopped the watchdog (magic close)"])?;
        stopped(g)
    });
    s.check("model/kernel_watchdog_test_oneshot", g, |g| {
        let out = sh(g, "watchdog-test -f /dev/rpi-wdt -i -s -b -T -t 4 -T -L -d -e")?;
        expect_contains(
            "watchdog-test",
            &out,
            &[
                "rpi_wdt BCM2835 PM watchdog",
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
            "watchdog-test -f /dev/rpi-wdt -t 2 -p 1 > /tmp/wt.log 2>&1 & pid=$!; sleep 7; kill -INT $pid; wait $pid; cat /tmp/wt.log",
        )?;
        expect_contains("watchdog-test ticking", &out, &["Watchdog Ticking Away!", "Stopping watchdog ticks..."])?;
        stopped(g)
    });
    s.check("model/busybox_watchdog_keeps_alive_then_magic_close", g, |g| {
        sh(g, "watchdog -T 2 -t 1 /dev/rpi-wdt")?;
        let during = sh(g, "sleep 7; wdtctl --json status")?;
        expect_contains("while busybox watchdog runs", &during, &["\"running\":true", "\"open\":true"])?;
        sh(g, "killall watchdog; sleep 1")?;
        stopped(g)
    });

    s.check("model/bench_program_measures_every_node", g, |g| {
        // make bench's latency program, on few calls: every node opens, every call succeeds, both
        // watchdogs end stopped by magic close. Figures are make bench's job, not this check's.
        let out = sh(g, "modprobe softdog soft_noboot=1 && rpi-wdt-bench 200; rmmod softdog")?;
        for name in ["ctl_state", "rpi_wdt_gettimeout", "softdog_gettimeout"] {
            let line = out
                .lines()
                .find(|l| l.contains(&format!("\"name\":\"{name}\"")))
                .ok_or_else(|| format!("no figure for {name} in {out:?}"))?;
            if !line.contains("\"calls\":200") || !line.contains("\"failed\":false") {
                return Err(format!("{name}: {line}"));
            }
        }
        stopped(g)
    });

    s.check("model/close_without_magic_close_fires_at_timeout", g, |g| {
        timed_expiry(g, "wdtctl keepalive --timeout 3 --count 1 --leave-running", 3).map(drop)
    });
    s.check("model/boot_status_watchdog_after_expiry", g, |g| {
        let out = sh(g, "wdtctl --json bootstatus")?;
        expect_contains("bootstatus", &out, &["\"cause\":\"watchdog-or-reboot\"", "\"card_reset\":true"])?;
        let out = sh(g, "watchdog-test -f /dev/rpi-wdt -b")?;
        expect_contains("watchdog-test -b", &out, &["Last boot is caused by: Card previously reset the CPU"])
    });

    s.check("model/nowayout_refuses_stop_and_fires", g, |g| {
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt nowayout=1 heartbeat=2")?;
        let info = sh(g, "wdtctl --json info")?;
        expect_contains("nowayout module", &info, &["\"nowayout\":true"])?;
        sh(g, "wdtctl start")?;
        expect_exit(g, "wdtctl stop", 5, &["nowayout"])?;
        // Magic close is refused too: the watchdog keeps counting from the close.
        let (_, _) = sh_any(g, "printf V > /dev/rpi-wdt")?;
        let out = sh(g, "wdtctl --json status")?;
        expect_contains(
            "after magic close under nowayout",
            &out,
            &["\"running\":true", "\"nowayout\":true"],
        )?;
        timed_expiry(g, "wdtctl ping", 2).map(drop)
    });
    s.check("model/boot_status_watchdog_after_nowayout_expiry", g, |g| {
        let out = sh(g, "wdtctl --json bootstatus")?;
        expect_contains("bootstatus", &out, &["\"cause\":\"watchdog-or-reboot\""])
    });
    s.check("model/poweroff_still_ends_qemu", g, |g| poweroff_ends_qemu(g, Duration::from_secs(60)));
    s.check("kernel/no_oops_warn_bug_lockdep_model_boots", g, |g| no_splat(&g.transcript()));
}

#[cfg(test)]
mod tests {
    use super::json_field;

    #[test]
    fn reads_json_fields() {
        let doc = r#"{"result":{"running":true,"timeleft_ms":4321,"x":"y"}}"#;
        assert_eq!(json_field(doc, "timeleft_ms"), Some("4321"));
        assert_eq!(json_field(doc, "running"), Some("true"));
        assert_eq!(json_field(doc, "missing"), None);
    }
}
