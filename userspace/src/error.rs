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
    Open,
    Info,
    Status,
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
            Operation::Open => "open",
            Operation::Info => "read info",
            Operation::Status => "read status",
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
            exit: exit_for(errno),
        }
    }

    /// A failure without an errno.
    pub fn other(device: &str, operation: Operation, detail: impl Into<String>, exit: Exit) -> Self {
        Error { device: device.to_string(), operation, errno: None, detail: Some(detail.into()), exit }
    }

    /// What went wrong, without the hint.
    pub fn cause(&self) -> String {
        match (&self.detail, self.errno) {
            (Some(detail), _) => detail.clone(),
            (None, Some(errno)) => {
                let text = std::io::Error::from_raw_os_error(errno.raw_os_error()).to_string();
                match text.find(" (os error") {
                    Some(at) => text[..at].to_string(),
                    None => text,
                }
            }
            (None, None) => "failed".to_string(),
        }
    }

    /// What to do next.
    pub fn hint(&self) -> Option<String> {
        let is_rpi = self.device.contains("rpi-wdt");
        let errno = self.errno?;
        let hint = match (self.operation, errno) {
            (Operation::Open, Errno::NOENT) if is_rpi => {
                "the rpi_wdt driver is not loaded: try 'modprobe rpi_wdt'. On a board, check that config.txt \
                 has 'dtoverlay=rpi-wdt' and that overlays/rpi-wdt.dtbo exists; 'dmesg | grep rpi_wdt' shows \
                 probe errors."
            }
            (Operation::Open, Errno::NOENT) => {
                "no such device node: list watchdogs with 'ls /dev/watchdog*'."
            }
            (_, Errno::ACCESS | Errno::PERM) => {
                "the watchdog nodes are root-only (mode 0600): run wdtctl as root."
            }
            (Operation::Open, Errno::BUSY) => {
                "another process holds the watchdog (a watchdog daemon, systemd, or a running 'wdtctl \
                 keepalive'); only one may hold it. Without --device, wdtctl uses the control node, which \
                 anyone may open."
            }
            (Operation::Stop, Errno::BUSY) => {
                "nowayout is set: once started, the watchdog cannot be stopped. The board resets unless \
                 something keeps pinging it."
            }
            (Operation::SetTimeout, Errno::INVAL) => {
                "timeouts are whole seconds within the range 'wdtctl info' shows (1 to 15 on a Raspberry Pi)."
            }
            (Operation::Ping, Errno::INVAL) => {
                "the watchdog is not running, so there is nothing to ping: start it with 'wdtctl start'."
            }
            (_, Errno::NOTTY | Errno::OPNOTSUPP) => "this device does not support that operation.",
            (_, Errno::NODEV | Errno::NXIO) => {
                "the device went away (driver unbound or unloaded): reopen it once the driver is back."
            }
            _ => return None,
        };
        Some(hint.to_string())
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
        let e = Error::os("/dev/rpi-wdt-ctl", Operation::Open, Errno::NOENT);
        let text = e.to_string();
        assert!(text.starts_with("/dev/rpi-wdt-ctl: open: No such file or directory"), "{text}");
        assert!(text.contains("modprobe rpi_wdt"), "{text}");

        let e = Error::os("/dev/watchdog0", Operation::Open, Errno::NOENT);
        assert!(e.to_string().contains("ls /dev/watchdog*"));
        assert!(!e.to_string().contains("modprobe rpi_wdt"));

        let e = Error::os("/dev/rpi-wdt", Operation::Open, Errno::ACCESS);
        assert!(e.to_string().contains("run wdtctl as root"));

        let e = Error::os("/dev/rpi-wdt-ctl", Operation::Stop, Errno::BUSY);
        assert!(e.to_string().contains("nowayout"));
        assert_eq!(e.exit, Exit::Busy);

        let e = Error::os("/dev/rpi-wdt-ctl", Operation::SetTimeout, Errno::INVAL);
        assert!(e.to_string().contains("1 to 15"));

        let e = Error::os("/dev/rpi-wdt-ctl", Operation::Ping, Errno::INVAL);
        assert!(e.to_string().contains("not running"));

        let e = Error::os("/dev/x", Operation::Info, Errno::IO);
        assert!(e.hint().is_none());
    }
}
