//! `wdtctl selftest`: a sequence of checks that leaves the watchdog as it found it.
//!
//! On the control node nothing is armed: it reads info, state and boot status, sets the current timeout
//! again, checks that an out-of-range timeout is refused without effect, and pings (which must work only
//! when the watchdog runs). Through the standard ABI (`--device`) opening arms the watchdog, so the
//! sequence ends with magic close; a watchdog another process holds answers busy at the first step.

use rpi_wdt_core::abi;

use crate::device::{ControlNode, StandardWatchdog};
use crate::error::{Error, Exit};
use crate::output::{Interface, Report, SelftestReport, Step};

struct Steps(Vec<Step>);

impl Steps {
    fn add(&mut self, name: &'static str, result: Result<String, String>) -> bool {
        let passed = result.is_ok();
        let detail = result.unwrap_or_else(|e| e);
        self.0.push(Step { name, passed, detail });
        passed
    }
}

fn shown(e: Error) -> String {
    e.to_string()
}

pub fn control(path: &str) -> Result<Report, Error> {
    let mut steps = Steps(Vec::new());
    let ctl = match ControlNode::open(path) {
        Ok(ctl) => {
            steps.add("open", Ok(format!("{path} opened")));
            ctl
        }
        Err(e) => return Err(e),
    };
    let info = ctl.info();
    steps.add(
        "info",
        info.as_ref().map_err(|e| e.to_string()).and_then(|i| {
            if i.abi_version == abi::RPI_WDT_ABI_VERSION {
                Ok(format!("ABI {}, timeouts {}..{} s", i.abi_version, i.min_timeout_s, i.max_timeout_s))
            } else {
                Err(format!("driver ABI {} but wdtctl speaks {}", i.abi_version, abi::RPI_WDT_ABI_VERSION))
            }
        }),
    );
    let state = ctl.state();
    let running = state.as_ref().map(|s| s.flags & abi::STATE_RUNNING != 0).unwrap_or(false);
    steps.add(
        "state",
        state
            .as_ref()
            .map(|s| format!("{}, timeout {} s", if running { "running" } else { "stopped" }, s.timeout_s))
            .map_err(|e| e.to_string()),
    );
    steps.add("boot status", ctl.boot_status().map(|b| format!("RSTS {:#06x}", b.rsts)).map_err(shown));
    if let Ok(state) = &state {
        let timeout = state.timeout_s;
        steps.add(
            "timeout round trip",
            match ctl.set_timeout(timeout) {
                Ok(set) if set == timeout => Ok(format!("{set} s set and read back")),
                Ok(set) => Err(format!("set {timeout} s, driver answered {set} s")),
                Err(e) => Err(e.to_string()),
            },
        );
        if let Ok(info) = &info {
            let bad = info.max_timeout_s + 1;
            steps.add(
                "out-of-range timeout refused",
                match ctl.set_timeout(bad) {
                    Err(e) if e.exit == Exit::InvalidArgument => match ctl.state() {
                        Ok(after) if after.timeout_s == timeout => {
                            Ok(format!("{bad} s refused, {timeout} s kept"))
                        }
                        Ok(after) => Err(format!("timeout changed to {} s", after.timeout_s)),
                        Err(e) => Err(e.to_string()),
                    },
                    Err(e) => Err(format!("unexpected error: {e}")),
                    Ok(set) => Err(format!("{bad} s accepted (driver set {set} s)")),
                },
            );
        }
    }
    steps.add(
        "ping",
        match (running, ctl.ping()) {
            (true, Ok(())) => Ok("pinged the running watchdog".into()),
            (false, Err(e)) if e.exit == Exit::InvalidArgument => {
                Ok("stopped watchdog: ping refused as expected".into())
            }
            (true, Err(e)) => Err(e.to_string()),
            (false, Ok(())) => Err("ping accepted although the watchdog is stopped".into()),
            (false, Err(e)) => Err(e.to_string()),
        },
    );
    finish(path, Interface::Control, steps)
}

pub fn standard(path: &str) -> Result<Report, Error> {
    let mut steps = Steps(Vec::new());
    let wdt = StandardWatchdog::open(path)?;
    steps.add("open", Ok(format!("{path} opened (the watchdog is armed while held)")));
    steps.add("support", wdt.support().map(|i| crate::device::identity(&i.identity)).map_err(shown));
    let timeout = wdt.timeout();
    steps.add("timeout", timeout.as_ref().map(|t| format!("{t} s")).map_err(|e| e.to_string()));
    if let Ok(timeout) = timeout {
        steps.add(
            "timeout round trip",
            match wdt.set_timeout(timeout) {
                Ok(set) if set == timeout => Ok(format!("{set} s set and read back")),
                Ok(set) => Err(format!("set {timeout} s, driver answered {set} s")),
                Err(e) => Err(e.to_string()),
            },
        );
        steps.add("keepalive", wdt.keepalive().map(|()| "pinged".to_string()).map_err(shown));
        steps.add(
            "time left",
            match wdt.time_left() {
                Ok(Some(left)) if left <= timeout => Ok(format!("{left} s of {timeout} s")),
                Ok(Some(left)) => Err(format!("{left} s left exceeds the {timeout} s timeout")),
                Ok(None) => Ok("not reported by this driver".into()),
                Err(e) => Err(e.to_string()),
            },
        );
    }
    steps.add("status", wdt.status().map(|f| format!("{f:#x}")).map_err(shown));
    steps.add("magic close", wdt.magic_close().map(|()| "closed with 'V'".to_string()).map_err(shown));
    finish(path, Interface::Standard, steps)
}

/// The report; a failed step makes `passed` false (and wdtctl exit with `Exit::SelftestFailed`).
fn finish(path: &str, interface: Interface, steps: Steps) -> Result<Report, Error> {
    let passed = steps.0.iter().all(|s| s.passed);
    Ok(Report::Selftest(SelftestReport { device: path.into(), interface, passed, steps: steps.0 }))
}
