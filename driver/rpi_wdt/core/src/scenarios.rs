// SPDX-License-Identifier: GPL-2.0

//! Behaviour scenarios of the register sequences against the fake register bank, which counts down
//! as the hardware does.
//!
//! Each scenario returns `Err(Failure)` naming the first broken expectation instead of panicking, so
//! the same code runs as host tests (`cargo test`) and as KUnit cases inside the kernel module, where
//! a panic would be a kernel BUG. [`for_each_scenario!`](crate::for_each_scenario) is the one list of
//! their names: the host tests, the KUnit suite and the QEMU system tests (which count the KUnit
//! cases) are all generated from it, and [`ALL`] is too.

use core::fmt;

use crate::boot_status::{BootStatus, ResetCause};
use crate::fake_pm::FakePm;
use crate::hw::{self, PmRegisters};
use crate::regs::{self, rsts, Reg};
use crate::timeout::{self, MAX_TICKS, TICKS_PER_SECOND};

/// Calls the macro `$callback` with the name of every scenario, comma-separated.
#[macro_export]
macro_rules! for_each_scenario {
    ($callback:ident) => {
        $callback! {
            start_loads_the_timeout,
            start_reloads_a_running_countdown,
            expiry_resets_at_the_timeout,
            long_timeouts_load_the_whole_counter,
            max_hw_heartbeat_is_one_full_load,
            stop_disarms,
            time_left_follows_the_counter,
            time_left_is_zero_when_stopped,
            start_keeps_other_rstc_bits,
            every_write_carries_the_password,
            restart_resets_within_ten_ticks,
            power_off_asks_the_firmware_to_halt,
            running_at_probe_is_detected,
            boot_status_after_power_on,
            boot_status_after_watchdog_reset,
        }
    };
}

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

macro_rules! scenario_table {
    ($($name:ident),* $(,)?) => {
        /// Every scenario, by name.
        pub const ALL: &[(&str, fn() -> Outcome)] = &[$((stringify!($name), $name)),*];
    };
}
for_each_scenario!(scenario_table);

/// Starting loads the timeout's ticks and arms the countdown.
pub fn start_loads_the_timeout() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(10));
    check!(pm.armed(), "the countdown armed after start");
    check!(pm.ticks() == 10 * TICKS_PER_SECOND, "10 s worth of ticks loaded");
    check!(hw::is_running(&mut pm), "RSTC reads as running");
    Ok(())
}

/// Starting again is a ping: the countdown goes back to the full timeout.
pub fn start_reloads_a_running_countdown() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(5));
    for _ in 0..6 {
        pm.advance_ms(4_000);
        check!(pm.resets() == 0, "no reset while pinged every 4 s with a 5 s timeout");
        hw::start(&mut pm, timeout::load_ticks(5));
        check!(pm.ticks() == 5 * TICKS_PER_SECOND, "the ping reloads the full timeout");
    }
    Ok(())
}

/// Without pings, the machine resets when the timeout runs out, not before.
pub fn expiry_resets_at_the_timeout() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(3));
    pm.advance_ms(2_999);
    check!(pm.resets() == 0, "no reset 1 ms before the timeout");
    pm.advance_ms(2);
    check!(pm.resets() == 1, "a reset once the timeout has passed");
    Ok(())
}

/// A timeout longer than one load fills the counter, never a wrapped value (mainline's C driver
/// loads `(timeout << 16) & 0xfffff`: 0 ticks for 16 s, 4 s for 20 s).
pub fn long_timeouts_load_the_whole_counter() -> Outcome {
    check!(timeout::load_ticks(15) == 15 * TICKS_PER_SECOND, "15 s still fits");
    for seconds in [16, 20, 30, 32, 48, 600, u32::MAX] {
        check!(timeout::load_ticks(seconds) == MAX_TICKS, "the full counter for a timeout over 15 s");
    }
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(16));
    pm.advance_ms(15_900);
    check!(pm.resets() == 0, "a 16 s timeout lasts a full load, not 0 ticks");
    Ok(())
}

/// The heartbeat the driver declares to the watchdog core is what one full load lasts.
pub fn max_hw_heartbeat_is_one_full_load() -> Outcome {
    check!(timeout::MAX_HW_HEARTBEAT_MS == 15_999, "15999 ms");
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, MAX_TICKS);
    pm.advance_ms(u64::from(timeout::MAX_HW_HEARTBEAT_MS));
    check!(pm.resets() == 0, "a full load outlasts MAX_HW_HEARTBEAT_MS");
    pm.advance_ms(1);
    check!(pm.resets() == 1, "and runs out within the next millisecond");
    Ok(())
}

/// Stopping disarms the countdown: nothing resets however long it waits.
pub fn stop_disarms() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(2));
    hw::stop(&mut pm);
    check!(!pm.armed(), "disarmed after stop");
    check!(!hw::is_running(&mut pm), "RSTC reads as stopped");
    pm.advance_ms(60_000);
    check!(pm.resets() == 0, "no reset after stop");
    Ok(())
}

/// The time left is what the counter holds, and it goes down.
pub fn time_left_follows_the_counter() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(10));
    check!(timeout::ticks_to_secs(hw::ticks_left(&mut pm)) == 10, "10 s left at the start");
    pm.advance_ms(3_500);
    check!(timeout::ticks_to_secs(hw::ticks_left(&mut pm)) == 6, "6 s left (rounded down) after 3.5 s");
    check!(timeout::ticks_to_millis(hw::ticks_left(&mut pm)) == 6_500, "6500 ms left");
    Ok(())
}

/// A stopped watchdog has no time left, whatever WDOG last held.
pub fn time_left_is_zero_when_stopped() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(10));
    hw::stop(&mut pm);
    check!(hw::ticks_left(&mut pm) == 0, "no time left when stopped");
    Ok(())
}

/// Arming changes only RSTC's WRCFG field.
pub fn start_keeps_other_rstc_bits() -> Outcome {
    let mut pm = FakePm::power_on();
    pm.write(Reg::Rstc, regs::PASSWORD | 0x0000_0100);
    hw::start(&mut pm, timeout::load_ticks(1));
    let rstc = pm.read(Reg::Rstc);
    check!(rstc & 0x0000_0100 != 0, "bit 8 kept");
    check!(rstc & regs::rstc::WRCFG_MASK == regs::rstc::WRCFG_FULL_RESET, "WRCFG = full reset");
    Ok(())
}

/// The hardware ignores writes without the password; every sequence writes with it.
pub fn every_write_carries_the_password() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(4));
    hw::stop(&mut pm);
    hw::power_off(&mut pm);
    check!(pm.rejected_writes() == 0, "no write without the password");
    let mut pm = FakePm::power_on();
    pm.write(Reg::Rstc, regs::rstc::WRCFG_FULL_RESET);
    check!(pm.rejected_writes() == 1 && !pm.armed(), "a write without the password changes nothing");
    Ok(())
}

/// Restart resets the machine within 10 ticks, and leaves the normal boot partition.
pub fn restart_resets_within_ten_ticks() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::restart(&mut pm);
    pm.advance_ticks(timeout::RESTART_TICKS);
    check!(pm.resets() == 1, "a reset within RESTART_TICKS");
    check!(!pm.halted(), "a restart boots again");
    Ok(())
}

/// Power-off sets partition 63 (halt) for the firmware, then resets.
pub fn power_off_asks_the_firmware_to_halt() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::power_off(&mut pm);
    check!(regs::rsts_partition(pm.read(Reg::Rsts)) == rsts::PARTITION_HALT, "partition 63 in RSTS");
    pm.advance_ticks(timeout::RESTART_TICKS);
    check!(pm.resets() == 1 && pm.halted(), "the reset halts");
    Ok(())
}

/// A countdown armed before the driver probed (a bootloader, or an unbound instance under
/// nowayout) reads as running, so the driver can hand it to the watchdog core.
pub fn running_at_probe_is_detected() -> Outcome {
    let mut pm = FakePm::power_on();
    check!(!hw::is_running(&mut pm), "not running after power-on");
    hw::start(&mut pm, timeout::load_ticks(15));
    pm.advance_ms(5_000);
    check!(hw::is_running(&mut pm), "running when probed later");
    check!(timeout::ticks_to_secs(hw::ticks_left(&mut pm)) == 10, "with the time the bootloader left");
    Ok(())
}

/// After power-on, the boot status says so and reports no watchdog reset.
pub fn boot_status_after_power_on() -> Outcome {
    let mut pm = FakePm::power_on();
    let boot = BootStatus::from_rsts(pm.read(Reg::Rsts));
    check!(boot.cause() == ResetCause::PowerOn, "cause power-on");
    check!(!boot.watchdog_reset(), "no CARDRESET after power-on");
    check!(boot.cause().name() == "power-on", "named power-on");
    Ok(())
}

/// After the countdown ran out, the next probe reads a watchdog reset, the partition kept.
pub fn boot_status_after_watchdog_reset() -> Outcome {
    let mut pm = FakePm::power_on();
    hw::start(&mut pm, timeout::load_ticks(1));
    pm.advance_ms(1_001);
    let boot = BootStatus::from_rsts(pm.read(Reg::Rsts));
    check!(boot.cause() == ResetCause::WatchdogOrReboot, "cause watchdog-or-reboot");
    check!(boot.watchdog_reset(), "CARDRESET after the expiry");
    check!(boot.partition() == 0, "partition 0 kept");
    check!(ResetCause::from_name(boot.cause().name()) == Some(boot.cause()), "the name parses back");
    Ok(())
}
