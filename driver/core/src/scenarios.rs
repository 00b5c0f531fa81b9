// SPDX-License-Identifier: GPL-2.0

//! Behaviour scenarios of the watchdog state machine against the fake register bank.
//!
//! Each scenario returns `Err(Failure)` naming the first broken expectation instead of panicking, so the
//! same code runs as host tests (`cargo test`) and as KUnit cases inside the kernel module, where a
//! panic would be a kernel BUG. [`ALL`] lists every scenario by name.

use core::fmt;

use crate::abi;
use crate::boot_status::{BootStatus, ResetCause};
use crate::fake_pm::FakePm;
use crate::regs::{self, Reg};
use crate::timeout::{self, TICKS_PER_SECOND};
use crate::watchdog::{has_magic_char, PmRegisters, ReleaseOutcome, Watchdog, WdtError};

/// The first expectation a scenario found broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Source line of the failed check.
    pub line: u32,
    /// What was expected.
    pub expected: &'static str,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenarios.rs:{}: expected {}", self.line, self.expected)
    }
}

/// The outcome of one scenario.
pub type Outcome = Result<(), Failure>;

macro_rules! check {
    ($cond:expr, $expected:expr) => {
        if !$cond {
            return Err(Failure { line: line!(), expected: $expected });
        }
    };
}

/// A fake board: the register bank, the driver state and a clock that advance together.
struct Board {
    pm: FakePm,
    wdt: Watchdog,
    now_ns: u64,
}

impl Board {
    fn new(timeout_s: u32, nowayout: bool) -> Self {
        let mut pm = FakePm::power_on();
        let boot = BootStatus::from_rsts(pm.read(Reg::Rsts));
        Board { pm, wdt: Watchdog::new(timeout_s, nowayout, boot), now_ns: 0 }
    }

    fn advance_ms(&mut self, ms: u64) {
        self.pm.advance_ms(ms);
        self.now_ns += ms * 1_000_000;
    }

    fn running(&mut self) -> bool {
        self.wdt.is_running(&mut self.pm)
    }

    fn open(&mut self) -> Result<(), WdtError> {
        self.wdt.open(&mut self.pm, self.now_ns)
    }

    fn write(&mut self, data: &[u8]) {
        self.wdt.write(&mut self.pm, self.now_ns, data.len(), has_magic_char(data));
    }

    fn release(&mut self) -> ReleaseOutcome {
        self.wdt.release(&mut self.pm, self.now_ns)
    }

    /// The board after its reset: a fresh driver instance reading RSTS as probe does.
    fn reboot_driver(&mut self) -> Watchdog {
        Watchdog::new(timeout::DEFAULT_TIMEOUT_S, false, BootStatus::from_rsts(self.pm.read(Reg::Rsts)))
    }
}

/// Opening arms the countdown with the configured timeout.
pub fn open_arms_with_configured_timeout() -> Outcome {
    let mut b = Board::new(10, false);
    check!(!b.running(), "stopped before open");
    check!(b.open().is_ok(), "open succeeds");
    check!(b.pm.armed(), "RSTC armed after open");
    check!(b.pm.ticks() == 10 * TICKS_PER_SECOND, "WDOG loaded with 10 s of ticks");
    check!(b.pm.rejected_writes() == 0, "every write carries the password");
    check!(b.wdt.time_left_s(&mut b.pm) == 10, "10 s left right after open");
    Ok(())
}

/// A second open is refused while the first holder keeps the node.
pub fn second_open_is_busy() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.open().is_ok(), "first open succeeds");
    check!(b.open() == Err(WdtError::Busy), "second open is busy");
    b.write(b"V");
    check!(b.release() == ReleaseOutcome::Stopped, "magic close stops");
    check!(b.open().is_ok(), "open succeeds again after close");
    Ok(())
}

/// Pinging every half timeout for three timeouts never lets the watchdog fire.
pub fn keepalive_holds_for_three_timeouts() -> Outcome {
    let mut b = Board::new(4, false);
    check!(b.open().is_ok(), "open succeeds");
    for _ in 0..6 {
        b.advance_ms(2_000);
        b.write(b"\n");
    }
    check!(b.pm.resets() == 0, "no reset while pinged");
    check!(b.wdt.ping_count() == 7, "one arm and six pings counted");
    Ok(())
}

/// Without pings the watchdog fires at the timeout, not before, and RSTS then shows a watchdog reset.
pub fn expiry_fires_at_timeout() -> Outcome {
    let mut b = Board::new(3, false);
    check!(b.open().is_ok(), "open succeeds");
    b.pm.advance_ticks(3 * TICKS_PER_SECOND - 1);
    check!(b.pm.resets() == 0, "no reset one tick before the timeout");
    b.pm.advance_ticks(1);
    check!(b.pm.resets() == 1, "reset exactly at the timeout");
    check!(!b.pm.halted(), "a watchdog reset reboots, it does not halt");
    let after = b.reboot_driver();
    check!(after.boot_status().cause() == ResetCause::WatchdogOrReboot, "boot status says watchdog");
    check!(after.boot_status().wdiof_flags() == abi::WDIOF_CARDRESET, "GETBOOTSTATUS reports CARDRESET");
    Ok(())
}

/// Writing 'V' then closing stops the watchdog.
pub fn magic_close_stops() -> Outcome {
    let mut b = Board::new(5, false);
    check!(b.open().is_ok(), "open succeeds");
    b.write(b"xV");
    check!(b.wdt.status() & abi::WDIOF_MAGICCLOSE != 0, "GETSTATUS shows magic close armed");
    check!(b.release() == ReleaseOutcome::Stopped, "close stops");
    check!(!b.running(), "stopped after magic close");
    b.advance_ms(20_000);
    check!(b.pm.resets() == 0, "no reset after magic close");
    Ok(())
}

/// A write without 'V' after one with it disarms magic close.
pub fn later_write_disarms_magic_close() -> Outcome {
    let mut b = Board::new(5, false);
    check!(b.open().is_ok(), "open succeeds");
    b.write(b"V");
    b.write(b"x");
    check!(b.release() == ReleaseOutcome::LeftRunning, "close keeps it running");
    check!(b.running(), "still running");
    Ok(())
}

/// Closing without magic close leaves it running with a full timeout, and it then fires.
pub fn close_without_magic_lets_it_fire() -> Outcome {
    let mut b = Board::new(5, false);
    check!(b.open().is_ok(), "open succeeds");
    b.advance_ms(3_000);
    check!(b.release() == ReleaseOutcome::LeftRunning, "close keeps it running");
    check!(b.wdt.time_left_s(&mut b.pm) == 5, "close pings once: full timeout left");
    b.advance_ms(4_999);
    check!(b.pm.resets() == 0, "no reset before the timeout");
    b.advance_ms(1);
    check!(b.pm.resets() == 1, "reset at the timeout");
    Ok(())
}

/// Under nowayout nothing stops a running watchdog.
pub fn nowayout_refuses_stop() -> Outcome {
    let mut b = Board::new(5, true);
    check!(b.open().is_ok(), "open succeeds");
    b.write(b"V");
    check!(b.wdt.status() & abi::WDIOF_MAGICCLOSE == 0, "magic close is never armed under nowayout");
    check!(
        b.wdt.set_options(&mut b.pm, b.now_ns, abi::WDIOS_DISABLECARD) == Err(WdtError::Busy),
        "DISABLECARD is busy"
    );
    check!(b.wdt.stop(&mut b.pm) == Err(WdtError::Busy), "stop is busy");
    check!(b.release() == ReleaseOutcome::LeftRunning, "close leaves it running");
    check!(b.wdt.shutdown(&mut b.pm), "unbind leaves it running");
    b.advance_ms(5_000);
    check!(b.pm.resets() == 1, "it fires");
    Ok(())
}

/// Time left counts down in whole seconds, rounded down.
pub fn time_left_decreases() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.wdt.time_left_s(&mut b.pm) == 0, "0 s left while stopped");
    check!(b.open().is_ok(), "open succeeds");
    b.advance_ms(2_000);
    check!(b.wdt.time_left_s(&mut b.pm) == 8, "8 s left after 2 s");
    b.advance_ms(500);
    check!(b.wdt.time_left_s(&mut b.pm) == 7, "7 s left after 2.5 s (rounded down)");
    let state = b.wdt.state(&mut b.pm, b.now_ns);
    check!(state.timeleft_ms == 7_500, "7500 ms left in the state snapshot");
    check!(state.since_last_ping_ms == 2_500, "2500 ms since the last ping");
    Ok(())
}

/// Timeouts outside 1..=15 s are refused and change nothing; valid ones are returned as set.
pub fn set_timeout_bounds() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.open().is_ok(), "open succeeds");
    for bad in [0, 16, 1000, u32::MAX] {
        check!(
            b.wdt.set_timeout(&mut b.pm, b.now_ns, bad) == Err(WdtError::InvalidArgument),
            "out of range is EINVAL"
        );
        check!(b.wdt.timeout_s() == 10, "a refused timeout changes nothing");
    }
    check!(b.wdt.set_timeout(&mut b.pm, b.now_ns, 1) == Ok(1), "1 s accepted");
    check!(b.wdt.set_timeout(&mut b.pm, b.now_ns, 15) == Ok(15), "15 s accepted");
    check!(b.pm.ticks() == 15 * TICKS_PER_SECOND, "15 s of ticks loaded");
    Ok(())
}

/// Setting a timeout restarts a running countdown with the new value.
pub fn set_timeout_restarts_countdown() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.open().is_ok(), "open succeeds");
    b.advance_ms(8_000);
    check!(b.wdt.set_timeout(&mut b.pm, b.now_ns, 5) == Ok(5), "5 s accepted");
    check!(b.wdt.time_left_s(&mut b.pm) == 5, "5 s left after the change");
    b.advance_ms(4_999);
    check!(b.pm.resets() == 0, "no reset before the new timeout");
    b.advance_ms(1);
    check!(b.pm.resets() == 1, "reset at the new timeout");
    Ok(())
}

/// A timeout set while stopped does not start the watchdog.
pub fn set_timeout_while_stopped_does_not_start() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.wdt.set_timeout(&mut b.pm, b.now_ns, 3) == Ok(3), "3 s accepted");
    check!(!b.running(), "still stopped");
    check!(b.open().is_ok(), "open succeeds");
    check!(b.pm.ticks() == 3 * TICKS_PER_SECOND, "open uses the new timeout");
    Ok(())
}

/// WDIOS_DISABLECARD stops, WDIOS_ENABLECARD starts, anything else is EINVAL and changes nothing.
pub fn set_options_disable_enable() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.open().is_ok(), "open succeeds");
    check!(b.wdt.set_options(&mut b.pm, b.now_ns, abi::WDIOS_DISABLECARD).is_ok(), "DISABLECARD succeeds");
    check!(!b.running(), "stopped by DISABLECARD");
    check!(
        b.wdt.set_options(&mut b.pm, b.now_ns, abi::WDIOS_TEMPPANIC) == Err(WdtError::InvalidArgument),
        "TEMPPANIC alone is EINVAL"
    );
    check!(!b.running(), "EINVAL changes nothing");
    check!(b.wdt.set_options(&mut b.pm, b.now_ns, abi::WDIOS_ENABLECARD).is_ok(), "ENABLECARD succeeds");
    check!(b.running(), "started by ENABLECARD");
    b.write(b"");
    b.write(b"V");
    check!(b.release() == ReleaseOutcome::Stopped, "magic close stops");
    Ok(())
}

/// GETSTATUS reports a keepalive once per ping, and magic close while armed.
pub fn status_flags() -> Outcome {
    let mut b = Board::new(10, false);
    check!(b.wdt.status() == 0, "no flags before anything happened");
    check!(b.open().is_ok(), "open succeeds");
    check!(b.wdt.status() == abi::WDIOF_KEEPALIVEPING, "the arm counts as a keepalive");
    check!(b.wdt.status() == 0, "keepalive flag clears once read");
    b.write(b"V");
    check!(b.wdt.status() == abi::WDIOF_KEEPALIVEPING | abi::WDIOF_MAGICCLOSE, "ping and magic close");
    Ok(())
}

/// Pings and writes on a stopped watchdog do nothing.
pub fn ping_when_stopped_is_noop() -> Outcome {
    let mut b = Board::new(10, false);
    check!(!b.wdt.ping(&mut b.pm, b.now_ns), "ping reports not running");
    check!(!b.running(), "ping does not start it");
    check!(b.wdt.ping_count() == 0, "no ping counted");
    check!(b.wdt.state(&mut b.pm, b.now_ns).since_last_ping_ms == abi::NEVER_PINGED, "never pinged");
    Ok(())
}

/// Restart resets within the restart countdown; power-off also asks the firmware to halt.
pub fn restart_and_power_off() -> Outcome {
    let mut b = Board::new(10, false);
    crate::watchdog::hw_restart(&mut b.pm);
    b.pm.advance_ticks(timeout::RESTART_TICKS);
    check!(b.pm.resets() == 1 && !b.pm.halted(), "restart resets and boots again");

    let mut b = Board::new(10, false);
    crate::watchdog::hw_power_off(&mut b.pm);
    check!(
        regs::rsts_partition(b.pm.read(Reg::Rsts)) == regs::rsts::PARTITION_HALT,
        "partition 63 requested"
    );
    b.pm.advance_ticks(timeout::RESTART_TICKS);
    check!(b.pm.resets() == 1 && b.pm.halted(), "power-off resets into a halt");
    Ok(())
}

/// A countdown found running at probe is stopped, unless nowayout keeps it.
pub fn adopt_running_at_probe() -> Outcome {
    use crate::watchdog::AdoptOutcome;
    let mut b = Board::new(10, false);
    check!(b.wdt.adopt_at_probe(&mut b.pm) == AdoptOutcome::NotRunning, "nothing to adopt");
    crate::watchdog::hw_start(&mut b.pm, 5 * TICKS_PER_SECOND);
    check!(b.wdt.adopt_at_probe(&mut b.pm) == AdoptOutcome::Stopped, "stopped without nowayout");
    check!(!b.pm.armed(), "countdown disarmed");
    let mut b = Board::new(10, true);
    crate::watchdog::hw_start(&mut b.pm, 5 * TICKS_PER_SECOND);
    check!(b.wdt.adopt_at_probe(&mut b.pm) == AdoptOutcome::KeptRunning, "kept under nowayout");
    check!(b.pm.armed(), "countdown still armed");
    Ok(())
}

/// Boot status after power-on says power-on and no CARDRESET.
pub fn boot_status_power_on() -> Outcome {
    let b = Board::new(10, false);
    let status = b.wdt.boot_status();
    check!(status.cause() == ResetCause::PowerOn, "power-on cause");
    check!(status.wdiof_flags() == 0, "no CARDRESET after power-on");
    check!(status.to_abi().cause == abi::CAUSE_POWER_ON, "control node reports power-on");
    Ok(())
}

/// Every scenario, by name.
pub const ALL: &[(&str, fn() -> Outcome)] = &[
    ("open_arms_with_configured_timeout", open_arms_with_configured_timeout),
    ("second_open_is_busy", second_open_is_busy),
    ("keepalive_holds_for_three_timeouts", keepalive_holds_for_three_timeouts),
    ("expiry_fires_at_timeout", expiry_fires_at_timeout),
    ("magic_close_stops", magic_close_stops),
    ("later_write_disarms_magic_close", later_write_disarms_magic_close),
    ("close_without_magic_lets_it_fire", close_without_magic_lets_it_fire),
    ("nowayout_refuses_stop", nowayout_refuses_stop),
    ("time_left_decreases", time_left_decreases),
    ("set_timeout_bounds", set_timeout_bounds),
    ("set_timeout_restarts_countdown", set_timeout_restarts_countdown),
    ("set_timeout_while_stopped_does_not_start", set_timeout_while_stopped_does_not_start),
    ("set_options_disable_enable", set_options_disable_enable),
    ("status_flags", status_flags),
    ("ping_when_stopped_is_noop", ping_when_stopped_is_noop),
    ("restart_and_power_off", restart_and_power_off),
    ("adopt_running_at_probe", adopt_running_at_probe),
    ("boot_status_power_on", boot_status_power_on),
];
