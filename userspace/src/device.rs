//! The standard Linux watchdog ABI (`include/uapi/linux/watchdog.h`) on a `/dev/watchdogN` node,
//! through rustix's typed ioctls with the numbers and structs of `rpi_wdt_core::abi`.
//!
//! Opening a node arms its watchdog. A [`StandardWatchdog`] therefore knows how to leave the watchdog as
//! it was found ([`OnDrop`]): if it was stopped, dropping it (an early error) writes the magic character
//! first so that it stops again (nowayout excepted); if it was running, dropping it closes without the
//! magic character so that it keeps running.
//!
//! These are thin wrappers: their paths need a real watchdog and are exercised by the QEMU system
//! tests, not on the host.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsFd;

use rpi_wdt_core::abi::*;
use rustix::io::Errno;
use rustix::ioctl::{ioctl, Getter, Opcode, Updater};

use crate::error::{Error, Operation};

/// What dropping a [`StandardWatchdog`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDrop {
    /// Write the magic character, then close: the watchdog stops (it was stopped before).
    MagicClose,
    /// Close without it: the watchdog keeps running (it was running before).
    LeaveRunning,
}

impl OnDrop {
    /// What restores a watchdog that was (or was not) running before it was opened.
    pub fn restoring(was_active: bool) -> OnDrop {
        if was_active {
            OnDrop::LeaveRunning
        } else {
            OnDrop::MagicClose
        }
    }
}

fn open_node(path: &str) -> Result<File, Error> {
    OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, Operation::Open, &e))
}

/// Opens the node once more and closes it again at once, for the single-open check: Ok means the
/// open succeeded (which it must not while another file holds the watchdog).
pub fn try_second_open(path: &str) -> Result<(), Errno> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map(drop)
        .map_err(|e| Errno::from_io_error(&e).unwrap_or(Errno::IO))
}

/// Reads a `T` with a `_IOR` ioctl.
///
/// # Safety
/// `OPCODE` must encode `size_of::<T>()` and make the kernel write a whole `T`.
unsafe fn get<const OPCODE: Opcode, T>(fd: impl AsFd) -> Result<T, Errno> {
    // SAFETY: per this function's contract.
    unsafe { ioctl(fd, Getter::<OPCODE, T>::new()) }
}

/// A watchdog held open through the standard ABI. Holding it keeps it armed.
pub struct StandardWatchdog {
    path: String,
    file: Option<File>,
    on_drop: OnDrop,
}

impl StandardWatchdog {
    /// Opens (and so arms) the watchdog; `on_drop` says how to leave it if the holder is dropped.
    pub fn open(path: &str, on_drop: OnDrop) -> Result<Self, Error> {
        Ok(StandardWatchdog { path: path.to_string(), file: Some(open_node(path)?), on_drop })
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

    /// Sets the timeout and returns the timeout the kernel set. Values an int cannot carry are refused
    /// here with EINVAL, as the kernel refuses what it cannot count.
    pub fn set_timeout(&self, seconds: u32) -> Result<u32, Error> {
        let mut value =
            i32::try_from(seconds).map_err(|_| Error::os(&self.path, Operation::SetTimeout, Errno::INVAL))?;
        // SAFETY: WDIOC_SETTIMEOUT is _IOWR with an int.
        unsafe { ioctl(self.file(), Updater::<WDIOC_SETTIMEOUT, i32>::new(&mut value)) }
            .map_err(self.err(Operation::SetTimeout))?;
        Ok(value as u32)
    }

    pub fn keepalive(&self) -> Result<(), Error> {
        // SAFETY: WDIOC_KEEPALIVE is _IOR with an int the kernel does not use.
        unsafe { get::<WDIOC_KEEPALIVE, i32>(self.file()) }.map(drop).map_err(self.err(Operation::Ping))
    }

    fn write(&self, bytes: &[u8]) -> Result<(), Error> {
        let mut file = self.file();
        file.write_all(bytes).map_err(|e| Error::io(&self.path, Operation::Write, &e))
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

    /// Closes as [`OnDrop`] says: stopped again if it was stopped, running if it was running.
    pub fn close_as_found(self) -> Result<(), Error> {
        match self.on_drop {
            OnDrop::MagicClose => self.magic_close(),
            OnDrop::LeaveRunning => {
                self.close_leaving_running();
                Ok(())
            }
        }
    }
}

impl Drop for StandardWatchdog {
    fn drop(&mut self) {
        if self.file.is_some() && self.on_drop == OnDrop::MagicClose {
            let _ = self.write(b"V");
        }
    }
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
            ("GETBOOTSTATUS", WDIOC_GETBOOTSTATUS, opcode::read::<i32>(b'W', 2), uapi::WDIOC_GETBOOTSTATUS),
            ("KEEPALIVE", WDIOC_KEEPALIVE, opcode::read::<i32>(b'W', 5), uapi::WDIOC_KEEPALIVE),
            ("SETTIMEOUT", WDIOC_SETTIMEOUT, opcode::read_write::<i32>(b'W', 6), uapi::WDIOC_SETTIMEOUT),
            ("GETTIMEOUT", WDIOC_GETTIMEOUT, opcode::read::<i32>(b'W', 7), uapi::WDIOC_GETTIMEOUT),
            ("GETTIMELEFT", WDIOC_GETTIMELEFT, opcode::read::<i32>(b'W', 10), uapi::WDIOC_GETTIMELEFT),
        ];
        for (name, ours, rustix, uapi) in cases {
            assert_eq!(ours, rustix, "{name}: shared ABI vs rustix");
            assert_eq!(*ours as u32, *uapi, "{name}: shared ABI vs uapi");
        }
    }

    #[test]
    fn identity_stops_at_the_nul() {
        let mut bytes = [0u8; 32];
        bytes[..7].copy_from_slice(b"softdog");
        assert_eq!(identity(&bytes), "softdog");
        assert_eq!(identity(&[b'x'; 32]), "x".repeat(32));
    }

    #[test]
    fn restoring_follows_the_state_found() {
        assert_eq!(OnDrop::restoring(false), OnDrop::MagicClose);
        assert_eq!(OnDrop::restoring(true), OnDrop::LeaveRunning);
    }

    /// On a regular file standing in for the node (the host has no watchdog), the guard's two ways of
    /// closing can be seen: magic close writes 'V', leaving it running writes nothing.
    #[test]
    fn dropping_writes_the_magic_character_only_when_the_watchdog_was_stopped() {
        let dir = std::env::temp_dir().join(format!("wdtctl-device-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (on_drop, expected) in [(OnDrop::MagicClose, "V"), (OnDrop::LeaveRunning, "")] {
            let node = dir.join("watchdog0");
            std::fs::write(&node, "").unwrap();
            let path = node.display().to_string();
            let wdt = StandardWatchdog::open(&path, on_drop).unwrap();
            let err = wdt.keepalive().expect_err("a regular file has no watchdog ioctls");
            assert_eq!(err.errno, Some(Errno::NOTTY));
            drop(wdt);
            assert_eq!(std::fs::read_to_string(&node).unwrap(), expected, "{on_drop:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
