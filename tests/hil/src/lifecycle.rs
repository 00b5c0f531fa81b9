//! Scenarios about the watchdog's life across opens, unbinds and module loads, and about the kernel's
//! care of a watchdog nobody holds: the watchdog core pings a watchdog it found running at probe until
//! userspace opens it, or until `watchdog.open_timeout` has passed. Also the kernel's own
//! `watchdog-test` pinging, and busybox's `watchdog`, which users run unchanged (watchdog-test's
//! one-shot options run in crate::scenarios' abi_standard_node).
//!
//! Every one of them arms the watchdog, so they need a counting one ([`crate::needs::Need::Countdown`]);
//! the ones that reload the module skip where rpi_wdt is built in. What they do not cover: a watchdog
//! the firmware left running before Linux (the probe path is the same as after an unbind, which is how
//! these scenarios make one).

use std::time::{Duration, Instant, SystemTime};

use rpi_wdt_testkit::timing::{self, Tolerance};

use crate::hwtrace;
use crate::scenarios::{armable, one, read_attrs, watchdog_reset_reported, Expect};
use crate::step::{built_in, contains, sh, sh_status, wait_back_or_recover, Bench, Outcome};
use crate::sysfs::{DRIVER_DIR, NODE, SYSFS};
use crate::target::Target;

/// Where the project's images keep the guest test scripts (scripts/rootfs.sh).
const TESTS_DIR: &str = "/usr/libexec/rpi-wdt-tests";
/// The module parameters the kernel-care scenarios load rpi_wdt with: nowayout, so that an unbind
/// cannot stop the hardware, and a 6 s heartbeat, so that the kernel's pinging is seen over a few
/// timeouts.
const NOWAYOUT_RELOAD: &str = "rmmod rpi_wdt && modprobe rpi_wdt nowayout=1 heartbeat=6";
const NOWAYOUT_TIMEOUT_S: u64 = 6;
/// The timeout start_and_time_left arms: long enough for its one command's 3 s.
const START_TIMEOUT_S: u64 = 8;
/// `watchdog.open_timeout` for its scenario, in seconds.
const OPEN_TIMEOUT_S: u64 = 8;

fn state(t: &mut dyn Target) -> Result<String, String> {
    Ok(read_attrs(t)?.get("state")?.to_string())
}

fn stopped(t: &mut dyn Target, what: &str) -> Result<(), String> {
    match state(t)?.as_str() {
        "inactive" => Ok(()),
        other => Err(format!("watchdog0 is {other} after {what}, expected inactive")),
    }
}

/// The one device bound to rpi_wdt (`3f100000.watchdog`).
fn bound_device(t: &mut dyn Target) -> Result<String, String> {
    let out = sh(
        t,
        &format!(
            "cd {DRIVER_DIR} && for d in *.watchdog; do [ -e \"$d/driver\" ] && echo \"$d\"; done; true"
        ),
    )?;
    match out.split_whitespace().collect::<Vec<_>>()[..] {
        [device] => Ok(device.to_string()),
        ref found => Err(format!("expected one device bound to rpi_wdt, found {found:?}")),
    }
}

/// [`armable`], and rpi_wdt a module (the reason to skip where it is built in).
fn armable_module(t: &mut dyn Target, stops_it: bool) -> Result<Option<String>, String> {
    if let Some(why) = armable(t, stops_it)? {
        return Ok(Some(why));
    }
    built_in(t, "rpi_wdt")
}

pub fn start_and_time_left(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let timeout = read_attrs(t)?.num("timeout")?;
    let boot = t.boot_id()?;
    // One command from start to stop: over SSH under emulation each command takes about a second,
    // and nothing pings the watchdog meanwhile.
    let out = sh(
        t,
        &format!(
            "wdtctl --json timeout {START_TIMEOUT_S}; echo state_before=$(cat {SYSFS}/state); \
             echo timeout_before=$(cat {SYSFS}/timeout); wdtctl start >/dev/null; sleep 1; \
             echo state_armed=$(cat {SYSFS}/state); echo left_first=$(cat {SYSFS}/timeleft); sleep 2; \
             echo left_second=$(cat {SYSFS}/timeleft); wdtctl stop >/dev/null; wdtctl timeout {timeout} >/dev/null"
        ),
    );
    let out = out?;
    let left =
        |key: &str| -> Result<u64, String> { one(&out, key)?.parse().map_err(|e| format!("{key}: {e}")) };
    let mut e = Expect::default();
    e.that(
        out.contains(&format!("\"timeout_s\":{START_TIMEOUT_S}")),
        format!("wdtctl --json timeout:\n{out}"),
    );
    e.eq("timeout after wdtctl timeout", one(&out, "timeout_before")?, START_TIMEOUT_S.to_string().as_str());
    e.eq("state after wdtctl timeout", one(&out, "state_before")?, "inactive");
    e.eq("state after wdtctl start", one(&out, "state_armed")?, "active");
    let (a, b) = (left("left_first")?, left("left_second")?);
    e.that(
        a <= START_TIMEOUT_S && b < a && b + 3 >= a,
        format!("time left went from {a} s to {b} s over 2 s"),
    );
    e.done("wdtctl start")?;
    stopped(t, "wdtctl stop")?;
    if t.boot_id()? != boot {
        return Err(format!("the target reset while the watchdog counted {START_TIMEOUT_S} s"));
    }
    Ok(Outcome::pass(vec![format!(
        "timeout set without arming; armed without a reset; time left {a} s, then {b} s 2 s later"
    )]))
}

pub fn open_across_unbind(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let device = bound_device(t)?;
    // The program holds the node open across unbind and bind: its calls then fail with ENODEV, and
    // the unbind stopped the hardware; it prints TAP.
    let out = sh(t, &format!("rpi-wdt-abi-check unbind {NODE} rpi_wdt {device}"))?;
    if out.contains("not ok") || !out.contains("ok ") {
        return Err(format!("rpi-wdt-abi-check unbind:\n{out}"));
    }
    bound_device(t).map_err(|e| format!("after the program bound it again: {e}"))?;
    stopped(t, "the unbind")?;
    let checks = out.lines().filter(|l| l.starts_with("ok ")).count();
    Ok(Outcome::pass(vec![format!("{checks} checks: the open file answers ENODEV after the unbind")]))
}

pub fn rmmod_while_open(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable_module(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let script = format!("{TESTS_DIR}/rmmod-while-open.sh");
    if sh_status(t, &format!("test -r {script}"))?.0 != 0 {
        return Err(format!("{script} is missing: the target does not run the project's image (make image)"));
    }
    let out = sh(t, &format!("sh {script}"))?;
    stopped(t, "the script")?;
    Ok(Outcome::pass(vec![out.trim().to_string()]))
}

pub fn other_watchdog_tools(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let timeout = read_attrs(t)?.num("timeout")?;
    let boot = t.boot_id()?;
    let mut figures = Vec::new();
    let result = (|| -> Result<(), String> {
        let out = sh(
            t,
            &format!(
                "watchdog-test -f {NODE} -t 2 -p 1 > /tmp/rpi-wdt-hil-wt.log 2>&1 & pid=$!; sleep 7; kill -INT $pid; \
                 wait $pid; cat /tmp/rpi-wdt-hil-wt.log"
            ),
        )?;
        contains("watchdog-test pinging", &out, &["Watchdog Ticking Away!", "Stopping watchdog ticks..."])?;
        stopped(t, "watchdog-test's magic close")?;
        figures.push("watchdog-test -t 2 -p 1: 7 s, three timeouts, then magic close".to_string());
        // Run by its applet name, so that killall finds it (a board may have another program of
        // that name, the watchdog daemon, or no applet link).
        if sh_status(t, "watchdog --help 2>&1 | grep -q BusyBox")?.0 != 0 {
            figures.push("busybox watchdog: no such applet on this target".to_string());
            return Ok(());
        }
        sh(t, &format!("watchdog -T 2 -t 1 {NODE}; sleep 7"))?;
        let during = state(t)?;
        sh(t, "killall watchdog; sleep 1")?;
        if during != "active" {
            return Err(format!("watchdog0 was {during} while busybox watchdog ran"));
        }
        stopped(t, "busybox watchdog's magic close")?;
        figures.push("busybox watchdog -T 2 -t 1: 7 s, then magic close on SIGTERM".to_string());
        Ok(())
    })();
    let _ = sh(t, &format!("wdtctl timeout {timeout} >/dev/null"));
    result?;
    if t.boot_id()? != boot {
        return Err("the target reset while the tools kept the watchdog alive".into());
    }
    Ok(Outcome::pass(figures))
}

/// Makes a watchdog that is running when rpi_wdt probes: loads it with nowayout, starts it, and
/// unbinds and binds the device (the unbind cannot stop it under nowayout). Returns the boot id and
/// when the bind returned, on the host's wall clock and its monotonic one.
fn running_at_probe(t: &mut dyn Target) -> Result<(String, (SystemTime, Instant)), String> {
    sh(t, NOWAYOUT_RELOAD)?;
    sh(t, "wdtctl start >/dev/null")?;
    let boot = t.boot_id()?;
    let device = bound_device(t)?;
    sh(t, &format!("echo {device} > {DRIVER_DIR}/unbind; sleep 1; echo {device} > {DRIVER_DIR}/bind"))?;
    let bound = (SystemTime::now(), Instant::now());
    let dmesg = sh(t, "dmesg | tail -n 20")?;
    contains("the probe", &dmesg, &["was already running"])?;
    Ok((boot, bound))
}

/// What a timed reset is counted from.
#[derive(Clone, Copy)]
enum Start {
    /// The last load of the countdown before the command returned (in QEMU's trace), else the
    /// command's return.
    LastPing,
    /// The command's return.
    Returned,
}

/// Times the reset that follows a command that returned at `since`, as the best clock there is shows
/// it: QEMU's trace, else the moment the runner last saw the target answer (judged by
/// [`timing::ESTIMATE`]). Then follows the target into its next boot and checks that it reports a
/// watchdog reset.
fn reset_timed(
    t: &mut dyn Target,
    bench: &mut Bench,
    boot: &str,
    since: (SystemTime, Instant),
    from: Start,
    expected: Duration,
    tolerance: Tolerance,
) -> Result<Vec<String>, String> {
    let last_seen = t.wait_gone(expected + Duration::from_secs(30))?;
    let events = t.hardware_events(Duration::from_secs(10));
    let mut figures = Vec::new();
    let traced = match from {
        Start::LastPing if !events.is_empty() => {
            let x = hwtrace::expiry(&events, since.0)?;
            if !x.reloads.is_empty() {
                return Err(format!(
                    "{} load(s) after the last ping: something kept pinging",
                    x.reloads.len()
                ));
            }
            Some((x.after_ping, x.rsts))
        }
        _ => events.iter().find_map(|e| match e.kind {
            hwtrace::Kind::Expired { rsts } if e.at >= since.0 => {
                Some((e.at.duration_since(since.0).unwrap_or_default(), rsts))
            }
            _ => None,
        }),
    };
    let (source, measured, tolerance, rsts) = match traced {
        Some((after, rsts)) => ("QEMU", after, tolerance, Some(rsts)),
        None => {
            ("the runner's estimate", last_seen.saturating_duration_since(since.1), timing::ESTIMATE, None)
        }
    };
    let figure = format!(
        "{source}: reset {:.3} s later, expected {}",
        measured.as_secs_f64(),
        tolerance.window(expected)
    );
    if !tolerance.admits(measured, expected) {
        return Err(format!("{figure}: outside the window"));
    }
    figures.push(figure);
    let back = wait_back_or_recover(t, bench, boot, &mut figures)?;
    figures.push(format!("back {:.1} s later", back.as_secs_f64()));
    figures.push(watchdog_reset_reported(t, rsts)?);
    Ok(figures)
}

pub fn kernel_keeps_running_watchdog(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable_module(t, false)? {
        return Ok(Outcome::skip(&why));
    }
    t.watch_hardware();
    let (boot, _) = running_at_probe(t)?;
    // Three timeouts with no userspace ping: the watchdog core pings it.
    sh(t, &format!("sleep {}", 3 * NOWAYOUT_TIMEOUT_S))?;
    if t.boot_id()? != boot {
        return Err("the target reset while the kernel should have kept the watchdog alive".into());
    }
    let mut figures =
        vec![format!("found running at probe: kept alive for {} s by the kernel", 3 * NOWAYOUT_TIMEOUT_S)];
    if sh_status(t, "rmmod rpi_wdt")?.0 == 0 {
        return Err("rmmod succeeded while the watchdog core held the running watchdog".into());
    }
    // From the hand-over to the last ping in one command: once wdtctl closes the node, the 6 s count
    // from its last ping, and over SSH under emulation each command takes about a second.
    let out = sh(
        t,
        &format!(
            "wdtctl keepalive --interval 1 --count 3; echo nowayout=$(cat {SYSFS}/nowayout); \
             echo state=$(cat {SYSFS}/state); wdtctl stop 2>&1; echo stop_exit=$?; wdtctl ping >/dev/null"
        ),
    )?;
    let mut e = Expect::default();
    e.that(out.contains("ping 3"), format!("wdtctl keepalive did not take it over:\n{out}"));
    e.eq("nowayout", one(&out, "nowayout")?, "1");
    e.eq("state", one(&out, "state")?, "active");
    e.eq("wdtctl stop's exit under nowayout", one(&out, "stop_exit")?, "5");
    e.that(out.contains("nowayout"), "wdtctl stop's message does not name nowayout");
    e.done("the hand-over to userspace")?;
    figures
        .push("rmmod refused; wdtctl keepalive took it over; wdtctl stop refused (exit 5, nowayout)".into());
    // The last ping, at the end of that command: the reset comes one timeout later.
    let since = (SystemTime::now(), Instant::now());
    let timeout = Duration::from_secs(NOWAYOUT_TIMEOUT_S);
    figures.extend(reset_timed(t, bench, &boot, since, Start::LastPing, timeout, timing::EXPIRY)?);
    Ok(Outcome::pass(figures))
}

pub fn open_timeout(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable_module(t, false)? {
        return Ok(Outcome::skip(&why));
    }
    t.watch_hardware();
    // watchdog.open_timeout: the core keeps a watchdog found running at probe alive only until
    // userspace opens it or that many seconds pass. It times its last ping one hardware heartbeat
    // (the 6 s timeout) before that deadline, so the target resets at the deadline itself, counted
    // from the registration, which the bind's return follows by a few milliseconds.
    sh(t, &format!("echo {OPEN_TIMEOUT_S} > /sys/module/watchdog/parameters/open_timeout"))?;
    let (boot, since) = running_at_probe(t)?;
    // Between the registration and the bind returning lie the bind's own work and the round trip:
    // the reset may come up to 1 s early, and the usual lateness after it.
    let window = Tolerance { early: Duration::from_secs(1), late: Duration::from_millis(1500) };
    let mut figures =
        vec![format!("open_timeout {OPEN_TIMEOUT_S} s, timeout {NOWAYOUT_TIMEOUT_S} s, nobody opened it")];
    let deadline = Duration::from_secs(OPEN_TIMEOUT_S);
    figures.extend(reset_timed(t, bench, &boot, since, Start::Returned, deadline, window)?);
    let after = sh(t, &format!("cat {SYSFS}/state /sys/module/watchdog/parameters/open_timeout"))?;
    figures.push(format!(
        "next boot: state and open_timeout {}",
        after.split_whitespace().collect::<Vec<_>>().join(", ")
    ));
    Ok(Outcome::pass(figures))
}
