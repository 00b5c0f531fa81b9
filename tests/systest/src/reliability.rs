//! The reliability suite, on the test kernel with its costly debug options turned on at boot
//! ([`DEBUG_ARGS`]: kmemleak, SLUB and object debugging, init-on-free, KFENCE; lockdep, UBSAN and the
//! Rust side's debug assertions and overflow checks are on in every boot): an ioctl fuzzer of 100k calls
//! on each of rpi_wdt's nodes (/dev/watchdog0 and the legacy /dev/watchdog, one watchdog behind both),
//! 8 threads mixing opens, closes, ioctls, writes and magic closes on both nodes with reads of every
//! sysfs file, an ioctl fuzzer of 100k calls on maxim_rtc's /dev/rtc0 (tests/guest/rtc_fuzz.c), the
//! stand-in DS3231's hwmon device and aging offset (crate::rtc::stand_in_check), 100
//! unbind/bind and 100 rmmod/modprobe cycles, and a kmemleak scan at the end. Any oops,
//! WARN, BUG, lockdep, UBSAN or kmemleak report fails it.
//!
//! Opening either node arms the watchdog, so the fuzzers and the stress run need a watchdog that
//! counts (the project's QEMU model); on stock QEMU they are skipped, saying why.

use std::path::Path;
use std::time::Duration;

use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;

use crate::suites::{
    boot_checked, expect_contains, kernel_log_clean, poweroff_ends_qemu, sh_within, Boot, Qemu, Session,
    TESTS_DIR,
};

const FUZZ_CALLS: u32 = 100_000;
const STRESS_SECONDS: u32 = 30;
const STRESS_THREADS: u32 = 8;
const CYCLES: u32 = 100;
const LONG: Duration = Duration::from_secs(900);

/// The debug options board/common/linux-test.fragment builds in but leaves off (they slow every
/// allocation, or every boot), turned on for this suite's boot: kmemleak, SLUB red zones, poisoning
/// and user tracking, zeroing freed memory, debug objects, and KFENCE sampling every 100 ms.
pub const DEBUG_ARGS: [&str; 5] =
    ["kmemleak=on", "slub_debug=FZPU", "init_on_free=1", "debug_objects", "kfence.sample_interval=100"];

fn sh_long(g: &mut Guest, command: &str) -> Result<String, String> {
    sh_within(g, command, LONG)
}

/// The nodes the fuzzer runs on, with their check names: rpi_wdt loads first, so it is watchdog0 and
/// owns the legacy node too. The node's index is added to the run's seed.
const FUZZ_NODES: [(&str, &str); 2] = [
    ("/dev/watchdog0", "reliability/fuzz_dev_watchdog0_100k"),
    ("/dev/watchdog", "reliability/fuzz_dev_watchdog_legacy_100k"),
];

/// maxim_rtc's node, fuzzed by the guest's rpi-rtc-fuzz (tests/guest/rtc_fuzz.c) with the run's
/// seed plus this.
const RTC_FUZZ_CHECK: &str = "reliability/rtc_fuzz_dev_rtc0_100k";
const RTC_FUZZ_SEED_OFFSET: u64 = 2;

/// The seed the README's figures come from: `--seed 0x5eed1` replays them.
pub const BASELINE_SEED: u64 = 0x5eed1;

/// A fresh seed for each run, so that CI tries new inputs every time (from /dev/urandom; the guest's
/// xorshift64* only needs it non-zero, and 48 bits keep it short to type back).
pub fn fresh_seed() -> u64 {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    let seed = match random {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(BASELINE_SEED, |d| d.as_nanos() as u64),
    };
    (seed & 0xffff_ffff_ffff).max(1)
}

/// Parses `--seed`: decimal, or hexadecimal with 0x, as the guest programs print it.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    match parsed {
        Ok(0) => Err("the seed must not be 0 (xorshift would stay at 0)".into()),
        Ok(seed) if seed.checked_add(RTC_FUZZ_SEED_OFFSET).is_some() => Ok(seed),
        Ok(_) => Err("the seed is too large: the fuzzers use it and the next two values".into()),
        Err(e) => Err(format!("{text:?} is not a number ({e}); give it as printed, e.g. 0x5eed1")),
    }
}

/// Runs one mode of the guest's rpi-wdt-reliability program, which prints its summary then "ok" (or
/// "FAIL: why" and exits 1), and checks that it left the watchdog stopped.
fn reliability_program(g: &mut Guest, args: &str) -> Result<(), String> {
    let out = sh_long(g, &format!("rpi-wdt-reliability {args}"))?;
    expect_contains(args, &out, &["ok"])?;
    for line in out.lines().filter(|l| l.starts_with("fuzz ") || l.starts_with("stress:")) {
        println!("#   {line}");
    }
    sh_long(g, "wdtctl --json status | grep -q '\"running\":false'")
        .map(drop)
        .map_err(|e| format!("the watchdog was left running: {e}"))
}

/// A fuzzer's failure, with the command that replays the run.
fn replay(why: String, run_seed: u64) -> String {
    format!("{why}\n(replay: rpi-wdt-systest --suite reliability --seed {run_seed:#x})")
}

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, qemu: &Qemu, seed: u64) {
    println!("# reliability: fuzzing seed {seed:#x} (replay with: rpi-wdt-systest --suite reliability --seed {seed:#x})");
    let devices = crate::rtc::DS3231_STAND_IN;
    // With KUnit: each of the load cycles runs the driver's suite again, with the debug options on.
    let boot = Boot::named("reliability")
        .with_kunit()
        .rebooting(qemu.model)
        .devices(devices)
        .kernel_args(&DEBUG_ARGS);
    let Some(mut g) = boot_checked(s, root, initramfs, results, boot) else {
        return;
    };
    let g = &mut g;

    s.check("reliability/kmemleak_available", g, |g| {
        sh_long(
            g,
            "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; test -e /sys/kernel/debug/kmemleak",
        )
        .map_err(|e| {
            format!("no kmemleak in debugfs: does the kernel have CONFIG_DEBUG_KMEMLEAK, and was it booted with kmemleak=on? {e}")
        })?;
        // Forget what boot left behind; the final scan reports what the tests leak.
        sh_long(g, "echo clear > /sys/kernel/debug/kmemleak").map(drop)
    });
    if qemu.model {
        for (index, (node, check)) in (0u64..).zip(FUZZ_NODES) {
            let args = format!("fuzz {node} {FUZZ_CALLS} {:#x}", seed + index);
            s.check(check, g, |g| reliability_program(g, &args).map_err(|e| replay(e, seed)));
        }
        s.check("reliability/stress_8_threads", g, |g| {
            reliability_program(g, &format!("stress {STRESS_SECONDS} {STRESS_THREADS}"))
        });
    } else {
        let why = "opening /dev/watchdog0 or /dev/watchdog arms the watchdog, which stock QEMU answers \
                   with a reset; build the model with 'make qemu-build'";
        for (_, check) in FUZZ_NODES {
            s.record(check, Status::Skip(why.into()), std::time::Instant::now());
        }
        s.record("reliability/stress_8_threads", Status::Skip(why.into()), std::time::Instant::now());
    }
    // The fuzzer reads back every time it sets, which stock QEMU's DS1338 model gets wrong for the
    // 31st of a month set from a shorter one.
    if qemu.model {
        s.check(RTC_FUZZ_CHECK, g, |g| {
            let command = format!("rpi-rtc-fuzz /dev/rtc0 {FUZZ_CALLS} {:#x}", seed + RTC_FUZZ_SEED_OFFSET);
            let out = sh_long(g, &command).map_err(|e| replay(e, seed))?;
            expect_contains("rpi-rtc-fuzz", &out, &["ok"]).map_err(|e| replay(e, seed))?;
            for line in out.lines().filter(|l| l.starts_with("fuzz ")) {
                println!("#   {line}");
            }
            Ok(())
        });
    } else {
        let why = crate::rtc::StockQemu::FieldByField.why();
        s.record(RTC_FUZZ_CHECK, Status::Skip(why), std::time::Instant::now());
    }
    const STAND_IN_CHECK: &str = "reliability/ds3231_stand_in_hwmon_and_offset";
    if qemu.model || s.board != "rpi4" {
        crate::rtc::stand_in_check(s, g, STAND_IN_CHECK);
    } else {
        let why = crate::rtc::StockQemu::Raspi4bI2cIrq.why();
        s.record(STAND_IN_CHECK, Status::Skip(why), std::time::Instant::now());
    }
    s.check("reliability/unbind_bind_100_cycles", g, |g| {
        let out = sh_long(g, &format!("sh {TESTS_DIR}/unbind-bind-cycles.sh {CYCLES}"))?;
        println!("#   {}", out.trim());
        Ok(())
    });
    s.check("reliability/rmmod_modprobe_100_cycles", g, |g| {
        let out = sh_long(g, &format!("sh {TESTS_DIR}/rmmod-modprobe-cycles.sh {CYCLES}"))?;
        println!("#   {}", out.trim());
        Ok(())
    });
    s.check("reliability/kmemleak_scan_clean", g, |g| {
        // Two scans: kmemleak reports an object only once it stayed unreferenced across a scan. Without
        // kmemleak, say so in words the kernel-report scan does not take for kmemleak's own (and
        // without `exit`: the command runs in the console's shell).
        sh_long(
            g,
            "if [ -e /sys/kernel/debug/kmemleak ]; then echo scan > /sys/kernel/debug/kmemleak; sleep 5; \
             echo scan > /sys/kernel/debug/kmemleak; else echo 'no kmemleak file in debugfs'; false; fi",
        )?;
        let leaks = sh_long(g, "cat /sys/kernel/debug/kmemleak")?;
        if leaks.contains("unreferenced object") {
            return Err(format!("kmemleak found leaks:\n{leaks}"));
        }
        Ok(())
    });
    s.check("reliability/no_oops_warn_bug_lockdep_ubsan_kmemleak", g, kernel_log_clean);
    s.check("reliability/poweroff", g, |g| poweroff_ends_qemu(g, Duration::from_secs(120)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_as_printed() {
        assert_eq!(parse_seed("0x5eed1"), Ok(BASELINE_SEED));
        assert_eq!(parse_seed("388817"), Ok(BASELINE_SEED));
        assert!(parse_seed("0").unwrap_err().contains("must not be 0"));
        assert!(parse_seed("0xzz").unwrap_err().contains("not a number"));
        assert!(parse_seed(&u64::MAX.to_string()).unwrap_err().contains("too large"));
    }

    #[test]
    fn fresh_seeds_differ_and_replay() {
        let (a, b) = (fresh_seed(), fresh_seed());
        assert_ne!(a, b, "two runs took the same seed");
        for seed in [a, b] {
            assert!(seed != 0 && seed <= 0xffff_ffff_ffff);
            assert_eq!(parse_seed(&format!("{seed:#x}")), Ok(seed), "the printed seed replays");
        }
    }
}
