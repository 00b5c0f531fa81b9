//! The scenario suite. Each scenario runs on any target and returns pass, fail or skip (with the reason
//! it cannot run there), with figures where it measures something.

use std::time::{Duration, Instant};

use rpi_wdt_testkit::report::Status;
use rpi_wdt_testkit::splat;

use crate::fixture::Fixture;
use crate::target::{Countdown, Target};

/// Where the runner puts the guest tools it uploads.
pub const TOOLS_DIR: &str = "/tmp/rpi-wdt-hil";
const LONG: Duration = Duration::from_secs(120);
const RESET_LIMIT: Duration = Duration::from_secs(240);
/// How far the runner's own expiry estimate may be from the timeout: it polls over SSH once a
/// second-long connect timeout allows, so it sees the board go quiet up to about 1.5 s late.
const ESTIMATE_TOLERANCE: (Duration, Duration) = (Duration::from_millis(500), Duration::from_millis(2500));
/// With QEMU's expiry trace the timing is exact to the console's latency (as in rpi-wdt-systest).
const TRACE_TOLERANCE: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(700));

/// A scenario's outcome and the figures it measured.
pub struct Outcome {
    pub status: Status,
    pub figures: Vec<String>,
}

impl Outcome {
    fn pass(figures: Vec<String>) -> Outcome {
        Outcome { status: Status::Pass, figures }
    }
    fn skip(why: &str) -> Outcome {
        Outcome { status: Status::Skip(why.into()), figures: Vec::new() }
    }
}

/// The bench around the target: the fixture, if one is connected, and the Pi GPIO its heartbeat
/// input is wired to.
pub struct Bench {
    pub fixture: Option<Fixture>,
    pub heartbeat_gpio: String,
}

type Scenario = fn(&mut dyn Target, &mut Bench) -> Result<Outcome, String>;

/// Every scenario, in the order they run. Scenarios that end the machine come last.
pub const ALL: &[(&str, &str, Scenario)] = &[
    (
        "probe_and_autoload",
        "the overlay's device is bound to rpi_wdt, loaded by coldplug, nodes 0600",
        probe_and_autoload,
    ),
    ("abi_control_node", "every control ioctl and its error paths, 64-bit and 32-bit", abi_control_node),
    (
        "abi_standard_node",
        "the standard watchdog ABI end to end (arms and stops the watchdog)",
        abi_standard_node,
    ),
    ("error_paths", "wdtctl's errors and exit codes for bad input, state left intact", error_paths),
    ("concurrent_use", "parallel control-node users while one process holds the watchdog", concurrent_use),
    (
        "wdtctl_over_ssh",
        "wdtctl --host from this machine: output and exit codes come back unchanged",
        wdtctl_over_ssh,
    ),
    ("keepalive_hold", "pinging for three timeouts keeps the board up", keepalive_hold),
    ("expiry", "stop pinging: the board resets at the timeout and reports a watchdog reset", expiry),
    ("reboot", "reboot goes through the driver and the board comes back", reboot),
    ("kernel_log_clean", "no oops, WARN, BUG or lockdep report in the kernel log", kernel_log_clean),
    ("poweroff", "poweroff goes through the driver's power-off handler", poweroff),
];

const NEEDS_COUNTDOWN: &str =
    "stock QEMU resets at once when the watchdog starts (no countdown); use the model (make qemu-build) or a board";

fn sh(t: &mut dyn Target, command: &str) -> Result<String, String> {
    let out = t.run(&format!("PATH={TOOLS_DIR}:$PATH; {command}"), LONG)?;
    if out.status != 0 {
        return Err(format!("`{command}` exited {}:\n{}", out.status, out.text.trim_end()));
    }
    Ok(out.text)
}

fn sh_status(t: &mut dyn Target, command: &str) -> Result<(i32, String), String> {
    let out = t.run(&format!("PATH={TOOLS_DIR}:$PATH; {command}"), LONG)?;
    Ok((out.status, out.text))
}

fn contains(what: &str, text: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !text.contains(*n)) {
        Some(n) => Err(format!("{what}: {n:?} missing in:\n{text}")),
        None => Ok(()),
    }
}

fn tap_failures(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("not ok")).collect()
}

fn tap_count(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("ok ") || l.starts_with("not ok ")).count()
}

fn probe_and_autoload(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    sh(t, "grep -q '^rpi_wdt ' /proc/modules").map_err(|e| format!("rpi_wdt is not loaded: {e}"))?;
    let bound = sh(t, "ls /sys/bus/platform/drivers/rpi_wdt/")?;
    let device =
        bound.split_whitespace().find(|d| d.ends_with(".watchdog")).ok_or("no device bound")?.to_string();
    let compatible =
        sh(t, &format!("tr '\\0' ' ' < /sys/bus/platform/drivers/rpi_wdt/{device}/of_node/compatible"))?;
    contains("compatible", &compatible, &["rpi-rust-wdt,bcm2835-pm-wdt"])?;
    let modes = sh(t, "stat -c '%a %u' /dev/rpi-wdt /dev/rpi-wdt-ctl")?;
    if modes.lines().any(|l| l.trim() != "600 0") {
        return Err(format!("node modes: {modes}"));
    }
    let probe = sh(t, "dmesg | grep -m1 'rpi_wdt .*PM watchdog' | sed 's/^\\[[^]]*\\] //'")?;
    Ok(Outcome::pass(vec![format!("device {device}"), probe.trim().to_string()]))
}

fn abi_control_node(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let mut figures = Vec::new();
    for program in ["rpi-wdt-abi-check", "rpi-wdt-abi-check32"] {
        let (status, out) = sh_status(t, &format!("{program} ctl"))?;
        let failed = tap_failures(&out);
        if status != 0 || !failed.is_empty() || tap_count(&out) == 0 {
            return Err(format!(
                "{program} ctl exited {status}:\n{}",
                if failed.is_empty() { out.clone() } else { failed.join("\n") }
            ));
        }
        figures.push(format!("{program}: {} checks", tap_count(&out)));
    }
    Ok(Outcome::pass(figures))
}

fn abi_standard_node(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if t.countdown() == Countdown::ResetsAtOnce {
        return Ok(Outcome::skip(NEEDS_COUNTDOWN));
    }
    let (status, out) = sh_status(t, "rpi-wdt-abi-check std")?;
    let failed = tap_failures(&out);
    if status != 0 || !failed.is_empty() || tap_count(&out) == 0 {
        return Err(format!("rpi-wdt-abi-check std exited {status}:\n{}", failed.join("\n")));
    }
    Ok(Outcome::pass(vec![format!("{} checks", tap_count(&out))]))
}

fn error_paths(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let before = sh(t, "wdtctl --json timeout")?;
    for (command, code, needle) in [
        ("wdtctl timeout 16", 6, "outside"),
        ("wdtctl timeout 0", 6, "outside"),
        ("wdtctl ping", 6, "not running"),
        ("wdtctl --device /nonexistent/wdt info", 3, "No such file"),
        ("rpi-wdt-run-as 65534 wdtctl info", 4, "root"),
        ("wdtctl bogus", 2, "Usage"),
    ] {
        let (status, out) = sh_status(t, &format!("{command} 2>&1"))?;
        if status != code || !out.contains(needle) {
            return Err(format!("`{command}`: exit {status} (expected {code}), output:\n{out}"));
        }
    }
    let after = sh(t, "wdtctl --json timeout")?;
    if before != after {
        return Err(format!("state changed: {before} -> {after}"));
    }
    Ok(Outcome::pass(vec!["6 error cases, timeout unchanged".into()]))
}

fn concurrent_use(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let holder = t.countdown() == Countdown::Counts;
    let script = format!(
        "{hold}pids=''; for i in 1 2 3 4; do (n=0; while [ $n -lt 100 ]; do wdtctl --json status >/dev/null || exit 1; n=$((n+1)); done) & pids=\"$pids $!\"; done; \
         fails=0; for j in $pids; do wait $j || fails=$((fails+1)); done; {busy}{release}echo readers_failed=$fails",
        hold = if holder { "wdtctl keepalive --timeout 5 --interval 1 --count 20 >/tmp/ka.log 2>&1 & ka=$!; sleep 1; " } else { "" },
        busy = if holder {
            "if { printf x > /dev/rpi-wdt; } 2>/tmp/busy.log; then echo second_open=accepted; else echo second_open=refused; fi; cat /tmp/busy.log; "
        } else {
            ""
        },
        release = if holder { "kill -TERM $ka; wait $ka; echo keepalive_exit=$?; " } else { "" },
    );
    let out = sh(t, &script)?;
    contains("4 readers x 100 status calls", &out, &["readers_failed=0"])?;
    if holder {
        contains(
            "the holder",
            &out,
            &["second_open=refused", "Device or resource busy", "keepalive_exit=0"],
        )?;
        let state = sh(t, "wdtctl --json status")?;
        contains("after the holder stopped", &state, &["\"running\":false"])?;
    }
    let mut figures = vec!["400 concurrent control-node status calls".to_string()];
    if holder {
        figures.push("a second open of /dev/rpi-wdt while held: EBUSY".into());
    }
    Ok(Outcome::pass(figures))
}

fn wdtctl_over_ssh(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let Some(ssh) = t.ssh().cloned() else {
        return Ok(Outcome::skip("the target is reached over its serial console, not SSH"));
    };
    let wdtctl = crate::project_root().join("target/release/wdtctl");
    if !wdtctl.is_file() {
        return Err(format!("{} is not built: run 'cargo build --release -p wdtctl'", wdtctl.display()));
    }
    let remote = sh(t, "command -v wdtctl")?.trim().to_string();
    // The runner's connection options (port, key) go in a stand-in `ssh`, as a ~/.ssh/config entry would.
    let dir = std::env::temp_dir().join(format!("rpi-wdt-hil-ssh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let wrapper = dir.join("ssh");
    std::fs::write(&wrapper, ssh.wrapper_script()).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let run = |args: &[&str]| {
        std::process::Command::new(&wdtctl)
            .env("WDTCTL_SSH", &wrapper)
            .args(["--host", &ssh.destination])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", wdtctl.display()))
    };
    let result = (|| {
        let out = run(&["--remote-wdtctl", &remote, "--json", "status"])?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.code() != Some(0) || !stdout.contains("\"interface\":\"control\"") {
            return Err(format!("wdtctl --host ... status: exit {:?}: {stdout}", out.status.code()));
        }
        let out = run(&["--remote-wdtctl", &remote, "timeout", "99"])?;
        if out.status.code() != Some(6) {
            return Err(format!("the remote's exit code 6 came back as {:?}", out.status.code()));
        }
        let out = run(&["--remote-wdtctl", "/nonexistent/wdtctl", "status"])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(9) || !stderr.contains("was not found on the board") {
            return Err(format!("missing remote wdtctl: exit {:?}: {stderr}", out.status.code()));
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(Outcome::pass(vec![format!(
        "through ssh as {}: status, exit code 6, missing remote tool (exit 9)",
        ssh.destination
    )]))
}

fn keepalive_hold(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if t.countdown() == Countdown::ResetsAtOnce {
        return Ok(Outcome::skip(NEEDS_COUNTDOWN));
    }
    let boot = t.boot_id()?;
    let started = Instant::now();
    let out = sh(t, "wdtctl keepalive --timeout 3 --interval 1 --count 10")?;
    let held = started.elapsed();
    contains("keepalive", &out, &["ping 10", "stopped the watchdog (magic close)"])?;
    if t.boot_id()? != boot {
        return Err("the board rebooted while being pinged".into());
    }
    Ok(Outcome::pass(vec![format!("held {:.1} s with a 3 s timeout, no reset", held.as_secs_f64())]))
}

/// Waits for a new boot; if the target does not come back and a fixture is wired to its RUN pin, forces
/// a hard reset once and waits again.
fn wait_back_or_recover(t: &mut dyn Target, bench: &mut Bench, boot: &str) -> Result<Duration, String> {
    match t.wait_back(boot, RESET_LIMIT) {
        Ok(d) => Ok(d),
        Err(why) => match bench.fixture.as_mut() {
            Some(f) => {
                println!("#   {why}; forcing a hard reset through the fixture's RUN line");
                f.force_reset()?;
                t.wait_back(boot, RESET_LIMIT).map_err(|e| format!("{why}; after a forced reset: {e}"))
            }
            None => Err(why),
        },
    }
}

fn within(measured: Duration, expected: Duration, (early, late): (Duration, Duration)) -> bool {
    measured + early >= expected && measured <= expected + late
}

fn expiry(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    if t.countdown() == Countdown::ResetsAtOnce {
        return Ok(Outcome::skip(NEEDS_COUNTDOWN));
    }
    let timeout = Duration::from_secs(5);
    let boot = t.boot_id()?;
    // One ping, then close without magic close: the countdown runs from the close. With a fixture,
    // wdtctl also pulses the heartbeat line and holds it up until the reset.
    let last_ping = match bench.fixture.as_mut() {
        Some(f) => {
            f.reset_events();
            sh(
                t,
                &format!(
                    "nohup wdtctl keepalive --timeout 5 --count 1 --leave-running --heartbeat-gpio {} \
                     </dev/null >/tmp/rpi-wdt-hil-keepalive.log 2>&1 & sleep 1; cat /tmp/rpi-wdt-hil-keepalive.log",
                    bench.heartbeat_gpio
                ),
            )?;
            // wdtctl pinged at most a second ago; the fixture's figure is the exact one.
            Instant::now() - Duration::from_millis(500)
        }
        None => {
            sh(t, "wdtctl keepalive --timeout 5 --count 1 --leave-running")?;
            Instant::now()
        }
    };
    let last_seen = t.wait_gone(timeout + Duration::from_secs(30))?;
    let gone_after = last_seen.saturating_duration_since(last_ping);
    let mut figures =
        vec![format!("runner: last answer {:.2} s after the last ping", gone_after.as_secs_f64())];
    let mut ok = within(gone_after + Duration::from_millis(1), timeout, ESTIMATE_TOLERANCE);
    if let Some(at) = t.expiry_seen_at(Duration::from_secs(10)) {
        let traced = at.saturating_duration_since(last_ping);
        figures.push(format!("QEMU trace: expired {:.3} s after the last ping", traced.as_secs_f64()));
        ok = within(traced, timeout, TRACE_TOLERANCE);
    }
    match bench.fixture.as_mut() {
        Some(f) => match f.expiry_measurement(Duration::from_secs(30)) {
            Ok(ms) => figures.push(format!(
                "fixture: reset {ms} ms after the last heartbeat ping ({} pings seen)",
                f.pings_seen()
            )),
            Err(e) => figures.push(format!("fixture: no measurement ({e})")),
        },
        None => {
            figures.push("fixture: absent (--fixture PORT gives a timing independent of the board)".into())
        }
    }
    let back = wait_back_or_recover(t, bench, &boot)?;
    figures.push(format!("back {:.1} s later", back.as_secs_f64()));
    let status = sh(t, "wdtctl --json bootstatus")?;
    contains(
        "boot status after the expiry",
        &status,
        &["\"cause\":\"watchdog-or-reboot\"", "\"card_reset\":true"],
    )?;
    if !ok {
        return Err(format!(
            "expiry outside the tolerance for a {} s timeout: {}",
            timeout.as_secs(),
            figures.join("; ")
        ));
    }
    Ok(Outcome::pass(figures))
}

fn reboot(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    let boot = t.boot_id()?;
    // The ssh session may die with the board: do not wait for the command's answer.
    let _ = t.run("(sleep 1; reboot) >/dev/null 2>&1 &", Duration::from_secs(30));
    t.wait_gone(Duration::from_secs(120))?;
    let back = wait_back_or_recover(t, bench, &boot)?;
    let status = sh(t, "wdtctl --json bootstatus")?;
    contains("boot status after reboot", &status, &["\"cause\":\"watchdog-or-reboot\""])?;
    Ok(Outcome::pass(vec![format!("back {:.1} s after going down", back.as_secs_f64())]))
}

fn kernel_log_clean(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let dmesg = sh(t, "dmesg")?;
    let mut found = splat::find(&dmesg, 12);
    if let Some(console) = t.console_log() {
        found.extend(splat::find(&console, 12));
    }
    if found.is_empty() {
        Ok(Outcome::pass(Vec::new()))
    } else {
        Err(format!("{} kernel report(s):\n{}", found.len(), found.join("\n---\n")))
    }
}

fn poweroff(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if !t.may_power_off() {
        return Ok(Outcome::skip(
            "powering a board off needs a person or switchable power to bring it back; pass --allow-poweroff",
        ));
    }
    let _ = t.run("(sleep 1; poweroff) >/dev/null 2>&1 &", Duration::from_secs(30));
    t.confirm_powered_off()?;
    Ok(Outcome::pass(vec!["the target powered off".into()]))
}
