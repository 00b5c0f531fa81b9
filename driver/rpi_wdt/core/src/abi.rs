// SPDX-License-Identifier: GPL-2.0

//! The standard Linux watchdog ABI (`include/uapi/linux/watchdog.h`), as userspace speaks it to rpi_wdt
//! (or any watchdog) on `/dev/watchdogN`: defined once, here, for wdtctl, and checked against the
//! kernel's own header and against linux-raw-sys by the host tests.
//!
//! The kernel side is the watchdog core's; the driver does not include this file.

use core::mem::size_of;

// The generic Linux ioctl encoding (asm-generic/ioctl.h, used by arm, arm64 and x86).
const IOC_NRSHIFT: u32 = 0;
const IOC_TYPESHIFT: u32 = 8;
const IOC_SIZESHIFT: u32 = 16;
const IOC_DIRSHIFT: u32 = 30;
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;
const IOC_SIZEMASK: usize = (1 << 14) - 1;

/// Encodes an ioctl number from its direction, type, number and argument size, like `_IOC`.
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    assert!(size <= IOC_SIZEMASK, "ioctl argument too large");
    (dir << IOC_DIRSHIFT)
        | ((ty as u32) << IOC_TYPESHIFT)
        | ((nr as u32) << IOC_NRSHIFT)
        | ((size as u32) << IOC_SIZESHIFT)
}
/// `_IOR(ty, nr, T)`: userspace reads a `T`.
pub const fn ior<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_READ, ty, nr, size_of::<T>())
}
/// `_IOWR(ty, nr, T)`: userspace writes a `T` and reads one back.
pub const fn iowr<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, size_of::<T>())
}
/// The argument size encoded in an ioctl number (`_IOC_SIZE`).
pub const fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) as usize) & IOC_SIZEMASK
}

// ---- The standard watchdog ABI (include/uapi/linux/watchdog.h) ----

/// The ioctl type of the standard watchdog ABI.
pub const WATCHDOG_IOCTL_BASE: u8 = b'W';

/// `struct watchdog_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchdogInfo {
    /// WDIOF_* options the driver supports.
    pub options: u32,
    /// Firmware version of the card.
    pub firmware_version: u32,
    /// Identity of the board, NUL-terminated.
    pub identity: [u8; 32],
}

/// Reads `struct watchdog_info`.
pub const WDIOC_GETSUPPORT: u32 = ior::<WatchdogInfo>(WATCHDOG_IOCTL_BASE, 0);
/// Reads the WDIOF_* status flags.
pub const WDIOC_GETSTATUS: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 1);
/// Reads the WDIOF_* flags describing the last reboot.
pub const WDIOC_GETBOOTSTATUS: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 2);
/// Reads the temperature (not supported by this hardware).
pub const WDIOC_GETTEMP: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 3);
/// Takes WDIOS_* options; declared _IOR by the uapi header although the driver reads the argument.
pub const WDIOC_SETOPTIONS: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 4);
/// Pings the watchdog; declared _IOR with an int argument that is not used.
pub const WDIOC_KEEPALIVE: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 5);
/// Sets the timeout in seconds and returns the timeout actually set.
pub const WDIOC_SETTIMEOUT: u32 = iowr::<i32>(WATCHDOG_IOCTL_BASE, 6);
/// Reads the timeout in seconds.
pub const WDIOC_GETTIMEOUT: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 7);
/// Sets the pretimeout (not supported by this hardware).
pub const WDIOC_SETPRETIMEOUT: u32 = iowr::<i32>(WATCHDOG_IOCTL_BASE, 8);
/// Reads the pretimeout (not supported by this hardware).
pub const WDIOC_GETPRETIMEOUT: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 9);
/// Reads the seconds left before the watchdog fires.
pub const WDIOC_GETTIMELEFT: u32 = ior::<i32>(WATCHDOG_IOCTL_BASE, 10);

/// Unknown card status.
pub const WDIOF_UNKNOWN: i32 = -1;
/// Overheat.
pub const WDIOF_OVERHEAT: u32 = 0x0001;
/// Fan failed.
pub const WDIOF_FANFAULT: u32 = 0x0002;
/// External relay 1.
pub const WDIOF_EXTERN1: u32 = 0x0004;
/// External relay 2.
pub const WDIOF_EXTERN2: u32 = 0x0008;
/// Power bad/power fault.
pub const WDIOF_POWERUNDER: u32 = 0x0010;
/// The card previously reset the CPU.
pub const WDIOF_CARDRESET: u32 = 0x0020;
/// Power over voltage.
pub const WDIOF_POWEROVER: u32 = 0x0040;
/// The timeout can be set.
pub const WDIOF_SETTIMEOUT: u32 = 0x0080;
/// Supports magic close char.
pub const WDIOF_MAGICCLOSE: u32 = 0x0100;
/// Pretimeout (in seconds), get/set.
pub const WDIOF_PRETIMEOUT: u32 = 0x0200;
/// Watchdog triggers a management or other external alarm, not a reboot.
pub const WDIOF_ALARMONLY: u32 = 0x0400;
/// Keep alive ping reply.
pub const WDIOF_KEEPALIVEPING: u32 = 0x8000;

/// Turn off the watchdog timer.
pub const WDIOS_DISABLECARD: u32 = 0x0001;
/// Turn on the watchdog timer.
pub const WDIOS_ENABLECARD: u32 = 0x0002;
/// Kernel panic on temperature trip.
pub const WDIOS_TEMPPANIC: u32 = 0x0004;
