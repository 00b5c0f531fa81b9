// SPDX-License-Identifier: GPL-2.0

//! How rpi_wdt appears to userspace: the names it reports, defined once for the module, wdtctl and
//! the tests.

use core::ffi::CStr;

/// The identity `WDIOC_GETSUPPORT` and `/sys/class/watchdog/watchdogN/identity` report (at most 31
/// bytes, as `struct watchdog_info` holds).
pub const IDENTITY: &CStr = c"rpi_wdt BCM2835 PM watchdog";

/// The driver's sysfs attribute with the decoded cause of the last reset
/// ([`ResetCause::name`](crate::boot_status::ResetCause::name)).
pub const RESET_REASON_ATTR: &CStr = c"reset_reason";

/// The driver's sysfs attribute with RSTS as read at probe (`0x%08x`). Its presence in a watchdog's
/// sysfs directory is how userspace recognises rpi_wdt.
pub const RSTS_ATTR: &CStr = c"rsts";

/// [`IDENTITY`] as text.
pub const IDENTITY_STR: &str = text(IDENTITY);
/// [`RESET_REASON_ATTR`] as text.
pub const RESET_REASON: &str = text(RESET_REASON_ATTR);
/// [`RSTS_ATTR`] as text.
pub const RSTS: &str = text(RSTS_ATTR);

/// A name above as `&str`; evaluated at compile time, where a name that is not UTF-8 fails the build.
const fn text(name: &'static CStr) -> &'static str {
    match core::str::from_utf8(name.to_bytes()) {
        Ok(text) => text,
        Err(_) => panic!("names are ASCII"),
    }
}
