//! Register encoding, timeout conversion and boot-status decoding, with properties over all inputs.

use proptest::prelude::*;
use rpi_wdt_core::boot_status::{BootStatus, ResetCause};
use rpi_wdt_core::regs::{self, rsts, Reg};
use rpi_wdt_core::timeout::{self, *};

#[test]
fn register_offsets_match_the_pm_block() {
    assert_eq!(Reg::Rstc.pm_offset(), 0x1c);
    assert_eq!(Reg::Rsts.pm_offset(), 0x20);
    assert_eq!(Reg::Wdog.pm_offset(), 0x24);
    assert_eq!(regs::MAP_SIZE, 12);
}

#[test]
fn values_match_the_c_driver() {
    // bcm2835_wdt.c: stop writes PM_PASSWORD | PM_RSTC_RESET; start writes WDOG then RSTC with WRCFG full.
    assert_eq!(regs::rstc_stop(), 0x5a00_0102);
    assert_eq!(regs::rstc_arm(0), 0x5a00_0020);
    assert_eq!(regs::wdog_load(15 << 16), 0x5a0f_0000);
    assert_eq!(regs::rsts_halt(0), 0x5a00_0555);
}

#[test]
fn timeout_limits() {
    assert_eq!(MIN_TIMEOUT_S, 1);
    assert_eq!(MAX_HW_TIMEOUT_S, 15);
    assert_eq!(DEFAULT_TIMEOUT_S, 15);
    assert_eq!(MAX_HW_HEARTBEAT_MS, 15_999);
    assert_eq!(load_ticks(15), 983_040);
    // Mainline's C driver loads (timeout << 16) & 0xfffff: 0 for 16 s, 4 s for 20 s. Not here.
    assert_eq!(load_ticks(16), MAX_TICKS);
    assert_eq!(load_ticks(20), MAX_TICKS);
    assert_eq!(load_ticks(u32::MAX), MAX_TICKS);
}

#[test]
fn boot_status_decoding() {
    assert_eq!(BootStatus::from_rsts(rsts::HADPOR).cause(), ResetCause::PowerOn);
    assert_eq!(BootStatus::from_rsts(rsts::HADWRF).cause(), ResetCause::WatchdogOrReboot);
    assert_eq!(BootStatus::from_rsts(rsts::HADWRF | rsts::HADPOR).cause(), ResetCause::WatchdogOrReboot);
    assert_eq!(BootStatus::from_rsts(0).cause(), ResetCause::Unknown);
    // Partition 63 (halt) alone sets HADWRQ/HADWRH-position bits, which must not read as a watchdog reset.
    assert_eq!(BootStatus::from_rsts(0x555).cause(), ResetCause::Unknown);
    assert_eq!(BootStatus::from_rsts(0x555).partition(), 63);
    assert_eq!(BootStatus::from_rsts(0x5a00_1000).raw(), 0x1000);
    assert!(BootStatus::from_rsts(rsts::HADWRF).watchdog_reset());
    assert!(!BootStatus::from_rsts(rsts::HADPOR).watchdog_reset());
    for cause in ResetCause::ALL {
        assert_eq!(ResetCause::from_name(cause.name()), Some(cause));
    }
    assert_eq!(ResetCause::from_name("reboot"), None);
}

proptest! {
    #[test]
    fn every_timeout_one_load_holds_round_trips(s in MIN_TIMEOUT_S..=MAX_HW_TIMEOUT_S) {
        let ticks = load_ticks(s);
        prop_assert!(ticks <= MAX_TICKS);
        prop_assert_eq!(ticks_to_secs(ticks), s);
        prop_assert_eq!(ticks_to_millis(ticks), s * 1000);
        prop_assert_eq!(regs::wdog_ticks(regs::wdog_load(ticks)), ticks);
    }

    #[test]
    fn a_load_never_wraps(s in any::<u32>()) {
        let ticks = load_ticks(s);
        prop_assert!(ticks <= MAX_TICKS);
        prop_assert_eq!(regs::wdog_ticks(regs::wdog_load(ticks)), ticks);
        // The whole timeout when it fits, otherwise the longest load: never less than asked for.
        prop_assert_eq!(ticks, u32::try_from(u64::from(s) * u64::from(TICKS_PER_SECOND)).unwrap_or(MAX_TICKS).min(MAX_TICKS));
    }

    #[test]
    fn time_left_never_rounds_up(ticks in 0..=MAX_TICKS) {
        prop_assert!(u64::from(ticks_to_secs(ticks)) * u64::from(TICKS_PER_SECOND) <= u64::from(ticks));
        prop_assert!(u64::from(ticks_to_millis(ticks)) * u64::from(TICKS_PER_SECOND) <= u64::from(ticks) * 1000);
        prop_assert!(ticks_to_secs(ticks) <= MAX_HW_TIMEOUT_S);
    }

    #[test]
    fn every_write_carries_the_password(current in any::<u32>()) {
        for v in [regs::rstc_arm(current), regs::rstc_stop(), regs::wdog_load(current), regs::rsts_halt(current)] {
            prop_assert_eq!(v & regs::PASSWORD_MASK, regs::PASSWORD);
        }
        prop_assert!(regs::rstc_is_armed(regs::rstc_arm(current)));
        prop_assert!(!regs::rstc_is_armed(regs::rstc_stop()));
        // Arming keeps RSTC's other configuration bits.
        let keep = !regs::PASSWORD_MASK & !regs::rstc::WRCFG_MASK;
        prop_assert_eq!(regs::rstc_arm(current) & keep, current & keep);
    }

    #[test]
    fn partition_spreading_round_trips(p in 0u32..64, other in any::<u32>()) {
        let spread = regs::partition_to_rsts(p);
        prop_assert_eq!(spread & !rsts::PARTITION_MASK, 0);
        prop_assert_eq!(regs::rsts_partition(spread | (other & !rsts::PARTITION_MASK)), p);
        prop_assert_eq!(regs::rsts_partition(regs::rsts_halt(other)), rsts::PARTITION_HALT);
    }
}

#[test]
fn timeout_module_is_reachable() {
    // The restart countdown is the C driver's ~150 µs.
    assert_eq!(timeout::RESTART_TICKS, 10);
    assert_eq!(timeout::ticks_to_millis(timeout::RESTART_TICKS), 0);
}
