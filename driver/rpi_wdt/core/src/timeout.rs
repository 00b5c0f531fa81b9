// SPDX-License-Identifier: GPL-2.0

//! Conversions between seconds and WDOG ticks, and the limits the hardware sets.
//!
//! WDOG counts down at 65536 ticks per second in 20 bits, so one load lasts at most 0xfffff ticks,
//! 15.999 s. Longer timeouts are the kernel watchdog core's job: the driver declares the hardware's
//! longest heartbeat ([`MAX_HW_HEARTBEAT_MS`]), the core accepts any timeout and reloads the hardware
//! in time, and the driver loads `min(timeout, hardware maximum)` ([`load_ticks`]). The C driver in
//! Linux 7.3.4 loads `(timeout << 16) & 0xfffff` instead, so a 16 s timeout loads 0 ticks and a 20 s
//! one 4 s; [`load_ticks`] never wraps.

use crate::regs::wdog;

/// WDOG counts this many ticks per second.
pub const TICKS_PER_SECOND: u32 = 1 << 16;
/// The largest value the 20-bit countdown holds.
pub const MAX_TICKS: u32 = wdog::TIME_MASK;
/// Shortest timeout in seconds.
pub const MIN_TIMEOUT_S: u32 = 1;
/// Longest whole-second timeout one load of the countdown holds.
pub const MAX_HW_TIMEOUT_S: u32 = MAX_TICKS / TICKS_PER_SECOND;
/// The longest time one load of the countdown lasts, in milliseconds (15999).
pub const MAX_HW_HEARTBEAT_MS: u32 = ticks_to_millis(MAX_TICKS);
/// Timeout used when none is configured: the longest one load holds, as the C driver does.
pub const DEFAULT_TIMEOUT_S: u32 = MAX_HW_TIMEOUT_S;
/// Countdown loaded to restart the machine (about 150 µs), as the C driver does.
pub const RESTART_TICKS: u32 = 10;

/// The ticks to load for a timeout of `seconds`: the whole timeout when the countdown holds it,
/// otherwise the full countdown (the kernel then reloads it before it runs out).
pub const fn load_ticks(seconds: u32) -> u32 {
    if seconds > MAX_HW_TIMEOUT_S {
        MAX_TICKS
    } else {
        seconds * TICKS_PER_SECOND
    }
}

/// Whole seconds in `ticks`, rounded down.
pub const fn ticks_to_secs(ticks: u32) -> u32 {
    ticks / TICKS_PER_SECOND
}

/// Milliseconds in `ticks`, rounded down.
pub const fn ticks_to_millis(ticks: u32) -> u32 {
    ((ticks as u64 * 1000) / TICKS_PER_SECOND as u64) as u32
}
