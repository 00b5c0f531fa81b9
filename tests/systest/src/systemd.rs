//! systemd as PID 1 with rpi_wdt (suite `systemd`): the watchdog client of almost every embedded Linux
//! system, with no watchdog configuration but `RuntimeWatchdogSec=30s` in /etc/systemd/system.conf.
//!
//! One QEMU process on the watchdog model, guest resets turned into reboots (scripts/systemd-rootfs.sh
//! builds the guest from Debian 12's packages):
//! 1. systemd finds /dev/watchdog0 by itself and logs that it uses rpi_wdt with a 30 s timeout, more
//!    than the 16 s the hardware holds in one load, so the kernel extends it;
//! 2. the board stays up for three timeouts (same boot id);
//! 3. `echo c > /proc/sysrq-trigger` hangs the kernel: nothing reloads the hardware any more, it
//!    resets the board, and the next boot reports a watchdog reset;
//! 4. `systemctl reboot` hands the watchdog to systemd-shutdown with `RebootWatchdogSec` (10 min by
//!    default), which must not fail, and the board restarts through the watchdog's restart handler.
//!
//! Power-off is the kernel's path whoever asks for it, and the busybox boots check it.
//!
//! PID 1 logs to the console (`systemd.log_target=console`), so its watchdog lines are on the serial
//! console, where the checks read them.

use std::path::Path;
use std::time::{Duration, Instant};

use rpi_wdt_core::boot_status::ResetCause;
use rpi_wdt_core::ident::IDENTITY_STR;
use rpi_wdt_testkit::console::{BootSpec, Guest};
use rpi_wdt_testkit::report::Status;

use crate::suites::{
    await_shell_within, expect_attributes, expect_contains, no_splat, sh, sysfs_attributes, Session,
    WATCHDOG0,
};

/// The only setting the guest's system.conf may have.
const SYSTEM_CONF: &str = "[Manager]\nRuntimeWatchdogSec=30s";
/// What systemd 252 logs when it takes the watchdog (src/shared/watchdog.c), up to the node's name:
/// it opens /dev/watchdog0, or /dev/watchdog when that appears first (the watchdog core registers
/// the legacy node a moment before watchdog0, and a boot can catch the gap). Both are rpi_wdt's, as
/// the identity in the line says.
fn using() -> String {
    format!("Using hardware watchdog '{IDENTITY_STR}', version 0, device /dev/watchdog")
}
const RUNNING_30S: &str = "Watchdog running with a hardware timeout of 30s.";
/// The longest a hung kernel may take to be reset: the hardware holds 16 s after the last reload.
const HANG_RESET_LIMIT: Duration = Duration::from_secs(17);
/// systemd under TCG: from QEMU's start to the console shell.
const SYSTEMD_BOOT_TIMEOUT: Duration = Duration::from_secs(300);

/// Every check this suite records, for the skip list on stock QEMU.
pub const CHECKS: &[&str] = &[
    "systemd/boot_reaches_the_console_shell",
    "systemd/pid1_is_systemd_with_only_runtime_watchdog_set",
    "systemd/uses_rpi_wdt_watchdog0_with_30s_timeout",
    "systemd/board_stays_up_for_three_timeouts",
    "systemd/hung_kernel_reset_by_the_watchdog",
    "systemd/next_boot_reports_a_watchdog_reset",
    "systemd/reboot_watchdog_set_without_failure",
    "kernel/no_oops_warn_bug_lockdep_systemd_boots",
];

fn boot_id(g: &mut Guest) -> Result<String, String> {
    Ok(sh(g, "cat /proc/sys/kernel/random/boot_id")?.trim().to_string())
}

/// The transcript from `from` on (a byte offset into it).
fn since(g: &Guest, from: usize) -> String {
    g.transcript().get(from..).unwrap_or_default().to_string()
}

/// systemd's watchdog lines that report a failure. Kernel messages (with a printk timestamp) are not
/// systemd's: the abstraction's KUnit suite, where it runs, logs a refused registration on purpose.
fn watchdog_failures(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('['))
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            lower.contains("watchdog")
                && (lower.contains("fail") || lower.contains("error") || lower.contains("invalid"))
        })
        .collect()
}

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, model: bool) {
    if !model {
        for check in CHECKS {
            s.record(check, Status::Skip(crate::suites::STOCK_SKIP.into()), Instant::now());
        }
        return;
    }
    let started = Instant::now();
    let spec = BootSpec {
        project_root: root,
        board: s.board,
        initramfs,
        kernel_args: [
            rpi_wdt_testkit::console::test_kernel_args(false),
            vec!["systemd.log_target=console".into(), "systemd.show_status=false".into()],
        ]
        .concat(),
        log_path: results.join(format!("{}-systemd.log", s.board)),
        allow_reboot: true,
        qemu_args: "",
        env: Vec::new(),
    };
    let booted = Guest::boot(&spec).map_err(|e| format!("could not start QEMU: {e}")).and_then(|mut g| {
        await_shell_within(&mut g, SYSTEMD_BOOT_TIMEOUT)?;
        Ok(g)
    });
    let mut g = match booted {
        Ok(g) => g,
        Err(why) => {
            s.record("systemd/boot_reaches_the_console_shell", Status::Fail(why), started);
            return;
        }
    };
    s.record("systemd/boot_reaches_the_console_shell", Status::Pass, started);
    let g = &mut g;

    s.check("systemd/pid1_is_systemd_with_only_runtime_watchdog_set", g, |g| {
        let comm = sh(g, "cat /proc/1/comm")?;
        if comm.trim() != "systemd" {
            return Err(format!("PID 1 is {comm:?}"));
        }
        let conf = sh(
            g,
            "grep -v '^[[:space:]]*\\(#\\|$\\)' /etc/systemd/system.conf; \
             ls /etc/systemd/system.conf.d /run/systemd/system.conf.d 2>&1 | grep -v 'No such file'; true",
        )?;
        if conf.trim() != SYSTEM_CONF {
            return Err(format!("system.conf holds more than {SYSTEM_CONF:?}:\n{conf}"));
        }
        let cmdline = sh(g, "cat /proc/cmdline")?;
        if cmdline.contains("systemd.watchdog") {
            return Err(format!("the kernel command line configures the watchdog: {cmdline}"));
        }
        Ok(())
    });
    s.check("systemd/uses_rpi_wdt_watchdog0_with_30s_timeout", g, |g| {
        let transcript = g.transcript();
        expect_contains("the console", &transcript, &[&using(), RUNNING_30S])?;
        let failures = watchdog_failures(&transcript);
        if !failures.is_empty() {
            return Err(format!("systemd reported watchdog failures:\n{}", failures.join("\n")));
        }
        expect_attributes(&sysfs_attributes(g, WATCHDOG0)?, &[("state", "active"), ("timeout", "30")])?;
        let fds = sh(g, "ls -l /proc/1/fd")?;
        expect_contains("PID 1's open files", &fds, &["/dev/watchdog"])
    });
    s.check("systemd/board_stays_up_for_three_timeouts", g, |g| {
        let before = boot_id(g)?;
        let mark = g.qmp_mark();
        sh(g, "sleep 90")?;
        let expired = g.qmp()?.since(mark).iter().any(|e| e.name == "WATCHDOG");
        if boot_id(g)? != before || expired {
            return Err("the board reset within 90 s while systemd pinged the watchdog".into());
        }
        expect_attributes(&sysfs_attributes(g, WATCHDOG0)?, &[("state", "active")])
    });
    let before_crash = g.transcript().len();
    s.check("systemd/hung_kernel_reset_by_the_watchdog", g, |g| {
        let mark = g.qmp_mark();
        g.send_line("echo c > /proc/sysrq-trigger").map_err(|e| e.to_string())?;
        g.expect("sysrq triggered crash", Duration::from_secs(30)).map_err(|e| e.to_string())?;
        let hung = std::time::SystemTime::now();
        let fired = g
            .watchdog_expiry(mark, HANG_RESET_LIMIT + Duration::from_secs(10))
            .map_err(|e| format!("the watchdog did not reset the hung kernel: {e}"))?;
        let after = fired.duration_since(hung).unwrap_or_default();
        println!("#   the watchdog reset the hung kernel {:.1} s after the crash", after.as_secs_f64());
        if after > HANG_RESET_LIMIT {
            return Err(format!(
                "reset {:.1} s after the crash, more than one hardware load",
                after.as_secs_f64()
            ));
        }
        Ok(())
    });
    let after_crash = g.transcript().len();
    s.check("systemd/next_boot_reports_a_watchdog_reset", g, |g| {
        await_shell_within(g, SYSTEMD_BOOT_TIMEOUT).map_err(|e| format!("no next boot: {e}"))?;
        expect_attributes(
            &sysfs_attributes(g, WATCHDOG0)?,
            &[
                ("bootstatus", "32"),
                ("reset_reason", ResetCause::WatchdogOrReboot.name()),
                ("state", "active"),
            ],
        )?;
        expect_contains("the next boot's console", &since(g, after_crash), &[&using(), RUNNING_30S])
    });
    s.check("systemd/reboot_watchdog_set_without_failure", g, |g| {
        let mark = g.transcript().len();
        let qmp_mark = g.qmp_mark();
        g.send_line("systemctl reboot").map_err(|e| e.to_string())?;
        g.expect("reboot: Restarting system", Duration::from_secs(120)).map_err(|e| e.to_string())?;
        let shutdown = since(g, mark);
        let failures = watchdog_failures(&shutdown);
        if !failures.is_empty() {
            return Err(format!("watchdog failures during shutdown:\n{}", failures.join("\n")));
        }
        expect_contains("the shutdown", &shutdown, &["Watchdog running with a hardware timeout of 10min"])?;
        // The restart itself goes through rpi_wdt's restart handler: a 10-tick countdown, which
        // the model reports as a watchdog expiry.
        g.watchdog_expiry(qmp_mark, Duration::from_secs(30))
            .map_err(|e| format!("no watchdog restart: {e}"))?;
        Ok(())
    });
    let shutdown_end = g.transcript().len();
    s.check("kernel/no_oops_warn_bug_lockdep_systemd_boots", g, |g| {
        // The sysrq crash is meant: only what comes before it and from the next boot on counts.
        let transcript = g.transcript();
        let next_boot =
            transcript[after_crash..].find("Booting Linux").map_or(after_crash, |i| after_crash + i);
        no_splat(&transcript[..before_crash])?;
        no_splat(&transcript[next_boot..shutdown_end.min(transcript.len())])
    });
    g.kill();
}
