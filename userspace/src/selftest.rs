//! `wdtctl selftest`: checks the watchdog through sysfs and the standard ABI and leaves it as it found
//! it: a stopped watchdog is stopped again by magic close, a running one is left running.
//!
//! A stopped watchdog under nowayout is not opened at all (that would start it for good), and a
//! watchdog another process holds answers busy (exit 5) before any step. The ABI steps need a real
//! watchdog: the QEMU system tests run them against rpi_wdt and softdog.

use rpi_wdt_core::boot_status::{BootStatus, ResetCause};
use rustix::io::Errno;

use crate::device::{self, OnDrop, StandardWatchdog};
use crate::error::Error;
use crate::output::{Interface, Report, SelftestReport, Step, Target};
use crate::sysfs::{Attrs, RpiAttrs, Watchdog};

struct Steps(Vec<Step>);

impl Steps {
    fn add(&mut self, name: &'static str, result: Result<String, String>) -> bool {
        let passed = result.is_ok();
        let detail = result.unwrap_or_else(|e| e);
        self.0.push(Step { name, passed, skipped: false, detail });
        passed
    }

    fn skip(&mut self, name: &'static str, why: impl Into<String>) {
        self.0.push(Step { name, passed: true, skipped: true, detail: why.into() });
    }
}

/// An error as a step's detail: one line, without the device (the report names it) or the hint.
fn shown(e: Error) -> String {
    format!("{}: {}", e.operation.name(), e.cause())
}

/// rpi_wdt's two attributes say the same thing: `reset_reason` is what RSTS decodes to, and the core's
/// boot status has CARDRESET exactly when RSTS says watchdog.
pub fn rpi_agrees(rpi: &RpiAttrs, bootstatus: u32) -> Result<String, String> {
    let decoded = BootStatus::from_rsts(rpi.rsts);
    let rsts = crate::output::rsts_text(rpi.rsts);
    let Some(cause) = rpi.reset_reason.cause() else {
        return Err(format!(
            "reset_reason {:?} is not a reset cause wdtctl knows",
            rpi.reset_reason.to_string()
        ));
    };
    if decoded.cause() != cause {
        return Err(format!(
            "reset_reason says {} but rsts {rsts} decodes to {}",
            rpi.reset_reason,
            decoded.cause().name()
        ));
    }
    let watchdog_reset = decoded.cause() == ResetCause::WatchdogOrReboot;
    if watchdog_reset != (bootstatus & rpi_wdt_core::abi::WDIOF_CARDRESET != 0) {
        return Err(format!("bootstatus {bootstatus:#x} disagrees with rsts {rsts} about CARDRESET"));
    }
    Ok(format!("reset_reason {} agrees with rsts {rsts} and bootstatus {bootstatus:#x}", rpi.reset_reason))
}

/// A timeout to try that differs from the current one: one more (which never shortens a running
/// countdown) if the range allows it, else one less.
fn other_timeout(a: &Attrs) -> Option<u32> {
    let min = a.min_timeout_s.unwrap_or(1).max(1);
    let max = a.max_settable_s().unwrap_or(a.timeout_s);
    let up = a.timeout_s.checked_add(1).filter(|t| *t <= max);
    up.or_else(|| a.timeout_s.checked_sub(1).filter(|t| *t >= min))
}

pub fn run(wdt: &Watchdog) -> Result<Report, Error> {
    let mut steps = Steps(Vec::new());
    let before = match wdt.read() {
        Ok(a) => {
            steps.add(
                "sysfs",
                Ok(format!(
                    "{} ({}): {}, timeout {} s, nowayout {}",
                    wdt.sysfs.display(),
                    a.identity,
                    if a.active { "running" } else { "stopped" },
                    a.timeout_s,
                    u8::from(a.nowayout)
                )),
            );
            a
        }
        Err(e) => {
            steps.add("sysfs", Err(format!("{}: {}", e.device, e.cause())));
            return finish(wdt, steps);
        }
    };
    if let Some(rpi) = &before.rpi {
        steps.add("rpi_wdt reset reason", rpi_agrees(rpi, before.bootstatus));
    }
    if before.nowayout && !before.active {
        steps.skip(
            "standard ABI",
            "nowayout is set and the watchdog is stopped: opening it would start it for good, so the ABI \
             steps are not run",
        );
        return finish(wdt, steps);
    }

    let held = StandardWatchdog::open(&wdt.node, OnDrop::restoring(before.active))?;
    steps.add(
        "open",
        Ok(format!(
            "{} opened ({})",
            wdt.node,
            if before.active { "it was running" } else { "this arms the watchdog while held" }
        )),
    );
    steps.add(
        "support",
        held.support().map_err(shown).and_then(|info| {
            let identity = device::identity(&info.identity);
            if identity != before.identity {
                return Err(format!("GETSUPPORT identity {identity:?}, sysfs {:?}", before.identity));
            }
            match before.options {
                Some(options) if options != info.options => {
                    Err(format!("GETSUPPORT options {:#x}, sysfs {options:#x}", info.options))
                }
                Some(_) => Ok(format!("{identity:?}, options {:#x}, as sysfs says", info.options)),
                None => {
                    Ok(format!("{identity:?}, options {:#x} (this kernel has no options file)", info.options))
                }
            }
        }),
    );
    steps.add(
        "single open",
        match device::try_second_open(&wdt.node) {
            Err(Errno::BUSY) => Ok("a second open while held is refused with EBUSY".into()),
            Err(e) => {
                Err(format!("a second open failed with {} instead of EBUSY", crate::error::errno_text(e)))
            }
            Ok(()) => Err("a second open succeeded while the node was held".into()),
        },
    );

    let timeout = before.timeout_s;
    let sysfs_timeout = || wdt.read_timeout().map_err(shown);
    match before.min_timeout_s {
        Some(min) if min >= 1 => {
            steps.add(
                "timeout 0 refused",
                match held.set_timeout(0) {
                    Err(e) if e.errno == Some(Errno::INVAL) => match (held.timeout(), sysfs_timeout()) {
                        (Ok(t), Ok(s)) if t == timeout && s == timeout => {
                            Ok(format!("EINVAL, and the timeout stays {timeout} s"))
                        }
                        (Ok(t), Ok(s)) => {
                            Err(format!("EINVAL, but the timeout changed to {t} s (sysfs {s} s)"))
                        }
                        (Err(e), _) => Err(shown(e)),
                        (_, Err(e)) => Err(e),
                    },
                    Err(e) => Err(format!("refused, but not with EINVAL: {}", shown(e))),
                    Ok(set) => {
                        let _ = held.set_timeout(timeout);
                        Err(format!("0 s accepted (the kernel set {set} s); {timeout} s set again"))
                    }
                },
            );
        }
        _ => steps.skip(
            "timeout 0 refused",
            "min_timeout is 0 or unknown, so the kernel may accept a timeout of 0: not tried",
        ),
    }

    match other_timeout(&before) {
        Some(other) => {
            let there = held.set_timeout(other).map_err(shown).and_then(|set| match sysfs_timeout()? {
                s if s == set => Ok(set),
                s => Err(format!("the kernel set {set} s, sysfs reads {s} s")),
            });
            let back = held.set_timeout(timeout).map_err(shown).and_then(|set| match sysfs_timeout()? {
                s if s == timeout && set == timeout => Ok(()),
                s => Err(format!("setting {timeout} s again gave {set} s (sysfs {s} s)")),
            });
            steps.add(
                "timeout round trip",
                match (there, back) {
                    (Ok(set), Ok(())) if set == other => {
                        Ok(format!("{timeout} s -> {other} s -> {timeout} s"))
                    }
                    (Ok(set), Ok(())) => Ok(format!("{timeout} s -> {set} s (for {other} s) -> {timeout} s")),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                },
            );
        }
        None => steps.skip("timeout round trip", "the range allows only the current timeout"),
    }

    steps.add(
        "time left",
        match held.time_left() {
            Ok(Some(left)) if left <= timeout => Ok(format!("{left} s of {timeout} s")),
            Ok(Some(left)) => Err(format!("{left} s left exceeds the {timeout} s timeout")),
            Ok(None) => Ok("not reported by this driver".into()),
            Err(e) => Err(shown(e)),
        },
    );
    steps.add("keepalive", held.keepalive().map(|()| "pinged".to_string()).map_err(shown));
    steps.add(
        "boot status",
        held.boot_status().map_err(shown).and_then(|flags| {
            if flags == before.bootstatus {
                Ok(format!("GETBOOTSTATUS {flags:#x}, as sysfs says"))
            } else {
                Err(format!("GETBOOTSTATUS {flags:#x}, sysfs {:#x}", before.bootstatus))
            }
        }),
    );

    if before.active {
        held.close_leaving_running();
        steps.skip(
            "magic close",
            "the watchdog was running before the selftest, so it is left running (closed without 'V')",
        );
    } else {
        steps.add(
            "magic close",
            held.magic_close().map_err(shown).and_then(|()| match wdt.read_active() {
                Ok(false) => Ok("closed with 'V': stopped".into()),
                Ok(true) => Err("closed with 'V', but the watchdog is still running".into()),
                Err(e) => Err(shown(e)),
            }),
        );
    }
    finish(wdt, steps)
}

/// The report; a failed step makes `passed` false (and wdtctl exit with `Exit::SelftestFailed`).
fn finish(wdt: &Watchdog, steps: Steps) -> Result<Report, Error> {
    let passed = steps.0.iter().all(|s| s.passed);
    Ok(Report::Selftest(SelftestReport {
        target: Target::new(wdt, Interface::Standard),
        passed,
        steps: steps.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysfs::ResetReason;
    use rpi_wdt_core::regs::rsts;

    #[test]
    fn reset_reason_must_match_rsts_and_bootstatus() {
        let reason = |cause| ResetReason::Known(cause);
        let watchdog = RpiAttrs { reset_reason: reason(ResetCause::WatchdogOrReboot), rsts: rsts::HADWRF };
        assert!(rpi_agrees(&watchdog, 0x20).is_ok());
        assert!(rpi_agrees(&watchdog, 0).unwrap_err().contains("CARDRESET"));
        let power_on = RpiAttrs { reset_reason: reason(ResetCause::PowerOn), rsts: rsts::HADPOR };
        assert!(rpi_agrees(&power_on, 0).is_ok());
        let wrong = RpiAttrs { reset_reason: reason(ResetCause::PowerOn), rsts: rsts::HADWRF };
        assert!(rpi_agrees(&wrong, 0x20).unwrap_err().contains("decodes to watchdog-or-reboot"));
        let unknown = RpiAttrs { reset_reason: ResetReason::parse("brownout\n"), rsts: 0 };
        assert!(rpi_agrees(&unknown, 0).unwrap_err().contains("brownout"));
    }

    #[test]
    fn round_trip_value_stays_in_range() {
        let attrs = |timeout_s, min, max| Attrs {
            identity: String::new(),
            active: false,
            timeout_s,
            min_timeout_s: min,
            max_timeout_s: max,
            firmware_version: None,
            options: None,
            pretimeout_s: None,
            timeleft_s: None,
            bootstatus: 0,
            status: None,
            nowayout: false,
            rpi: None,
        };
        assert_eq!(other_timeout(&attrs(15, Some(1), Some(0))), Some(16));
        assert_eq!(other_timeout(&attrs(15, Some(1), Some(15))), Some(14));
        assert_eq!(other_timeout(&attrs(1, Some(1), Some(1))), None);
        assert_eq!(other_timeout(&attrs(4_294_967, Some(1), Some(0))), Some(4_294_966));
        assert_eq!(other_timeout(&attrs(2, None, None)), Some(1), "unknown range: only go down");
    }
}
