//! The one-shot commands, on the control node (default) or on a standard watchdog node (`--device`).

use rpi_wdt_core::abi::{self, RpiWdtBootStatus, RpiWdtState};

use crate::cli::{Command, DEFAULT_CTL_DEVICE};
use crate::device::{identity, option_names, ControlNode, StandardWatchdog};
use crate::error::{Error, Exit, Operation};
use crate::output::*;

/// Where the command goes.
pub enum Target<'a> {
    Control(&'a str),
    Standard(&'a str),
}

impl<'a> Target<'a> {
    pub fn from_device(device: Option<&'a str>) -> Self {
        match device {
            Some(path) => Target::Standard(path),
            None => Target::Control(DEFAULT_CTL_DEVICE),
        }
    }
}

pub fn run(command: &Command, target: &Target<'_>) -> Result<Report, Error> {
    match target {
        Target::Control(path) => control(command, &ControlNode::open(path)?),
        Target::Standard(path) => standard(command, path),
    }
}

fn status_report(ctl: &ControlNode, st: &RpiWdtState) -> StatusReport {
    StatusReport {
        device: ctl.path().into(),
        interface: Interface::Control,
        running: Some(st.flags & abi::STATE_RUNNING != 0),
        open: Some(st.flags & abi::STATE_OPEN != 0),
        magic_close_armed: Some(st.flags & abi::STATE_MAGIC_CLOSE_ARMED != 0),
        nowayout: Some(st.flags & abi::STATE_NOWAYOUT != 0),
        timeout_s: st.timeout_s,
        timeleft_s: Some(st.timeleft_ms / 1000),
        timeleft_ms: Some(st.timeleft_ms),
        since_last_ping_ms: Some(st.since_last_ping_ms),
        ping_count: Some(st.ping_count),
        status_flags: None,
    }
}

fn cause_name(cause: u32) -> &'static str {
    match cause {
        abi::CAUSE_POWER_ON => "power-on",
        abi::CAUSE_WATCHDOG_OR_REBOOT => "watchdog-or-reboot",
        _ => "unknown",
    }
}

fn boot_report(ctl: &ControlNode, b: &RpiWdtBootStatus) -> BootStatusReport {
    BootStatusReport {
        device: ctl.path().into(),
        interface: Interface::Control,
        card_reset: b.wdiof_flags & abi::WDIOF_CARDRESET != 0,
        cause: Some(cause_name(b.cause)),
        rsts: Some(format!("{:#06x}", b.rsts)),
        partition: Some(b.partition),
        wdiof_flags: option_names(b.wdiof_flags),
    }
}

fn action(ctl: &ControlNode, name: &'static str, note: Option<String>) -> Result<Report, Error> {
    let running = ctl.state()?.flags & abi::STATE_RUNNING != 0;
    Ok(Report::Action(ActionReport {
        device: ctl.path().into(),
        interface: Interface::Control,
        action: name,
        running: Some(running),
        note,
    }))
}

fn control(command: &Command, ctl: &ControlNode) -> Result<Report, Error> {
    match command {
        Command::Info => {
            let info = ctl.info()?;
            Ok(Report::Info(InfoReport {
                device: ctl.path().into(),
                interface: Interface::Control,
                identity: identity(&info.identity),
                firmware_version: None,
                options: option_names(info.options),
                options_raw: info.options,
                min_timeout_s: Some(info.min_timeout_s),
                max_timeout_s: Some(info.max_timeout_s),
                ticks_per_second: Some(info.ticks_per_second),
                nowayout: Some(info.nowayout != 0),
                abi_version: Some(info.abi_version),
            }))
        }
        Command::Status => Ok(Report::Status(status_report(ctl, &ctl.state()?))),
        Command::Bootstatus => Ok(Report::BootStatus(boot_report(ctl, &ctl.boot_status()?))),
        Command::Timeout { seconds: None } => Ok(Report::Timeout(TimeoutReport {
            device: ctl.path().into(),
            interface: Interface::Control,
            timeout_s: ctl.state()?.timeout_s,
            changed: false,
        })),
        Command::Timeout { seconds: Some(seconds) } => {
            let info = ctl.info()?;
            if !(info.min_timeout_s..=info.max_timeout_s).contains(seconds) {
                return Err(Error::other(
                    ctl.path(),
                    Operation::SetTimeout,
                    format!(
                        "{seconds} s is outside the range this watchdog counts, {}..{} s",
                        info.min_timeout_s, info.max_timeout_s
                    ),
                    Exit::InvalidArgument,
                ));
            }
            let set = ctl.set_timeout(*seconds)?;
            Ok(Report::Timeout(TimeoutReport {
                device: ctl.path().into(),
                interface: Interface::Control,
                timeout_s: set,
                changed: true,
            }))
        }
        Command::Start => {
            ctl.start()?;
            let timeout = ctl.state()?.timeout_s;
            action(ctl, "started", Some(format!("the board resets in {timeout} s unless something pings it")))
        }
        Command::Stop => {
            ctl.stop()?;
            action(ctl, "stopped", None)
        }
        Command::Ping => {
            ctl.ping()?;
            action(ctl, "pinged", None)
        }
        Command::Keepalive(_) | Command::Selftest => unreachable!("dispatched in main"),
    }
}

fn standard(command: &Command, path: &str) -> Result<Report, Error> {
    let wdt = StandardWatchdog::open(path)?;
    let report = match command {
        Command::Info => {
            let info = wdt.support()?;
            Report::Info(InfoReport {
                device: path.into(),
                interface: Interface::Standard,
                identity: identity(&info.identity),
                firmware_version: Some(info.firmware_version),
                options: option_names(info.options),
                options_raw: info.options,
                min_timeout_s: None,
                max_timeout_s: None,
                ticks_per_second: None,
                nowayout: None,
                abi_version: None,
            })
        }
        Command::Status => {
            let flags = wdt.status()?;
            let timeleft = wdt.time_left()?;
            Report::Status(StatusReport {
                device: path.into(),
                interface: Interface::Standard,
                running: None,
                open: None,
                magic_close_armed: None,
                nowayout: None,
                timeout_s: wdt.timeout()?,
                timeleft_s: timeleft,
                timeleft_ms: None,
                since_last_ping_ms: None,
                ping_count: None,
                status_flags: Some(option_names(flags)),
            })
        }
        Command::Bootstatus => {
            let flags = wdt.boot_status()?;
            Report::BootStatus(BootStatusReport {
                device: path.into(),
                interface: Interface::Standard,
                card_reset: flags & abi::WDIOF_CARDRESET != 0,
                cause: None,
                rsts: None,
                partition: None,
                wdiof_flags: option_names(flags),
            })
        }
        Command::Timeout { seconds } => {
            let timeout_s = match seconds {
                Some(s) => wdt.set_timeout(*s)?,
                None => wdt.timeout()?,
            };
            Report::Timeout(TimeoutReport {
                device: path.into(),
                interface: Interface::Standard,
                timeout_s,
                changed: seconds.is_some(),
            })
        }
        Command::Start => {
            wdt.enable()?;
            let timeout = wdt.timeout()?;
            wdt.close_leaving_running();
            return Ok(Report::Action(ActionReport {
                device: path.into(),
                interface: Interface::Standard,
                action: "started",
                running: Some(true),
                note: Some(format!(
                    "closed without magic close: the board resets in {timeout} s unless pinged"
                )),
            }));
        }
        Command::Stop => {
            wdt.disable()?;
            Report::Action(ActionReport {
                device: path.into(),
                interface: Interface::Standard,
                action: "stopped",
                running: Some(false),
                note: None,
            })
        }
        Command::Ping => {
            wdt.keepalive()?;
            wdt.close_leaving_running();
            return Ok(Report::Action(ActionReport {
                device: path.into(),
                interface: Interface::Standard,
                action: "pinged",
                running: Some(true),
                note: Some("opening a standard watchdog node starts it: it is left running".into()),
            }));
        }
        Command::Keepalive(_) | Command::Selftest => unreachable!("dispatched in main"),
    };
    wdt.magic_close()?;
    Ok(report)
}
