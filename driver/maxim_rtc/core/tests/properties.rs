//! Properties over every input: BCD and the time registers round-trip, decoding never panics on
//! any register contents, and the calendar agrees with a day count.

use maxim_rtc_core::{bcd, chip::Chip, date::DateTime, time};
use proptest::prelude::*;

fn date_in(chip: Chip) -> impl Strategy<Value = DateTime> {
    (Chip::FIRST_YEAR..=chip.last_year(), 1u8..=12, 1u8..=31, 0u8..24, 0u8..60, 0u8..60)
        .prop_filter_map("a day its month has", |(y, mo, d, h, mi, s)| DateTime::new(y, mo, d, h, mi, s))
}

proptest! {
    #[test]
    fn bcd_round_trips(n in 0u8..=99) {
        prop_assert_eq!(bcd::decode(bcd::encode(n), 99), Some(n));
    }

    #[test]
    fn bcd_rejects_non_decimal_digits(v in any::<u8>()) {
        let valid = v >> 4 <= 9 && v & 0x0f <= 9;
        prop_assert_eq!(bcd::decode(v, 99).is_some(), valid);
    }

    #[test]
    fn every_time_in_range_round_trips(
        (chip, t) in prop::sample::select(Chip::ALL.to_vec()).prop_flat_map(|chip| (Just(chip), date_in(chip)))
    ) {
        let r = time::encode(chip, &t).expect("in range");
        prop_assert_eq!(time::decode(chip, &r), Ok(t));
    }

    #[test]
    fn decoding_any_registers_never_panics(chip in prop::sample::select(Chip::ALL.to_vec()), r in any::<[u8; 7]>()) {
        if let Ok(t) = time::decode(chip, &r) {
            prop_assert!(t.year >= Chip::FIRST_YEAR && t.year <= chip.last_year());
            prop_assert!(DateTime::new(t.year, t.month, t.day, t.hour, t.minute, t.second).is_some());
        }
    }

    #[test]
    fn consecutive_days_are_86400_seconds_and_one_weekday_apart(days in 0i64..(200 * 366)) {
        let first = DateTime::new(2000, 1, 1, 0, 0, 0).unwrap();
        // Walk forward by whole days from a known Saturday.
        let mut t = first;
        for _ in 0..(days % 400) {
            t = next_day(t);
        }
        let n = t.to_seconds() - first.to_seconds();
        prop_assert_eq!(n % 86400, 0);
        prop_assert_eq!(i64::from(t.weekday()), (6 + n / 86400) % 7);
    }
}

fn next_day(t: DateTime) -> DateTime {
    let last = maxim_rtc_core::date::days_in_month(t.year, t.month);
    if t.day < last {
        DateTime { day: t.day + 1, ..t }
    } else if t.month < 12 {
        DateTime { month: t.month + 1, day: 1, ..t }
    } else {
        DateTime { year: t.year + 1, month: 1, day: 1, ..t }
    }
}

#[test]
fn known_dates() {
    // 1970-01-01 was a Thursday, 2000-01-01 a Saturday, 2026-12-01 a Tuesday.
    assert_eq!(DateTime::new(1970, 1, 1, 0, 0, 0).unwrap().weekday(), 4);
    assert_eq!(DateTime::new(2000, 1, 1, 0, 0, 0).unwrap().weekday(), 6);
    assert_eq!(DateTime::new(2026, 12, 1, 0, 0, 0).unwrap().weekday(), 2);
    assert_eq!(DateTime::new(2000, 1, 1, 0, 0, 0).unwrap().to_seconds(), 946_684_800);
    assert_eq!(DateTime::new(2099, 12, 31, 23, 59, 59).unwrap().to_seconds(), 4_102_444_799);
    assert!(DateTime::new(2100, 2, 29, 0, 0, 0).is_none(), "2100 is no leap year");
    assert!(DateTime::new(2000, 2, 29, 0, 0, 0).is_some(), "2000 is one");
}

#[test]
fn compatibles_name_their_chips() {
    for (chip, compatible) in Chip::ALL.iter().zip(Chip::COMPATIBLES) {
        assert_eq!(Chip::from_compatible(compatible), Some(*chip));
        assert!(compatible.ends_with(chip.name()));
    }
    assert_eq!(Chip::from_compatible("dallas,ds1337"), None);
}
