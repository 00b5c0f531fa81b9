//! Finds kernel splats in console text or dmesg: oopses, BUGs, WARNs, panics, lockdep and
//! sleep-in-atomic reports, RCU stalls, refcount and UBSAN reports. Any of them fails a test run, even
//! when every check passed.

/// Markers of a kernel splat, each as the kernel prints it.
const MARKERS: &[&str] = &[
    "Oops",
    "Unable to handle kernel",
    "Internal error:",
    "kernel BUG at",
    "BUG: ",
    "WARNING: ",
    "Kernel panic",
    "Call trace:",
    "possible circular locking dependency",
    "possible recursive locking",
    "inconsistent lock state",
    "suspicious RCU usage",
    "sleeping function called from invalid context",
    "rcu: INFO:",
    "refcount_t: ",
    "UBSAN:",
    // kmemleak's report, and its failures (not its "detector disabled" at boot, which it prints
    // when the kernel was not booted with kmemleak=on).
    "suspected memory leak",
    "kmemleak: Cannot",
    "kmemleak: Memory pool empty",
    "hung_task",
    "INFO: task ",
];

/// Lines that look like splats but are not.
const BENIGN: &[&str] = &[
    // KTAP's own summary lines mention no markers; this one is printed by the test harness itself.
    "rpi-wdt-systest",
];

/// The lines of `text` that carry a splat marker, with up to `context` following lines each.
pub fn find(text: &str, context: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if MARKERS.iter().any(|m| line.contains(m)) && !BENIGN.iter().any(|b| line.contains(b)) {
            let end = (i + 1 + context).min(lines.len());
            found.push(lines[i..end].join("\n"));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_warn_and_lockdep_but_not_normal_lines() {
        let log = "[ 1.0] rpi_wdt 3f10001c.watchdog: Bcm2835 PM watchdog\n\
                   [ 2.0] WARNING: CPU: 0 PID: 1 at drivers/x.c:10 f+0x0\n\
                   [ 2.1] Modules linked in: rpi_wdt\n\
                   [ 3.0] ok 1 rpi_wdt_state_machine\n\
                   [ 4.0] WARNING: possible circular locking dependency detected\n";
        let found = find(log, 1);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("drivers/x.c") && found[0].contains("Modules linked in"));
        assert!(find("[ 1.0] all fine\nok 3 - ctl_info\n", 3).is_empty());
    }

    #[test]
    fn kmemleak_reports_are_splats_but_its_boot_notice_is_not() {
        let off = "[    0.000000] kmemleak: Kernel memory leak detector disabled\n";
        assert!(find(off, 3).is_empty(), "kmemleak off by default says so at boot");
        let leak = "[  120.5] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n";
        assert_eq!(find(leak, 0).len(), 1);
    }
}
