//! The reliability suite, on the debug kernel (KERNEL_VARIANT=debug: lockdep, kmemleak, UBSAN, KFENCE,
//! SLUB and object debugging, Rust debug assertions and overflow checks): an ioctl fuzzer of 100k calls
//! on each node, 8 threads mixing opens, closes, ioctls and writes, 100 unbind/bind and 100
//! rmmod/modprobe cycles, and a kmemleak scan at the end. Any oops, WARN, BUG, lockdep, UBSAN or
//! kmemleak report fails it.

use std::path::Path;
use std::time::Duration;

use rpi_wdt_testkit::console::Guest;
use rpi_wdt_testkit::report::Status;

use crate::suites::{boot_checked_with, expect_contains, no_splat, Qemu, Session, TESTS_DIR};

const FUZZ_CALLS: u32 = 100_000;
const STRESS_SECONDS: u32 = 30;
const STRESS_THREADS: u32 = 8;
const CYCLES: u32 = 100;
const LONG: Duration = Duration::from_secs(900);

fn sh_long(g: &mut Guest, command: &str) -> Result<String, String> {
    let out = g.run(command, LONG).map_err(|e| format!("`{command}`: {e}"))?;
    if out.status != 0 {
        return Err(format!("`{command}` exited {}:\n{}", out.status, out.text.trim_end()));
    }
    Ok(out.text)
}

pub fn run(s: &mut Session<'_>, root: &Path, initramfs: &Path, results: &Path, qemu: &Qemu) {
    let Some(mut g) = boot_checked_with(s, root, initramfs, results, "reliability", qemu.model) else {
        return;
    };
    let g = &mut g;

    s.check("reliability/kmemleak_available", g, |g| {
        sh_long(
            g,
            "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; test -e /sys/kernel/debug/kmemleak",
        )
        .map_err(|e| {
            format!("no kmemleak in debugfs: is this the debug kernel (KERNEL_VARIANT=debug)? {e}")
        })?;
        // Forget what boot left behind; the final scan reports what the tests leak.
        sh_long(g, "echo clear > /sys/kernel/debug/kmemleak").map(drop)
    });
    s.check("reliability/fuzz_control_node_100k", g, |g| {
        let out = sh_long(g, &format!("rpi-wdt-reliability fuzz ctl {FUZZ_CALLS} 0x5eed1"))?;
        expect_contains("fuzz ctl", &out, &["ok"])?;
        println!("#   {}", out.lines().next().unwrap_or(""));
        sh_long(g, "wdtctl --json status | grep -q '\"running\":false'").map(drop)
    });
    if qemu.model {
        s.check("reliability/fuzz_standard_node_100k", g, |g| {
            let out = sh_long(g, &format!("rpi-wdt-reliability fuzz std {FUZZ_CALLS} 0x5eed2"))?;
            expect_contains("fuzz std", &out, &["ok"])?;
            println!("#   {}", out.lines().next().unwrap_or(""));
            sh_long(g, "wdtctl --json status | grep -q '\"running\":false'").map(drop)
        });
        s.check("reliability/stress_8_threads", g, |g| {
            let out = sh_long(g, &format!("rpi-wdt-reliability stress {STRESS_SECONDS} {STRESS_THREADS}"))?;
            expect_contains("stress", &out, &["ok"])?;
            println!("#   {}", out.lines().next().unwrap_or(""));
            sh_long(g, "wdtctl --json status | grep -q '\"running\":false'").map(drop)
        });
    } else {
        let why =
            "the standard node arms the watchdog, which stock QEMU answers with a reset; build the model";
        s.record("reliability/fuzz_standard_node_100k", Status::Skip(why.into()), std::time::Instant::now());
        s.record("reliability/stress_8_threads", Status::Skip(why.into()), std::time::Instant::now());
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
        // Two scans: kmemleak reports an object only once it stayed unreferenced across a scan.
        sh_long(
            g,
            "echo scan > /sys/kernel/debug/kmemleak; sleep 5; echo scan > /sys/kernel/debug/kmemleak",
        )?;
        let leaks = sh_long(g, "cat /sys/kernel/debug/kmemleak")?;
        if leaks.contains("unreferenced object") {
            return Err(format!("kmemleak found leaks:\n{leaks}"));
        }
        Ok(())
    });
    s.check("reliability/no_oops_warn_bug_lockdep_ubsan_kmemleak", g, |g| {
        let dmesg = sh_long(g, "dmesg")?;
        no_splat(&dmesg)?;
        no_splat(&g.transcript())
    });
    s.check("reliability/poweroff", g, |g| {
        g.send_line("poweroff").map_err(|e| e.to_string())?;
        g.wait_exit(Duration::from_secs(120)).map_err(|e| format!("QEMU did not exit: {e}"))?;
        Ok(())
    });
}
