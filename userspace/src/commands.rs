//! The one-shot commands.
//!
//! `info`, `status`, `bootstatus` and `timeout` without a value read sysfs only: they never open the
//! node, so they never arm a watchdog. `timeout N`, `start`, `stop` and `ping` go through the standard
//! ABI, read sysfs before (to leave the watchdog as they found it, or as asked) and after (to report
//! what the kernel did). The ABI steps need a real watchdog; the QEMU system tests run them.

use rustix::io::Errno;

use crate::cli::Command;
use crate::device::{OnDrop, StandardWatchdog};
use crate::error::{Error, Exit, Operation};
use crate::output::*;
use crate::sysfs::{Attrs, Watchdog, RPI_HW_TIMEOUT_S};

pub fn run(command: &Command, wdt: &Watchdog) -> Result<Report, Error> {
    let sysfs = || Target::new(wdt, Interface::Sysfs);
    match command {
        Command::Info => Ok(Report::Info(InfoReport::new(sysfs(), &wdt.read()?))),
        Command::Status => Ok(Report::Status(StatusReport::new(sysfs(), &wdt.read()?))),
        Command::Bootstatus => Ok(Report::BootStatus(BootStatusReport::new(sysfs(), &wdt.read()?))),
        Command::Timeout { seconds: None } => {
            let a = wdt.read()?;
            Ok(Report::Timeout(TimeoutReport {
                target: sysfs(),
                timeout_s: a.timeout_s,
                changed: false,
                requested_s: None,
                running: a.active,
                note: None,
            }))
        }
        Command::Timeout { seconds: Some(seconds) } => set_timeout(wdt, *seconds),
        Command::Start => start(wdt),
        Command::Stop => stop(wdt),
        Command::Ping => ping(wdt),
        Command::Keepalive(_) | Command::Selftest => unreachable!("dispatched in main"),
    }
}

/// Under nowayout, opening a stopped watchdog starts it for good: wdtctl does not do that as a side
/// effect of something else.
pub fn refuse_starting_under_nowayout(
    wdt: &Watchdog,
    a: &Attrs,
    operation: Operation,
    what: &str,
    hint: &str,
) -> Result<(), Error> {
    if a.nowayout && !a.active {
        return Err(Error::other(
            &wdt.node,
            operation,
            format!(
                "nowayout is set and the watchdog is stopped: {what} opens the node, which starts the \
                 watchdog, and nowayout would never let it stop again"
            ),
            Exit::Busy,
        )
        .with_hint(hint));
    }
    Ok(())
}

/// The error for a timeout the kernel refused (EINVAL), with the range and what the timeout is now.
pub fn timeout_refused(wdt: &Watchdog, requested: u32, before: &Attrs, error: Error) -> Error {
    let now = match wdt.read_timeout() {
        Ok(t) if t == before.timeout_s => format!("the timeout stays {t} s"),
        Ok(t) => format!("the timeout now reads {t} s (it was {} s)", before.timeout_s),
        Err(_) => "the timeout could not be read back".to_string(),
    };
    let long = if before.kernel_extends_timeout() {
        format!(" (the kernel handles timeouts above the hardware's {RPI_HW_TIMEOUT_S} s)")
    } else {
        String::new()
    };
    Error {
        detail: Some(format!(
            "{requested} s is outside this watchdog's range, {}{long} (Invalid argument); {now}",
            before.range_text()
        )),
        hint: Some(format!(
            "give a whole number of seconds in {}; 'wdtctl info' shows the range.",
            before.range_text()
        )),
        exit: Exit::InvalidArgument,
        ..error
    }
}

fn set_timeout(wdt: &Watchdog, seconds: u32) -> Result<Report, Error> {
    let before = wdt.read()?;
    refuse_starting_under_nowayout(
        wdt,
        &before,
        Operation::SetTimeout,
        "setting the timeout",
        "set the default timeout when the driver loads instead (rpi_wdt: its heartbeat= module parameter), \
         or start the watchdog deliberately with 'wdtctl start' and then set the timeout.",
    )?;
    let held = StandardWatchdog::open(&wdt.node, OnDrop::restoring(before.active))?;
    let set = match held.set_timeout(seconds) {
        Ok(set) => set,
        Err(e) if e.errno == Some(Errno::INVAL) => {
            drop(held);
            return Err(timeout_refused(wdt, seconds, &before, e));
        }
        Err(e) => return Err(e),
    };
    held.close_as_found()?;
    let after = wdt.read()?;
    if !before.active && after.active {
        return Err(Error::other(
            &wdt.node,
            Operation::Stop,
            format!("the timeout is {set} s now, but the watchdog kept running after magic close"),
            Exit::Busy,
        )
        .with_hint("stop it with 'wdtctl stop', or keep it pinged; 'dmesg | grep watchdog' may say why."));
    }
    let mut notes = Vec::new();
    if set != seconds {
        notes.push(format!("the driver set {set} s for the {seconds} s asked"));
    }
    if after.timeout_s != set {
        notes.push(format!("sysfs reads {} s", after.timeout_s));
    }
    if before.active {
        notes.push("the watchdog was running and keeps running".to_string());
    }
    Ok(Report::Timeout(TimeoutReport {
        target: Target::new(wdt, Interface::Standard),
        timeout_s: set,
        changed: true,
        requested_s: Some(seconds),
        running: after.active,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }))
}

fn action(
    wdt: &Watchdog,
    action: &'static str,
    before: &Attrs,
    after: &Attrs,
    note: Option<String>,
) -> Report {
    Report::Action(ActionReport {
        target: Target::new(wdt, Interface::Standard),
        action,
        running: after.active,
        was_running: before.active,
        timeout_s: after.timeout_s,
        timeleft_s: after.timeleft_s,
        nowayout: after.nowayout,
        note,
    })
}

fn start(wdt: &Watchdog) -> Result<Report, Error> {
    let before = wdt.read()?;
    StandardWatchdog::open(&wdt.node, OnDrop::LeaveRunning)?.close_leaving_running();
    let after = wdt.read()?;
    if !after.active {
        return Err(Error::other(
            &wdt.node,
            Operation::Start,
            "the watchdog is not running after opening it and closing without the magic character",
            Exit::Other,
        )
        .with_hint("the driver stopped it again; 'dmesg | grep watchdog' may say why."));
    }
    let mut note = format!(
        "{}: the board resets in {} s unless something pings it (systemd, a watchdog daemon, 'wdtctl \
         keepalive', or 'wdtctl ping' within every timeout)",
        if before.active {
            "it was already running, and its countdown restarted"
        } else {
            "closed without magic close, so it keeps running"
        },
        after.timeout_s
    );
    if after.nowayout {
        note.push_str("; nowayout is set: it cannot be stopped again");
    }
    Ok(action(wdt, "started", &before, &after, Some(note)))
}

fn stop(wdt: &Watchdog) -> Result<Report, Error> {
    let before = wdt.read()?;
    if !before.active {
        return Ok(action(wdt, "stopped", &before, &before, Some("it was already stopped".into())));
    }
    StandardWatchdog::open(&wdt.node, OnDrop::MagicClose)?.magic_close()?;
    let after = wdt.read()?;
    if after.active {
        let hint = if after.nowayout {
            format!(
                "nowayout is set: once started, this watchdog cannot be stopped, and the board resets in {} s \
                 unless something keeps pinging it ('wdtctl keepalive', or a watchdog daemon). nowayout comes \
                 from the driver's nowayout= module parameter or CONFIG_WATCHDOG_NOWAYOUT.",
                after.timeout_s
            )
        } else {
            "the driver refused to stop it; 'dmesg | grep watchdog' may say why.".to_string()
        };
        return Err(Error::other(
            &wdt.node,
            Operation::Stop,
            "the watchdog is still running after magic close",
            Exit::Busy,
        )
        .with_hint(hint));
    }
    Ok(action(wdt, "stopped", &before, &after, None))
}

fn ping(wdt: &Watchdog) -> Result<Report, Error> {
    let before = wdt.read()?;
    if !before.active {
        return Err(Error::other(
            &wdt.node,
            Operation::Ping,
            "the watchdog is not running (sysfs state: inactive), so there is nothing to ping",
            Exit::InvalidArgument,
        )
        .with_hint(
            "start it with 'wdtctl start' (the board then resets after the timeout unless something pings \
             it). wdtctl never starts a watchdog just to ping it.",
        ));
    }
    let held = StandardWatchdog::open(&wdt.node, OnDrop::LeaveRunning)?;
    held.keepalive()?;
    held.close_leaving_running();
    let after = wdt.read()?;
    Ok(action(wdt, "pinged", &before, &after, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysfs::{ResetReason, RpiAttrs};
    use rpi_wdt_core::boot_status::ResetCause;

    fn attrs(max_timeout_s: u32, rpi: bool) -> Attrs {
        Attrs {
            identity: "x".into(),
            active: false,
            timeout_s: 15,
            min_timeout_s: Some(1),
            max_timeout_s: Some(max_timeout_s),
            firmware_version: Some(0),
            options: Some(0x8180),
            pretimeout_s: None,
            timeleft_s: None,
            bootstatus: 0,
            status: Some(0),
            nowayout: false,
            rpi: rpi
                .then_some(RpiAttrs { reset_reason: ResetReason::Known(ResetCause::PowerOn), rsts: 0x1000 }),
        }
    }

    /// The kernel's EINVAL becomes a message with the range and the timeout read back from sysfs.
    #[test]
    fn refused_timeouts_name_the_range_and_what_stays() {
        let dir = std::env::temp_dir().join(format!("wdtctl-commands-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("timeout"), "15\n").unwrap();
        let wdt = Watchdog {
            name: "watchdog0".into(),
            node: "/dev/watchdog0".into(),
            sysfs: dir.clone(),
            legacy: false,
            rpi_wdt: true,
        };
        let kernel = || Error::os("/dev/watchdog0", Operation::SetTimeout, Errno::INVAL);

        let e = timeout_refused(&wdt, 5_000_000, &attrs(0, true), kernel());
        let text = e.to_string();
        assert_eq!(e.exit, Exit::InvalidArgument);
        assert_eq!(e.errno, Some(Errno::INVAL));
        assert!(text.starts_with("/dev/watchdog0: set timeout: 5000000 s is outside"), "{text}");
        for part in ["1..4294967 s", "above the hardware's 16 s", "the timeout stays 15 s", "wdtctl info"] {
            assert!(text.contains(part), "{part}: {text}");
        }

        let e = timeout_refused(&wdt, 0, &attrs(65535, false), kernel());
        assert!(e.to_string().contains("0 s is outside this watchdog's range, 1..65535 s (Invalid"), "{e}");

        std::fs::write(dir.join("timeout"), "9\n").unwrap();
        let e = timeout_refused(&wdt, 0, &attrs(65535, false), kernel());
        assert!(e.to_string().contains("the timeout now reads 9 s (it was 15 s)"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn nowayout_refuses_only_what_would_start_the_watchdog() {
        let wdt = Watchdog {
            name: "watchdog0".into(),
            node: "/dev/watchdog0".into(),
            sysfs: "/nonexistent".into(),
            legacy: false,
            rpi_wdt: false,
        };
        let mut a = attrs(0, false);
        let refuse = |a: &Attrs| refuse_starting_under_nowayout(&wdt, a, Operation::SetTimeout, "x", "y");
        assert!(refuse(&a).is_ok());
        a.nowayout = true;
        assert_eq!(refuse(&a).unwrap_err().exit, Exit::Busy);
        a.active = true;
        assert!(refuse(&a).is_ok(), "a running watchdog is not started by opening it");
    }
}
