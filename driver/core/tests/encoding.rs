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
fn timeout_range() {
    assert_eq!(MIN_TIMEOUT_S, 1);
    assert_eq!(MAX_TIMEOUT_S, 15);
    assert_eq!(secs_to_ticks(15), 983_040);
    assert!(secs_to_ticks(MAX_TIMEOUT_S) <= MAX_TICKS);
    assert_eq!(validate(0), Err(OutOfRange(0)));
    assert_eq!(validate(16), Err(OutOfRange(16)));
    assert_eq!(validate(7), Ok(7));
    assert_eq!(clamp_configured(0), (15, false));
    assert_eq!(clamp_configured(9), (9, false));
    assert_eq!(clamp_configured(60), (15, true));
    // heartbeat wins over the device tree; 0 means "not set" for both.
    assert_eq!(choose(0, 0), (15, 0, false));
    assert_eq!(choose(0, 7), (7, 7, false));
    assert_eq!(choose(5, 7), (5, 5, false));
    assert_eq!(choose(0, 30), (15, 30, true));
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
}

proptest! {
    #[test]
    fn every_valid_timeout_round_trips(s in MIN_TIMEOUT_S..=MAX_TIMEOUT_S) {
        let ticks = secs_to_ticks(s);
        prop_assert!(ticks <= MAX_TICKS);
        prop_assert_eq!(ticks_to_secs(ticks), s);
        prop_assert_eq!(ticks_to_millis(ticks), s * 1000);
        prop_assert_eq!(regs::wdog_ticks(regs::wdog_load(ticks)), ticks);
    }

    #[test]
    fn validate_accepts_exactly_the_range(s in any::<u32>()) {
        prop_assert_eq!(validate(s).is_ok(), (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&s));
        let (clamped, _) = clamp_configured(s);
        prop_assert!(validate(clamped).is_ok());
    }

    #[test]
    fn time_left_never_rounds_up(ticks in 0..=MAX_TICKS) {
        prop_assert!(u64::from(ticks_to_secs(ticks)) * u64::from(TICKS_PER_SECOND) <= u64::from(ticks));
        prop_assert!(u64::from(ticks_to_millis(ticks)) * u64::from(TICKS_PER_SECOND) <= u64::from(ticks) * 1000);
        prop_assert!(nanos_to_ticks(ticks_to_nanos(ticks)) <= ticks);
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
    assert_eq!(timeout::ticks_to_nanos(10), 152_587);
}
