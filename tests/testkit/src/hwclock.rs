//! busybox `hwclock`'s output, as the QEMU system tests and the HIL runner read it.

use maxim_rtc_core::date::DateTime;

/// Parses busybox `hwclock -r`'s output, a `ctime()` line such as `Tue Dec  1 21:30:00 2026  0.000000
/// seconds`, as UTC seconds.
pub fn parse(out: &str) -> Option<i64> {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let line = out.lines().find(|l| l.contains("seconds"))?;
    let f: Vec<&str> = line.split_whitespace().collect();
    let name = *f.get(1)?;
    let month = MONTHS.iter().position(|m| *m == name)? as u8 + 1;
    let day: u8 = f.get(2)?.parse().ok()?;
    let hms: Vec<u8> = f.get(3)?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let year: u32 = f.get(4)?.parse().ok()?;
    let t = DateTime::new(year, month, day, *hms.first()?, *hms.get(1)?, *hms.get(2)?)?;
    Some(t.to_seconds())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn hwclock_output_parses() {
        assert_eq!(parse("Tue Dec  1 21:30:00 2026  0.000000 seconds\n"), Some(1_796_160_600));
        assert_eq!(parse("Sat Jan  1 00:00:00 2000  0.000000 seconds"), Some(946_684_800));
        assert_eq!(parse("hwclock: RTC_RD_TIME: Invalid argument"), None);
    }
}
