//! The two ways to reach a watchdog, both through rustix's typed ioctls with the numbers and structs of
//! the shared ABI (`rpi_wdt_core::abi`):
//! - [`ControlNode`]: rpi_wdt's `/dev/rpi-wdt-ctl`, which never arms the watchdog by being opened;
//! - [`StandardWatchdog`]: the standard Linux watchdog ABI on any watchdog node. Opening arms it; dropping
//!   it without [`StandardWatchdog::close_leaving_running`] writes the magic character first, so that an
//!   early error never leaves a watchdog running behind the user's back (nowayout excepted).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsFd;

use rpi_wdt_core::abi::*;
use rustix::io::Errno;
use rustix::ioctl::{ioctl, Getter, NoArg, Opcode, Setter, Updater};

use crate::error::{Error, Operation};

fn open(path: &str, write_only: bool) -> Result<File, Error> {
    let mut options = OpenOptions::new();
    if write_only {
        options.write(true);
    } else {
        options.read(true).write(true);
    }
    options
        .open(path)
        .map_err(|e| Error::os(path, Operation::Open, Errno::from_io_error(&e).unwrap_or(Errno::IO)))
}

/// Reads a `T` with a `_IOR` ioctl.
///
/// # Safety
/// `OPCODE` must encode `size_of::<T>()` and make the kernel write a whole `T`.
unsafe fn get<const OPCODE: Opcode, T>(fd: impl AsFd) -> Result<T, Errno> {
    // SAFETY: per this function's contract.
    unsafe { ioctl(fd, Getter::<OPCODE, T>::new()) }
}

/// rpi_wdt's control node.
pub struct ControlNode {
    path: String,
    file: File,
}

impl ControlNode {
    pub fn open(path: &str) -> Result<Self, Error> {
        Ok(ControlNode { path: path.to_string(), file: open(path, false)? })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn err(&self, operation: Operation) -> impl Fn(Errno) -> Error + '_ {
        move |errno| Error::os(&self.path, operation, errno)
    }

    pub fn info(&self) -> Result<RpiWdtInfo, Error> {
        // SAFETY: RPI_WDT_IOC_INFO is _IOR with RpiWdtInfo, whose layout the ABI tests pin.
        unsafe { get::<RPI_WDT_IOC_INFO, RpiWdtInfo>(&self.file) }.map_err(self.err(Operation::Info))
    }

    pub fn state(&self) -> Result<RpiWdtState, Error> {
        // SAFETY: RPI_WDT_IOC_STATE is _IOR with RpiWdtState.
        unsafe { get::<RPI_WDT_IOC_STATE, RpiWdtState>(&self.file) }.map_err(self.err(Operation::Status))
    }

    pub fn boot_status(&self) -> Result<RpiWdtBootStatus, Error> {
        // SAFETY: RPI_WDT_IOC_BOOT_STATUS is _IOR with RpiWdtBootStatus.
        unsafe { get::<RPI_WDT_IOC_BOOT_STATUS, RpiWdtBootStatus>(&self.file) }
            .map_err(self.err(Operation::BootStatus))
    }

    /// Sets the timeout and returns the timeout the driver set.
    pub fn set_timeout(&self, seconds: u32) -> Result<u32, Error> {
        let mut value = seconds;
        // SAFETY: RPI_WDT_IOC_SET_TIMEOUT is _IOWR with a u32.
        unsafe { ioctl(&self.file, Updater::<RPI_WDT_IOC_SET_TIMEOUT, u32>::new(&mut value)) }
            .map_err(self.err(Operation::SetTimeout))?;
        Ok(value)
    }

    fn no_arg<const OPCODE: Opcode>(&self, operation: Operation) -> Result<(), Error> {
        // SAFETY: the three control commands without an argument are _IO.
        unsafe { ioctl(&self.file, NoArg::<OPCODE>::new()) }.map_err(self.err(operation))
    }

    pub fn start(&self) -> Result<(), Error> {
        self.no_arg::<RPI_WDT_IOC_START>(Operation::Start)
    }

    pub fn stop(&self) -> Result<(), Error> {
        self.no_arg::<RPI_WDT_IOC_STOP>(Operation::Stop)
    }

    pub fn ping(&self) -> Result<(), Error> {
        self.no_arg::<RPI_WDT_IOC_PING>(Operation::Ping)
    }
}

/// A watchdog held open through the standard ABI. Holding it keeps it armed.
pub struct StandardWatchdog {
    path: String,
    file: Option<File>,
}

impl StandardWatchdog {
    /// Opens (and so arms) the watchdog.
    pub fn open(path: &str) -> Result<Self, Error> {
        Ok(StandardWatchdog { path: path.to_string(), file: Some(open(path, true)?) })
    }

    fn file(&self) -> &File {
        self.file.as_ref().expect("file is present until close")
    }

    fn err(&self, operation: Operation) -> impl Fn(Errno) -> Error + '_ {
        move |errno| Error::os(&self.path, operation, errno)
    }

    pub fn support(&self) -> Result<WatchdogInfo, Error> {
        // SAFETY: WDIOC_GETSUPPORT is _IOR with struct watchdog_info (WatchdogInfo).
        unsafe { get::<WDIOC_GETSUPPORT, WatchdogInfo>(self.file()) }.map_err(self.err(Operation::Info))
    }

    pub fn status(&self) -> Result<u32, Error> {
        // SAFETY: WDIOC_GETSTATUS is _IOR with an int.
        unsafe { get::<WDIOC_GETSTATUS, i32>(self.file()) }
            .map(|v| v as u32)
            .map_err(self.err(Operation::Status))
    }

    pub fn boot_status(&self) -> Result<u32, Error> {
        // SAFETY: WDIOC_GETBOOTSTATUS is _IOR with an int.
        unsafe { get::<WDIOC_GETBOOTSTATUS, i32>(self.file()) }
            .map(|v| v as u32)
            .map_err(self.err(Operation::BootStatus))
    }

    pub fn timeout(&self) -> Result<u32, Error> {
        // SAFETY: WDIOC_GETTIMEOUT is _IOR with an int.
        unsafe { get::<WDIOC_GETTIMEOUT, i32>(self.file()) }
            .map(|v| v as u32)
            .map_err(self.err(Operation::GetTimeout))
    }

    /// Time left, or None when the driver cannot tell.
    pub fn time_left(&self) -> Result<Option<u32>, Error> {
        // SAFETY: WDIOC_GETTIMELEFT is _IOR with an int.
        match unsafe { get::<WDIOC_GETTIMELEFT, i32>(self.file()) } {
            Ok(v) => Ok(Some(v as u32)),
            Err(Errno::NOTTY | Errno::OPNOTSUPP | Errno::INVAL) => Ok(None),
            Err(e) => Err(Error::os(&self.path, Operation::TimeLeft, e)),
        }
    }

    /// Sets the timeout and returns the timeout the driver set.
    pub fn set_timeout(&self, seconds: u32) -> Result<u32, Error> {
        let mut value =
            i32::try_from(seconds).map_err(|_| Error::os(&self.path, Operation::SetTimeout, Errno::INVAL))?;
        // SAFETY: WDIOC_SETTIMEOUT is _IOWR with an int.
        unsafe { ioctl(self.file(), Updater::<WDIOC_SETTIMEOUT, i32>::new(&mut value)) }
            .map_err(self.err(Operation::SetTimeout))?;
        Ok(value as u32)
    }

    /// WDIOC_SETOPTIONS (declared _IOR by the uapi header, but the kernel reads the int).
    fn set_options(&self, options: u32, operation: Operation) -> Result<(), Error> {
        // SAFETY: the kernel reads an int through the pointer Setter passes.
        unsafe { ioctl(self.file(), Setter::<WDIOC_SETOPTIONS, i32>::new(options as i32)) }
            .map_err(self.err(operation))
    }

    pub fn enable(&self) -> Result<(), Error> {
        self.set_options(WDIOS_ENABLECARD, Operation::Start)
    }

    pub fn disable(&self) -> Result<(), Error> {
        self.set_options(WDIOS_DISABLECARD, Operation::Stop)
    }

    pub fn keepalive(&self) -> Result<(), Error> {
        // SAFETY: WDIOC_KEEPALIVE is _IOR with an int the kernel does not use.
        unsafe { get::<WDIOC_KEEPALIVE, i32>(self.file()) }.map(drop).map_err(self.err(Operation::Ping))
    }

    fn write(&self, bytes: &[u8]) -> Result<(), Error> {
        let mut file = self.file();
        file.write_all(bytes).map_err(|e| {
            Error::os(&self.path, Operation::Write, Errno::from_io_error(&e).unwrap_or(Errno::IO))
        })
    }

    /// Writes the magic character and closes: the watchdog stops (unless nowayout).
    pub fn magic_close(mut self) -> Result<(), Error> {
        let result = self.write(b"V");
        self.file = None;
        result
    }

    /// Closes without the magic character: the watchdog keeps running.
    pub fn close_leaving_running(mut self) {
        self.file = None;
    }
}

impl Drop for StandardWatchdog {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = self.write(b"V");
        }
    }
}

/// The names of the WDIOF_* bits set in `flags`.
pub fn option_names(flags: u32) -> Vec<&'static str> {
    const NAMES: &[(u32, &str)] = &[
        (WDIOF_OVERHEAT, "OVERHEAT"),
        (WDIOF_FANFAULT, "FANFAULT"),
        (WDIOF_EXTERN1, "EXTERN1"),
        (WDIOF_EXTERN2, "EXTERN2"),
        (WDIOF_POWERUNDER, "POWERUNDER"),
        (WDIOF_CARDRESET, "CARDRESET"),
        (WDIOF_POWEROVER, "POWEROVER"),
        (WDIOF_SETTIMEOUT, "SETTIMEOUT"),
        (WDIOF_MAGICCLOSE, "MAGICCLOSE"),
        (WDIOF_PRETIMEOUT, "PRETIMEOUT"),
        (WDIOF_ALARMONLY, "ALARMONLY"),
        (WDIOF_KEEPALIVEPING, "KEEPALIVEPING"),
    ];
    NAMES.iter().filter(|(bit, _)| flags & bit != 0).map(|(_, name)| *name).collect()
}

/// The NUL-terminated identity as text.
pub fn identity(bytes: &[u8; 32]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linux_raw_sys::ioctl as uapi;
    use rustix::ioctl::opcode;

    /// The numbers wdtctl passes to the kernel: from the shared ABI, equal to rustix's own encoding of
    /// the uapi declarations and to the values linux-raw-sys generated from the kernel headers.
    #[test]
    fn ioctl_numbers_match_rustix_and_the_uapi() {
        let cases: &[(&str, Opcode, Opcode, u32)] = &[
            ("GETSUPPORT", WDIOC_GETSUPPORT, opcode::read::<WatchdogInfo>(b'W', 0), uapi::WDIOC_GETSUPPORT),
            ("GETSTATUS", WDIOC_GETSTATUS, opcode::read::<i32>(b'W', 1), uapi::WDIOC_GETSTATUS),
            ("GETBOOTSTATUS", WDIOC_GETBOOTSTATUS, opcode::read::<i32>(b'W', 2), uapi::WDIOC_GETBOOTSTATUS),
            ("SETOPTIONS", WDIOC_SETOPTIONS, opcode::read::<i32>(b'W', 4), uapi::WDIOC_SETOPTIONS),
            ("KEEPALIVE", WDIOC_KEEPALIVE, opcode::read::<i32>(b'W', 5), uapi::WDIOC_KEEPALIVE),
            ("SETTIMEOUT", WDIOC_SETTIMEOUT, opcode::read_write::<i32>(b'W', 6), uapi::WDIOC_SETTIMEOUT),
            ("GETTIMEOUT", WDIOC_GETTIMEOUT, opcode::read::<i32>(b'W', 7), uapi::WDIOC_GETTIMEOUT),
            ("GETTIMELEFT", WDIOC_GETTIMELEFT, opcode::read::<i32>(b'W', 10), uapi::WDIOC_GETTIMELEFT),
        ];
        for (name, ours, rustix, uapi) in cases {
            assert_eq!(ours, rustix, "{name}: shared ABI vs rustix");
            assert_eq!(*ours as u32, *uapi, "{name}: shared ABI vs uapi");
        }
        assert_eq!(RPI_WDT_IOC_INFO, opcode::read::<RpiWdtInfo>(0xB9, 0));
        assert_eq!(RPI_WDT_IOC_STATE, opcode::read::<RpiWdtState>(0xB9, 1));
        assert_eq!(RPI_WDT_IOC_BOOT_STATUS, opcode::read::<RpiWdtBootStatus>(0xB9, 2));
        assert_eq!(RPI_WDT_IOC_SET_TIMEOUT, opcode::read_write::<u32>(0xB9, 3));
        assert_eq!(RPI_WDT_IOC_START, opcode::none(0xB9, 4));
        assert_eq!(RPI_WDT_IOC_STOP, opcode::none(0xB9, 5));
        assert_eq!(RPI_WDT_IOC_PING, opcode::none(0xB9, 6));
    }

    #[test]
    fn option_names_and_identity() {
        assert_eq!(
            option_names(SUPPORTED_OPTIONS),
            ["CARDRESET", "SETTIMEOUT", "MAGICCLOSE", "KEEPALIVEPING"]
        );
        assert!(option_names(0).is_empty());
        assert_eq!(identity(&identity_bytes()), IDENTITY);
    }

    #[test]
    fn opening_a_missing_node_names_it() {
        let err = ControlNode::open("/nonexistent/rpi-wdt-ctl").err().expect("open fails");
        assert_eq!(err.exit, crate::error::Exit::DeviceMissing);
        assert!(err.to_string().contains("/nonexistent/rpi-wdt-ctl: open"));
    }
}
