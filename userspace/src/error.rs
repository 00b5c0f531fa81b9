//! Errors that name the device, the operation and the cause, say what to do next, and map to the
//! documented exit codes.

use std::fmt;

use rustix::io::Errno;

/// Exit codes (documented in `wdtctl --help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Other = 1,
    /// Bad command line: clap reports it and exits with 2 itself.
    #[allow(dead_code)]
    Usage = 2,
    DeviceMissing = 3,
    PermissionDenied = 4,
    Busy = 5,
    InvalidArgument = 6,
    NotSupported = 7,
    SelftestFailed = 8,
    Remote = 9,
}

impl Exit {
    /// The exit code's name in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Other => "error",
            Exit::Usage => "usage",
            Exit::DeviceMissing => "device-missing",
            Exit::PermissionDenied => "permission-denied",
            Exit::Busy => "busy",
            Exit::InvalidArgument => "invalid-argument",
            Exit::NotSupported => "not-supported",
            Exit::SelftestFailed => "selftest-failed",
            Exit::Remote => "remote",
        }
    }
}

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Finding the watchdog: `--device` or the default rpi_wdt one.
    Find,
    /// Reading a sysfs attribute.
    ReadSysfs,
    Open,
    Info,
    BootStatus,
    GetTimeout,
    SetTimeout,
    TimeLeft,
    Start,
    Stop,
    Ping,
    Write,
    Signals,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Find => "find watchdog",
            Operation::ReadSysfs => "read",
            Operation::Open => "open",
            Operation::Info => "read info",
            Operation::BootStatus => "read boot status",
            Operation::GetTimeout => "read timeout",
            Operation::SetTimeout => "set timeout",
            Operation::TimeLeft => "read time left",
            Operation::Start => "start",
            Operation::Stop => "stop",
            Operation::Ping => "ping",
            Operation::Write => "write",
            Operation::Signals => "install signal handlers",
        }
    }
}

/// A failed operation on a device (or on the remote host).
#[derive(Debug)]
pub struct Error {
    pub device: String,
    pub operation: Operation,
    pub errno: Option<Errno>,
    /// Replaces the errno's text when set.
    pub detail: Option<String>,
    /// Replaces the hint derived from the operation and errno when set: for hints that need to know
    /// more than the error itself (which watchdogs exist, the timeout range, ...).
    pub hint: Option<String>,
    pub exit: Exit,
}

impl Error {
    /// An errno from `operation` on `device`.
    pub fn os(device: &str, operation: Operation, errno: Errno) -> Self {
        Error {
            device: device.to_string(),
            operation,
            errno: Some(errno),
            detail: None,
            hint: None,
            exit: exit_for(errno),
        }
    }

    /// An I/O error from `operation` on `device`.
    pub fn io(device: &str, operation: Operation, error: &std::io::Error) -> Self {
        Error::os(device, operation, Errno::from_io_error(error).unwrap_or(Errno::IO))
    }

    /// A failure without an errno.
    pub fn other(device: &str, operation: Operation, detail: impl Into<String>, exit: Exit) -> Self {
        Error {
            device: device.to_string(),
            operation,
            errno: None,
            detail: Some(detail.into()),
            hint: None,
            exit,
        }
    }

    /// Replaces the errno's text.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets what to do next.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the exit code.
    pub fn with_exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }

    /// What went wrong, without the hint.
    pub fn cause(&self) -> String {
        match (&self.detail, self.errno) {
            (Some(detail), _) => detail.clone(),
            (None, Some(errno)) => errno_text(errno),
            (None, None) => "failed".to_string(),
        }
    }

    /// What to do next.
    pub fn hint(&self) -> Option<String> {
        if let Some(hint) = &self.hint {
            return Some(hint.clone());
        }
        let errno = self.errno?;
        let hint = match (self.operation, errno) {
            (Operation::Open, Errno::NOENT) => {
                "the kernel has this watchdog but its device node is missing: check \
                 that devtmpfs is mounted on /dev (or that udev or mdev created the node); \
                 'ls /sys/class/watchdog' lists the kernel's watchdogs."
                    .to_string()
            }
            (_, Errno::ACCESS | Errno::PERM) => {
                "the watchdog nodes are root-only (mode 0600): run wdtctl as \
                 root. ('wdtctl status', 'info' and 'bootstatus' read sysfs and need no root.)"
                    .to_string()
            }
            (Operation::Open, Errno::BUSY) => format!(
                "another process holds the watchdog, and only one may: systemd (RuntimeWatchdogSec= in \
                 /etc/systemd/system.conf), the watchdog daemon, or a running 'wdtctl keepalive'. \
                 'fuser -v {}' names it; stop that first.",
                fuser_targets(&self.device)
            ),
            (Operation::SetTimeout, Errno::INVAL) => {
                "timeouts are whole seconds within the range 'wdtctl info' shows.".to_string()
            }
            (_, Errno::NOTTY | Errno::OPNOTSUPP) => {
                "this device does not support that operation (is it a watchdog node?).".to_string()
            }
            (_, Errno::NODEV | Errno::NXIO) => {
                "the device went away (driver unbound or unloaded): retry once the driver is back."
                    .to_string()
            }
            _ => return None,
        };
        Some(hint)
    }
}

/// The errno's text, without Rust's " (os error N)".
pub fn errno_text(errno: Errno) -> String {
    let text = std::io::Error::from_raw_os_error(errno.raw_os_error()).to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The nodes `fuser` should look at: the legacy /dev/watchdog and /dev/watchdog0 are the same device.
pub fn fuser_targets(node: &str) -> String {
    match node.strip_suffix("/watchdog0").or_else(|| node.strip_suffix("/watchdog")) {
        Some(dir) => format!("{dir}/watchdog0 {dir}/watchdog"),
        None => node.to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.device, self.operation.name(), self.cause())?;
        if let Some(hint) = self.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The exit code for an errno.
pub fn exit_for(errno: Errno) -> Exit {
    match errno {
        Errno::NOENT | Errno::NODEV | Errno::NXIO => Exit::DeviceMissing,
        Errno::ACCESS | Errno::PERM => Exit::PermissionDenied,
        Errno::BUSY | Errno::AGAIN => Exit::Busy,
        Errno::INVAL | Errno::RANGE => Exit::InvalidArgument,
        Errno::NOTTY | Errno::OPNOTSUPP => Exit::NotSupported,
        _ => Exit::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errnos_map_to_documented_exit_codes() {
        assert_eq!(exit_for(Errno::NOENT) as i32, 3);
        assert_eq!(exit_for(Errno::NODEV) as i32, 3);
        assert_eq!(exit_for(Errno::ACCESS) as i32, 4);
        assert_eq!(exit_for(Errno::PERM) as i32, 4);
        assert_eq!(exit_for(Errno::BUSY) as i32, 5);
        assert_eq!(exit_for(Errno::INVAL) as i32, 6);
        assert_eq!(exit_for(Errno::NOTTY) as i32, 7);
        assert_eq!(exit_for(Errno::IO) as i32, 1);
    }

    #[test]
    fn messages_name_device_operation_cause_and_next_step() {
        let e = Error::os("/dev/watchdog1", Operation::Open, Errno::NOENT);
        let text = e.to_string();
        assert!(text.starts_with("/dev/watchdog1: open: No such file or directory"), "{text}");
        assert!(text.contains("devtmpfs"), "{text}");

        let e = Error::os("/dev/watchdog1", Operation::Open, Errno::ACCESS);
        assert!(e.to_string().contains("run wdtctl as root"));

        let e = Error::os("/dev/watchdog1", Operation::Open, Errno::BUSY);
        let text = e.to_string();
        assert_eq!(e.exit, Exit::Busy);
        for holder in ["RuntimeWatchdogSec", "watchdog daemon", "wdtctl keepalive", "fuser -v /dev/watchdog1"]
        {
            assert!(text.contains(holder), "{holder}: {text}");
        }

        let e = Error::os("/dev/watchdog1", Operation::SetTimeout, Errno::INVAL);
        assert!(e.to_string().contains("wdtctl info"));

        let e = Error::os("/dev/x", Operation::Info, Errno::IO);
        assert!(e.hint().is_none());

        let e =
            Error::os("/dev/x", Operation::Ping, Errno::IO).with_hint("do this").with_detail("that broke");
        assert_eq!(e.to_string(), "/dev/x: ping: that broke\n  hint: do this");
    }

    #[test]
    fn fuser_looks_at_both_names_of_watchdog0() {
        assert_eq!(fuser_targets("/dev/watchdog0"), "/dev/watchdog0 /dev/watchdog");
        assert_eq!(fuser_targets("/dev/watchdog"), "/dev/watchdog0 /dev/watchdog");
        assert_eq!(fuser_targets("/dev/watchdog1"), "/dev/watchdog1");
    }
}
