//! The checks, boot by boot. Every check is named `<board>/<area>/<what>`; a failure carries the reason
//! and the console tail, and the full console log is kept under the results directory.

use std::path::Path;
use std::time::{Duration, Instant};

use rpi_wdt_core::boot_status::ResetCause;
use rpi_wdt_core::ident::IDENTITY_STR;
use rpi_wdt_testkit::console::{test_kernel_args, BootSpec, Guest};
use rpi_wdt_testkit::ktap;
use rpi_wdt_testkit::markers;
pub use rpi_wdt_testkit::project::Qemu;
use rpi_wdt_testkit::report::{Report, Status};
use rpi_wdt_testkit::splat;

const BOOT_TIMEOUT: Duration = Duration::from_secs(240);
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
/// The driver's KUnit suite: one case per shared scenario (driver/rpi_wdt/core/src/scenarios.rs).
const KUNIT_SUITE: &str = "rpi_wdt_hw";
/// The Rust watchdog abstraction's KUnit suite, built into the kernel, run at boot.
const ABSTRACTION_KUNIT_SUITE: &str = "rust_watchdog";
/// The patch that carries the abstraction and its KUnit suite.
const ABSTRACTION_PATCH: &str =
    "board/linux/patches/0002-rust-watchdog-add-abstractions-for-watchdog-devices.patch";
pub const DRIVER_DIR: &str = "/sys/bus/platform/drivers/rpi_wdt";
/// rpi_wdt's watchdog in the watchdog core's class (it is the first watchdog to register).
pub const WATCHDOG0: &str = "/sys/class/watchdog/watchdog0";
pub const TESTS_DIR: &str = "/usr/libexec/rpi-wdt-tests";

/// Records checks for one board.
pub struct Session<'a> {
    pub board: &'a str,
    report: &'a mut Report,
}

impl<'a> Session<'a> {
    pub fn new(board: &'a str, report: &'a mut Report) -> Self {
        Session { board, report }
    }

    pub fn record(&mut self, name: &str, status: Status, started: Instant) {
        self.report.record(&format!("{}/{}", self.board, name), status, started.elapsed());
    }

    pub fn check(
        &mut self,
        name: &str,
        guest: &mut Guest,
        f: impl FnOnce(&mut Guest) -> Result<(), String>,
    ) -> bool {
        let started = Instant::now();
        let result = f(guest);
        let passed = result.is_ok();
        let status = match result {
            Ok(()) => Status::Pass,
            Err(why) => Status::Fail(format!(
                "{why}\n--- console tail ({}) ---\n{}",
                guest.log_path().display(),
                guest.tail(25)
            )),
        };
        self.record(name, status, started);
        passed
    }
}

/// Runs `command`; a non-zero status is an error carrying the output.
pub fn sh(guest: &mut Guest, command: &str) -> Result<String, String> {
    sh_within(guest, command, COMMAND_TIMEOUT)
}

/// [`sh`] with its own time limit, for long runs (fuzzing, stress, cycles).
pub fn sh_within(guest: &mut Guest, command: &str, limit: Duration) -> Result<String, String> {
    let out = guest.run(command, limit).map_err(|e| format!("`{command}`: {e}"))?;
    if out.status != 0 {
        return Err(format!("`{command}` exited {}:\n{}", out.status, out.text.trim_end()));
    }
    Ok(out.text)
}

/// No oops, WARN, BUG, lockdep, UBSAN or kmemleak report in the guest's dmesg or on its console.
pub fn kernel_log_clean(g: &mut Guest) -> Result<(), String> {
    let dmesg = sh(g, "dmesg")?;
    no_splat(&dmesg)?;
    no_splat(&g.transcript())
}

/// Sends `poweroff` and waits up to `limit` for QEMU to exit successfully.
pub fn poweroff_ends_qemu(g: &mut Guest, limit: Duration) -> Result<(), String> {
    g.send_line("poweroff").map_err(|e| e.to_string())?;
    let status = g.wait_exit(limit).map_err(|e| format!("QEMU did not exit: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("QEMU exited with {status}"))
    }
}

/// The checks of [`instances_boot`], recorded as skipped where it does not run.
const INSTANCES_CHECKS: &[&str] = &[
    "boot/instances_reaches_userspace",
    "driver/two_instances_register_side_by_side",
    "rtc/missing_chip_fails_probe_with_a_message",
    "kernel/no_oops_warn_bug_lockdep_instances_boot",
];

const ONE_BOARD_SKIP: &str = "runs on rpi3 only: it checks the driver, which is the same on every board";

pub const STOCK_SKIP: &str = "stock QEMU's PM model resets at once and never counts WDOG down; \
                          build the watchdog model with 'make qemu-build'";

/// Waits for the shell after a (re)boot and prepares it.
pub fn await_shell(guest: &mut Guest) -> Result<(), String> {
    await_shell_within(guest, BOOT_TIMEOUT)
}

/// [`await_shell`] for a boot that may take up to `limit` (systemd under emulation).
pub fn await_shell_within(guest: &mut Guest, limit: Duration) -> Result<(), String> {
    guest.expect(markers::READY, limit).map_err(|e| format!("{e}\n{}", guest.tail(30)))?;
    guest.expect(markers::PROMPT, limit).map_err(|e| format!("no shell prompt: {e}\n{}", guest.tail(30)))?;
    guest.run("stty -echo", COMMAND_TIMEOUT).map_err(|e| e.to_string())?;
    Ok(())
}

/// One boot of the board: its name (the console log's and the check's), and what it adds to the
/// default boot.
#[derive(Clone, Copy)]
pub struct Boot<'a> {
    name: &'a str,
    kunit: bool,
    allow_reboot: bool,
    devices: &'a str,
    kernel_args: &'a [&'a str],
    dtb: Option<&'a str>,
    env: &'a [(&'a str, &'a str)],
}

impl<'a> Boot<'a> {
    /// A boot with the board's devices, the test command line (without KUnit runs), and no guest reset
    /// turned into a reboot.
    pub fn named(name: &'a str) -> Self {
        Self { name, kunit: false, allow_reboot: false, devices: "", kernel_args: &[], dtb: None, env: &[] }
    }

    /// Runs the KUnit suites, built in and in modules, as they load.
    pub fn with_kunit(self) -> Self {
        Self { kunit: true, ..self }
    }

    /// Lets guest resets reboot the machine (QEMU without -no-reboot).
    pub fn rebooting(self, allow_reboot: bool) -> Self {
        Self { allow_reboot, ..self }
    }

    /// More QEMU devices (`-device ...` arguments) than the board's.
    pub fn devices(self, devices: &'a str) -> Self {
        Self { devices, ..self }
    }

    /// More kernel command-line arguments.
    pub fn kernel_args(self, kernel_args: &'a [&'a str]) -> Self {
        Self { kernel_args, ..self }
    }

    /// A variant of the board's DTB (`scripts/dtb.sh VARIANT BOARD`: `bare`, `twice`).
    pub fn dtb(self, variant: &'a str) -> Self {
        Self { dtb: Some(variant), ..self }
    }

    /// Environment for scripts/qemu.sh (`QEMU_NO_BOARD_DEVICES=1`).
    pub fn env(self, env: &'a [(&'a str, &'a str)]) -> Self {
        Self { env, ..self }
    }
}

/// The DTB `scripts/dtb.sh VARIANT BOARD` builds, by its path.
fn dtb_variant(root: &Path, variant: &str, board: &str) -> Result<String, String> {
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/dtb.sh"))
        .args([variant, board])
        .output()
        .map_err(|e| format!("scripts/dtb.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("scripts/dtb.sh {variant} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn boot(root: &Path, board: &str, initramfs: &Path, results: &Path, b: Boot<'_>) -> Result<Guest, String> {
    let mut kernel_args = test_kernel_args(b.kunit);
    kernel_args.extend(b.kernel_args.iter().map(|a| a.to_string()));
    let mut env: Vec<(String, String)> = b.env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if let Some(variant) = b.dtb {
        env.push(("QEMU_DTB".into(), dtb_variant(root, variant, board)?));
    }
    let spec = BootSpec {
        project_root: root,
        board,
        initramfs,
        kernel_args,
        log_path: results.join(format!("{board}-{}.log", b.name)),
        allow_reboot: b.allow_reboot,
        qemu_args: b.devices,
        env,
    };
    let mut guest = Guest::boot(&spec).map_err(|e| format!("could not start QEMU: {e}"))?;
    await_shell(&mut guest)?;
    Ok(guest)
}

/// Boots, recording the boot as the check `boot/NAME_reaches_userspace`; None if it failed.
pub fn boot_checked(
    s: &mut Session<'_>,
    root: &Path,
    initramfs: &Path,
    results: &Path,
    b: Boot<'_>,
) -> Option<Guest> {
    let started = Instant::now();
    let check = format!("boot/{}_reaches_userspace", b.name);
    match boot(root, s.board, initramfs, results, b) {
        Ok(guest) => {
            s.record(&check, Status::Pass, started);
            Some(guest)
        }
        Err(why) => {
            s.record(&check, Status::Fail(why), started);
            None
        }
    }
}

pub fn no_splat(text: &str) -> Result<(), String> {
    let found = splat::find(text, 12);
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("{} kernel report(s):\n{}", found.len(), found.join("\n---\n")))
    }
}

pub fn run_board(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, qemu: &Qemu) {
    // The instances and the differential depend on the driver, not on the SoC: one board runs them,
    // which keeps a fresh `make test` inside CI's time.
    let first_board = s.board == "rpi3";
    let abi = main_boot(s, root, initramfs, results, qemu.model, qemu.model && first_board);
    reboot_boot(s, root, initramfs, results);
    if first_board {
        instances_boot(s, root, initramfs, results);
    } else {
        for check in INSTANCES_CHECKS {
            s.record(check, Status::Skip(ONE_BOARD_SKIP.into()), Instant::now());
        }
    }
    if qemu.model && first_board {
        crate::differential::run(s, root, initramfs, results, abi.as_deref());
    } else {
        if !qemu.model {
            start_boot(s, root, initramfs, results);
        }
        let why = if qemu.model { ONE_BOARD_SKIP } else { STOCK_SKIP };
        for check in crate::differential::CHECKS {
            s.record(check, Status::Skip(why.into()), Instant::now());
        }
    }
}

/// The main boot; with `differential_abi`, it also runs the ABI program on rpi_wdt for the
/// differential, and returns its output.
fn main_boot(
    s: &mut Session<'_>,
    root: &Path,
    initramfs: &Path,
    results: &Path,
    model: bool,
    differential_abi: bool,
) -> Option<String> {
    let mut g = boot_checked(
        s,
        root,
        initramfs,
        results,
        Boot::named("main").with_kunit().devices(crate::rtc::DS3231_STAND_IN),
    )?;

    s.check("foundation/rust_module_loads_and_unloads", &mut g, |g| {
        sh(g, "modprobe rust_minimal && grep -q '^rust_minimal ' /proc/modules")?;
        sh(g, "rmmod rust_minimal && ! grep -q '^rust_minimal ' /proc/modules")?;
        let log = sh(g, "dmesg | grep 'Rust minimal sample'")?;
        if log.contains("(init)") && log.contains("(exit)") {
            Ok(())
        } else {
            Err(format!("init/exit messages missing:\n{log}"))
        }
    });
    s.check("foundation/vermagic_matches_kernel", &mut g, |g| {
        let release = sh(g, "uname -r")?.trim().to_string();
        for module in ["rust_minimal", "rpi_wdt"] {
            let vermagic = sh(g, &format!("modinfo -F vermagic {module}"))?;
            if !vermagic.trim().starts_with(&format!("{release} ")) {
                return Err(format!(
                    "{module}: vermagic {:?} does not match uname -r {release:?}",
                    vermagic.trim()
                ));
            }
        }
        Ok(())
    });

    s.check("driver/autoloaded_from_overlay", &mut g, |g| {
        sh(g, "grep -q '^rpi_wdt ' /proc/modules")
            .map_err(|e| format!("rpi_wdt not loaded by coldplug: {e}"))?;
        let device = bound_device(g)?;
        let compatible = sh(g, &format!("tr '\\0' ' ' < {DRIVER_DIR}/{device}/of_node/compatible"))?;
        if !compatible.contains("rpi-rust-wdt,bcm2835-pm-wdt") {
            return Err(format!("bound device's compatible is {compatible:?}"));
        }
        let alias = sh(g, "grep rpi_wdt /lib/modules/$(uname -r)/modules.alias")?;
        if !alias.contains("of:N*T*Crpi-rust-wdt,bcm2835-pm-wdt") {
            return Err(format!("modules.alias lacks the OF alias:\n{alias}"));
        }
        Ok(())
    });
    s.check("driver/registered_with_the_watchdog_core", &mut g, |g| {
        let device = bound_device(g)?;
        let parent = sh(g, &format!("readlink -f {WATCHDOG0}/device"))?;
        if !parent.trim().ends_with(&format!("/{device}")) {
            return Err(format!("{WATCHDOG0}/device is {}, not the overlay's {device}", parent.trim()));
        }
        let attrs = sysfs_attributes(g, WATCHDOG0)?;
        expect_attributes(
            &attrs,
            &[
                ("identity", IDENTITY_STR),
                ("options", "0x81a0"),
                ("fw_version", "0"),
                ("state", "inactive"),
                ("timeout", "15"),
                ("min_timeout", "1"),
                ("max_timeout", "0"),
                ("timeleft", "0"),
                ("bootstatus", "0"),
                ("nowayout", "0"),
                ("reset_reason", ResetCause::PowerOn.name()),
                ("rsts", "0x00001000"),
            ],
        )
    });
    s.check("driver/nodes_are_root_only_0600", &mut g, |g| {
        let modes = sh(g, "stat -c '%n %a %u %g %F %t:%T' /dev/watchdog0 /dev/watchdog")?;
        // watchdog0's major is the watchdog core's dynamic one, as /proc/devices lists it; the
        // legacy node is the misc device 10:130.
        let major = sh(g, "awk '$2 == \"watchdog\" { print $1 }' /proc/devices")?;
        let major: u32 =
            major.trim().parse().map_err(|_| format!("no watchdog major in /proc/devices: {major:?}"))?;
        let watchdog0 = format!(" {major:x}:0");
        for (node, number) in [("/dev/watchdog0 ", watchdog0.as_str()), ("/dev/watchdog ", " a:82")] {
            let line = modes.lines().find(|l| l.starts_with(node)).ok_or(format!("{node}missing"))?;
            if !line.contains("600 0 0 character special file") || !line.ends_with(number) {
                return Err(format!("{line}: expected mode 600, owner root, device {number}"));
            }
        }
        Ok(())
    });

    let started = Instant::now();
    match sh(&mut g, "dmesg") {
        Ok(dmesg) => {
            kunit_suite(s, &dmesg, KUNIT_SUITE, rpi_wdt_core::scenarios::ALL.len(), started, &g);
            match abstraction_kunit_cases(root) {
                Ok(expected) => kunit_suite(s, &dmesg, ABSTRACTION_KUNIT_SUITE, expected, started, &g),
                Err(why) => s.record(&format!("kunit/{ABSTRACTION_KUNIT_SUITE}"), Status::Fail(why), started),
            }
        }
        Err(why) => s.record(&format!("kunit/{KUNIT_SUITE}"), Status::Fail(why), started),
    }

    crate::rtc::checks(s, &mut g, model);

    s.check("driver/module_parameters", &mut g, |g| {
        // Over 15 s is a timeout like any other: the watchdog core reloads the hardware in time.
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt heartbeat=30 nowayout=1")?;
        let long = sysfs_attributes(g, WATCHDOG0);
        // Beyond what the core can count (UINT_MAX / 1000 s): refused with its message, default kept.
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt heartbeat=5000000")?;
        let refused = sh(g, "dmesg | grep -m1 'driver supplied timeout (5000000) out of range'");
        let fallback = sysfs_attributes(g, WATCHDOG0);
        sh(g, "rmmod rpi_wdt && modprobe rpi_wdt")?;
        expect_attributes(&long?, &[("timeout", "30"), ("nowayout", "1")])?;
        refused.map_err(|e| format!("no message for heartbeat=5000000: {e}"))?;
        expect_attributes(&fallback?, &[("timeout", "15"), ("nowayout", "0")])
    });
    s.check("driver/unbind_bind_20_cycles", &mut g, |g| {
        sh(g, &format!("sh {TESTS_DIR}/unbind-bind-cycles.sh 20")).map(drop)
    });
    s.check("driver/rmmod_modprobe_10_cycles", &mut g, |g| {
        sh(g, &format!("sh {TESTS_DIR}/rmmod-modprobe-cycles.sh 10")).map(drop)
    });

    let abi = if differential_abi { crate::differential::rust_abi(s, &mut g) } else { None };

    s.check("kernel/no_oops_warn_bug_lockdep_main_boot", &mut g, kernel_log_clean);

    s.check("driver/poweroff_ends_qemu_through_driver", &mut g, |g| {
        poweroff_ends_qemu(g, Duration::from_secs(90))?;
        let transcript = g.transcript();
        if !transcript.contains("reboot: Power down") {
            return Err("QEMU exited without the kernel's 'reboot: Power down'".into());
        }
        no_splat(&transcript)
    });
    abi
}

fn reboot_boot(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path) {
    let Some(mut g) = boot_checked(s, root, initramfs, results, Boot::named("reboot")) else { return };
    s.check("driver/reboot_resets_through_driver", &mut g, |g| {
        g.send_line("reboot").map_err(|e| e.to_string())?;
        g.expect("reboot: Restarting system", Duration::from_secs(60)).map_err(|e| e.to_string())?;
        // -no-reboot turns the watchdog's reset into QEMU exiting.
        let status = g.wait_exit(Duration::from_secs(30)).map_err(|e| format!("no reset: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("QEMU exited with {status}"))
        }
    });
    s.check("kernel/no_oops_warn_bug_lockdep_reboot_boot", &mut g, |g| no_splat(&g.transcript()));
}

/// Two devices over the same registers (the overlay's and a copy, `scripts/dtb.sh twice`): rpi_wdt
/// has no global state and no fixed node names, so both register, as watchdog0 and watchdog1, and
/// either can be unbound without the other. Nothing here arms them. The boot runs without the
/// board's RTC (QEMU_NO_BOARD_DEVICES=1), as a board with the rpi-rtc overlay but no chip fitted.
fn instances_boot(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path) {
    let instances = Boot::named("instances").dtb("twice").env(&[("QEMU_NO_BOARD_DEVICES", "1")]);
    let Some(mut g) = boot_checked(s, root, initramfs, results, instances) else {
        return;
    };
    s.check("driver/two_instances_register_side_by_side", &mut g, |g| {
        let devices = bound_devices(g)?;
        if devices.len() != 2 {
            return Err(format!("expected two devices bound to rpi_wdt, found {devices:?}"));
        }
        let mut parents = Vec::new();
        for n in 0..2 {
            let dir = format!("/sys/class/watchdog/watchdog{n}");
            expect_attributes(
                &sysfs_attributes(g, &dir)?,
                &[("identity", IDENTITY_STR), ("state", "inactive")],
            )?;
            parents.push(sh(g, &format!("basename $(readlink -f {dir}/device)"))?.trim().to_string());
            sh(g, &format!("test -c /dev/watchdog{n}"))?;
        }
        parents.sort();
        let mut expected = devices;
        expected.sort();
        if parents != expected {
            return Err(format!("watchdog0/1 belong to {parents:?}, the bound devices are {expected:?}"));
        }
        // Unbinding one leaves the other registered.
        let first = sh(g, "basename $(readlink -f /sys/class/watchdog/watchdog0/device)")?.trim().to_string();
        sh(g, &format!("echo {first} > {DRIVER_DIR}/unbind"))?;
        let left = sh(g, "ls /sys/class/watchdog");
        sh(g, &format!("echo {first} > {DRIVER_DIR}/bind"))?;
        let left = left?;
        if left.split_whitespace().collect::<Vec<_>>() != ["watchdog1"] {
            return Err(format!("after unbinding {first}, /sys/class/watchdog holds {left:?}"));
        }
        let back = sh(g, "ls /sys/class/watchdog")?;
        if back.split_whitespace().count() != 2 {
            return Err(format!("after binding {first} again, /sys/class/watchdog holds {back:?}"));
        }
        Ok(())
    });
    crate::rtc::missing_chip(s, &mut g);
    s.check("kernel/no_oops_warn_bug_lockdep_instances_boot", &mut g, kernel_log_clean);
    g.kill();
}

fn start_boot(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path) {
    let Some(mut g) = boot_checked(s, root, initramfs, results, Boot::named("start")) else { return };
    s.check("driver/start_resets_stock_qemu_at_once", &mut g, |g| {
        g.send_line("rpi-wdt-abi-check start /dev/watchdog0").map_err(|e| e.to_string())?;
        let status = g
            .wait_exit(Duration::from_secs(30))
            .map_err(|e| format!("no reset after opening /dev/watchdog0: {e}"))?;
        let transcript = g.transcript();
        if transcript.contains("reboot: Restarting system") {
            return Err("the kernel rebooted; expected the watchdog itself to reset the machine".into());
        }
        if status.success() {
            Ok(())
        } else {
            Err(format!("QEMU exited with {status}"))
        }
    });
    s.check("kernel/no_oops_warn_bug_lockdep_start_boot", &mut g, |g| no_splat(&g.transcript()));
}

/// The platform device bound to rpi_wdt (the overlay's node, e.g. `3f10001c.watchdog`).
pub fn bound_device(g: &mut Guest) -> Result<String, String> {
    bound_devices(g)?.into_iter().next().ok_or_else(|| "no device bound to rpi_wdt".to_string())
}

/// The devices bound to rpi_wdt: the entries of its driver directory that have a `driver` link
/// (`module`, `bind` and the rest have none).
pub fn bound_devices(g: &mut Guest) -> Result<Vec<String>, String> {
    let out =
        sh(g, &format!("cd {DRIVER_DIR} && for d in *; do [ -e \"$d/driver\" ] && echo \"$d\"; done; true"))?;
    Ok(out.lines().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string).collect())
}

/// Every readable file of a watchdog's sysfs directory, as `(name, first line)`.
pub fn sysfs_attributes(g: &mut Guest, dir: &str) -> Result<Vec<(String, String)>, String> {
    let out = sh(
        g,
        &format!(
            "cd {dir} && for f in *; do [ -f \"$f\" ] && echo \"$f=$(head -n1 \"$f\" 2>/dev/null)\"; done"
        ),
    )?;
    Ok(out.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// One attribute's value, if the directory has it.
pub fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Each `(name, value)` is in `attrs` exactly.
pub fn expect_attributes(attrs: &[(String, String)], expected: &[(&str, &str)]) -> Result<(), String> {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(name, value)| attribute(attrs, name) != Some(*value))
        .map(|(name, value)| format!("{name}: {:?}, expected {value:?}", attribute(attrs, name)))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("sysfs attributes: {}", wrong.join("; ")))
    }
}

/// The number of KUnit cases the abstraction's patch declares (its `#[test]` functions).
fn abstraction_kunit_cases(root: &Path) -> Result<usize, String> {
    let patch = std::fs::read_to_string(root.join(ABSTRACTION_PATCH))
        .map_err(|e| format!("{ABSTRACTION_PATCH}: {e}"))?;
    Ok(patch.lines().filter(|l| l.trim_start_matches('+').trim() == "#[test]").count())
}

/// Records every case of a KUnit suite found in dmesg, and the suite, which passes only if it ran
/// exactly `expected` cases and all passed.
pub fn kunit_suite(
    s: &mut Session<'_>,
    dmesg: &str,
    name: &str,
    expected: usize,
    started: Instant,
    g: &Guest,
) {
    let Some(suite) = ktap::suite(dmesg, name) else {
        s.record(
            &format!("kunit/{name}"),
            Status::Fail("no KTAP output for the suite in dmesg (is CONFIG_KUNIT=y?)".into()),
            started,
        );
        return;
    };
    for case in &suite.cases {
        let status = if case.skipped {
            Status::Skip("skipped by KUnit".into())
        } else if case.ok {
            Status::Pass
        } else {
            Status::Fail(format!("KUnit case failed; see dmesg in {}", g.log_path().display()))
        };
        s.record(&format!("kunit/{name}/{}", case.name), status, started);
    }
    let status = if suite.ok && suite.cases.len() == expected {
        Status::Pass
    } else {
        Status::Fail(format!("suite ok: {}, {} of {expected} cases reported", suite.ok, suite.cases.len()))
    };
    s.record(&format!("kunit/{name}"), status, started);
}

/// Runs `command` and returns (status, output), whatever the status.
pub fn sh_any(guest: &mut Guest, command: &str) -> Result<(i32, String), String> {
    let out = guest.run(command, COMMAND_TIMEOUT).map_err(|e| format!("`{command}`: {e}"))?;
    Ok((out.status, out.text))
}

pub fn expect_contains(what: &str, text: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !text.contains(*n)) {
        Some(missing) => Err(format!("{what}: {missing:?} missing from:\n{text}")),
        None => Ok(()),
    }
}
