// SPDX-License-Identifier: GPL-2.0

//! The userspace ABI of rpi_wdt: defined once, here, for the kernel module and for userspace.
//!
//! Two device nodes, both root-only (0600):
//! - `/dev/rpi-wdt`: the standard Linux watchdog ABI of `include/uapi/linux/watchdog.h` (base 'W').
//!   Opening it arms the watchdog, as `Documentation/watchdog/watchdog-api.rst` describes.
//! - `/dev/rpi-wdt-ctl`: the control node (ioctl type 0xB9, unused in `ioctl-number.rst`). Opening it
//!   changes nothing; its ioctls inspect and control the same watchdog.
//!
//! Every structure is `#[repr(C)]` with fields ordered and padded so that its layout is identical for
//! 32-bit and 64-bit userspace: the module relies on `compat_ptr_ioctl` for 32-bit callers.
//! The ABI only grows: new ioctls get new numbers, and `RpiWdtInfo::abi_version` says which exist.

use core::mem::size_of;

// The generic Linux ioctl encoding (asm-generic/ioctl.h, used by arm, arm64 and x86).
const IOC_NRSHIFT: u32 = 0;
const IOC_TYPESHIFT: u32 = 8;
const IOC_SIZESHIFT: u32 = 16;
const IOC_DIRSHIFT: u32 = 30;
const IOC_NONE: u32 = 0;
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
/// `_IO(ty, nr)`.
pub const fn io(ty: u8, nr: u8) -> u32 {
    ioc(IOC_NONE, ty, nr, 0)
}
/// `_IOR(ty, nr, T)`: userspace reads a `T`.
pub const fn ior<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_READ, ty, nr, size_of::<T>())
}
/// `_IOW(ty, nr, T)`: userspace writes a `T`.
pub const fn iow<T>(ty: u8, nr: u8) -> u32 {
    ioc(IOC_WRITE, ty, nr, size_of::<T>())
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

/// What this driver honestly supports, reported by WDIOC_GETSUPPORT.
pub const SUPPORTED_OPTIONS: u32 =
    WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING | WDIOF_CARDRESET;
/// The identity WDIOC_GETSUPPORT reports.
pub const IDENTITY: &str = "rpi_wdt BCM2835 PM watchdog";

/// `identity` as the NUL-padded array the ABI carries.
pub const fn identity_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    let src = IDENTITY.as_bytes();
    let mut i = 0;
    while i < src.len() && i < 31 {
        out[i] = src[i];
        i += 1;
    }
    out
}

// ---- The control node (/dev/rpi-wdt-ctl) ----

/// The control node's ioctl type.
pub const RPI_WDT_IOCTL_BASE: u8 = 0xB9;
/// The control ABI version reported in `RpiWdtInfo::abi_version`.
pub const RPI_WDT_ABI_VERSION: u32 = 1;

/// What the driver and the hardware offer.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpiWdtInfo {
    /// `RPI_WDT_ABI_VERSION` of the running module.
    pub abi_version: u32,
    /// WDIOF_* options, as WDIOC_GETSUPPORT reports them.
    pub options: u32,
    /// Shortest timeout in seconds.
    pub min_timeout_s: u32,
    /// Longest timeout in seconds.
    pub max_timeout_s: u32,
    /// Countdown ticks per second.
    pub ticks_per_second: u32,
    /// 1 when the module was loaded with nowayout=1.
    pub nowayout: u32,
    /// Identity string, NUL-padded.
    pub identity: [u8; 32],
}

/// `RpiWdtState::flags`: the countdown is armed.
pub const STATE_RUNNING: u32 = 1 << 0;
/// `RpiWdtState::flags`: `/dev/rpi-wdt` is held open.
pub const STATE_OPEN: u32 = 1 << 1;
/// `RpiWdtState::flags`: the magic close character was written since the last other write.
pub const STATE_MAGIC_CLOSE_ARMED: u32 = 1 << 2;
/// `RpiWdtState::flags`: nowayout is in force.
pub const STATE_NOWAYOUT: u32 = 1 << 3;
/// `RpiWdtState::since_last_ping_ms` when there has been no ping since the module loaded.
pub const NEVER_PINGED: u64 = u64::MAX;

/// The watchdog's state as one snapshot.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpiWdtState {
    /// STATE_* bits.
    pub flags: u32,
    /// Configured timeout in seconds.
    pub timeout_s: u32,
    /// Milliseconds left before the watchdog fires (0 when stopped).
    pub timeleft_ms: u32,
    /// Always 0; keeps the following fields 8-byte aligned on every ABI.
    pub reserved: u32,
    /// Milliseconds since the last start or ping, or `NEVER_PINGED`.
    pub since_last_ping_ms: u64,
    /// Starts and pings since the module loaded.
    pub ping_count: u64,
}

/// `RpiWdtBootStatus::cause`: nothing recognisable in RSTS.
pub const CAUSE_UNKNOWN: u32 = 0;
/// `RpiWdtBootStatus::cause`: power-on reset.
pub const CAUSE_POWER_ON: u32 = 1;
/// `RpiWdtBootStatus::cause`: watchdog reset, which on a Pi is also how `reboot` restarts.
pub const CAUSE_WATCHDOG_OR_REBOOT: u32 = 2;

/// Why the board last reset, from RSTS at probe.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpiWdtBootStatus {
    /// RSTS as read at probe.
    pub rsts: u32,
    /// The flags WDIOC_GETBOOTSTATUS reports.
    pub wdiof_flags: u32,
    /// CAUSE_* value.
    pub cause: u32,
    /// The firmware boot partition recorded in RSTS (63 = halt).
    pub partition: u32,
}

/// Reads `RpiWdtInfo`.
pub const RPI_WDT_IOC_INFO: u32 = ior::<RpiWdtInfo>(RPI_WDT_IOCTL_BASE, 0);
/// Reads `RpiWdtState`.
pub const RPI_WDT_IOC_STATE: u32 = ior::<RpiWdtState>(RPI_WDT_IOCTL_BASE, 1);
/// Reads `RpiWdtBootStatus`.
pub const RPI_WDT_IOC_BOOT_STATUS: u32 = ior::<RpiWdtBootStatus>(RPI_WDT_IOCTL_BASE, 2);
/// Sets the timeout (seconds, 1..=15) and returns the timeout set; a running watchdog restarts its count.
pub const RPI_WDT_IOC_SET_TIMEOUT: u32 = iowr::<u32>(RPI_WDT_IOCTL_BASE, 3);
/// Starts the watchdog with the configured timeout.
pub const RPI_WDT_IOC_START: u32 = io(RPI_WDT_IOCTL_BASE, 4);
/// Stops the watchdog (EBUSY under nowayout).
pub const RPI_WDT_IOC_STOP: u32 = io(RPI_WDT_IOCTL_BASE, 5);
/// Restarts the countdown of a running watchdog.
pub const RPI_WDT_IOC_PING: u32 = io(RPI_WDT_IOCTL_BASE, 6);

/// Device node (under /dev) of the standard watchdog ABI.
pub const WDT_NODE_NAME: &core::ffi::CStr = c"rpi-wdt";
/// Device node (under /dev) of the control ABI.
pub const CTL_NODE_NAME: &core::ffi::CStr = c"rpi-wdt-ctl";
