// SPDX-License-Identifier: GPL-2.0

//! Conversions between seconds and WDOG ticks, and the timeout range the hardware allows.
//!
//! WDOG counts down at 65536 ticks per second in 20 bits, so the longest countdown is 0xfffff ticks,
//! just under 16 s. Timeouts are whole seconds from 1 to 15 (15 s = 983040 ticks fits; 16 s does not).
//! Time left is reported rounded down, as the C driver and the watchdog core do.

use crate::regs::wdog;

/// WDOG counts this many ticks per second.
pub const TICKS_PER_SECOND: u32 = 1 << 16;
/// The largest value the 20-bit countdown holds.
pub const MAX_TICKS: u32 = wdog::TIME_MASK;
/// Shortest timeout in seconds.
pub const MIN_TIMEOUT_S: u32 = 1;
/// Longest timeout in seconds that fits in the countdown.
pub const MAX_TIMEOUT_S: u32 = MAX_TICKS / TICKS_PER_SECOND;
/// Timeout used when none is configured: the longest, as the C driver does.
pub const DEFAULT_TIMEOUT_S: u32 = MAX_TIMEOUT_S;
/// Countdown loaded to restart the machine (about 150 µs), as the C driver does.
pub const RESTART_TICKS: u32 = 10;

/// A timeout outside `MIN_TIMEOUT_S..=MAX_TIMEOUT_S`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange(pub u32);

/// Ticks for a timeout of `seconds`. Callers pass validated timeouts; larger values saturate at MAX_TICKS.
pub const fn secs_to_ticks(seconds: u32) -> u32 {
    if seconds > MAX_TIMEOUT_S {
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

/// Nanoseconds in `ticks`, rounded down.
pub const fn ticks_to_nanos(ticks: u32) -> u64 {
    (ticks as u64 * 1_000_000_000) / TICKS_PER_SECOND as u64
}

/// Ticks in `nanos`, rounded down, saturating at u32::MAX.
pub const fn nanos_to_ticks(nanos: u64) -> u32 {
    let ticks = nanos as u128 * TICKS_PER_SECOND as u128 / 1_000_000_000;
    if ticks > u32::MAX as u128 {
        u32::MAX
    } else {
        ticks as u32
    }
}

/// Accepts a timeout the hardware can count, or says it is out of range.
pub const fn validate(seconds: u32) -> Result<u32, OutOfRange> {
    if seconds >= MIN_TIMEOUT_S && seconds <= MAX_TIMEOUT_S {
        Ok(seconds)
    } else {
        Err(OutOfRange(seconds))
    }
}

/// A configured timeout (for example the `heartbeat` module parameter) brought into range: 0 means the
/// default; a value above the maximum is clamped to it. Returns the timeout and whether it had to be changed.
pub const fn clamp_configured(seconds: u32) -> (u32, bool) {
    if seconds == 0 {
        (DEFAULT_TIMEOUT_S, false)
    } else if seconds > MAX_TIMEOUT_S {
        (MAX_TIMEOUT_S, true)
    } else {
        (seconds, false)
    }
}

/// The timeout to use at probe: the `heartbeat` module parameter if set (non-zero), else the device
/// tree's `timeout-sec` if set, else the default; brought into range by [`clamp_configured`].
/// Returns the timeout, the value that was asked for, and whether it had to be clamped.
pub const fn choose(heartbeat: u32, dt_timeout_sec: u32) -> (u32, u32, bool) {
    let requested = if heartbeat != 0 { heartbeat } else { dt_timeout_sec };
    let (seconds, clamped) = clamp_configured(requested);
    (seconds, requested, clamped)
}
