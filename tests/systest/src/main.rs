//! rpi-wdt-systest: boots the emulated Raspberry Pis in QEMU and checks, through the serial console, that
//! the kernel, the Rust module support and the rpi_wdt driver behave; prints one line per check and ends
//! with `N passed, N failed, N skipped`.
//!
//! Usage: `rpi-wdt-systest --help`.
//!
//! The reliability suite boots the same kernel with its costly debug options turned on
//! (reliability::DEBUG_ARGS).
//!
//! Each board gets a main boot (foundation, driver and wdtctl checks, ending with `poweroff` through the
//! driver) and one ending with `reboot`. Then, on stock QEMU, a boot where starting the watchdog resets
//! the machine at once (its PM model does not count down); on the patched model (`make qemu-build`),
//! raspi3b's differential against the C driver. What a shell can check on any target (keepalive, time
//! left, expiry timing, nowayout, boot status, the kernel's care of a running watchdog) is the HIL
//! suite's (tests/hil), which make test runs on both boards.

mod bench;
mod differential;
mod image;
mod reliability;
mod rtc;
mod suites;
mod systemd;

use rpi_wdt_testkit::report;

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use std::process::ExitCode;

/// Boots the emulated Raspberry Pis in QEMU and checks the kernel, the drivers and their tools
/// through the serial console.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Which suite to run.
    #[arg(long, value_enum, default_value_t = Suite::Main)]
    suite: Suite,
    /// The board to boot, once per board given.
    #[arg(long = "board", value_name = "BOARD", value_parser = ["rpi3", "rpi4"], default_values_t = ["rpi3".to_string()])]
    boards: Vec<String>,
    /// The initramfs to boot (every suite but image): build it with 'make rootfs'.
    #[arg(long, value_name = "FILE")]
    initramfs: Option<PathBuf>,
    /// Where console logs and the JUnit file (systest-SUITE.xml) go.
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    /// The reliability suite's fuzzing seed, to replay a run (it prints the one it took; default:
    /// a fresh one from /dev/urandom).
    #[arg(long, value_name = "SEED", value_parser = reliability::parse_seed)]
    seed: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Suite {
    /// Foundation, driver and wdtctl checks, a reboot, and the watchdog timing on the model.
    Main,
    /// Fuzzing, stress, bind and load cycles and kmemleak, with the kernel's debug options on.
    Reliability,
    /// The SD-card images in QEMU.
    Image,
    /// The figures `make bench` prints.
    Bench,
    /// Debian's systemd as PID 1, driving the watchdog.
    Systemd,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let project_root = rpi_wdt_testkit::project::root();
    let results = args.results.clone().unwrap_or_else(|| project_root.join("out/test-results"));
    let initramfs = args.initramfs.clone().unwrap_or_default();
    if args.suite != Suite::Image && !initramfs.is_file() {
        match &args.initramfs {
            None => eprintln!("rpi-wdt-systest: this suite boots an initramfs: give --initramfs out/initramfs.cpio (built by 'make rootfs')"),
            Some(path) => eprintln!("rpi-wdt-systest: --initramfs {} is not a file (build it with 'make rootfs')", path.display()),
        }
        return ExitCode::from(2);
    }
    let seed = args.seed.unwrap_or_else(reliability::fresh_seed);
    let qemu = match rpi_wdt_testkit::project::Qemu::detect(&project_root) {
        Ok(qemu) => qemu,
        Err(why) => {
            eprintln!("rpi-wdt-systest: {why}");
            return ExitCode::FAILURE;
        }
    };
    println!("# {}", qemu.describe());
    let mut report = report::Report::default();
    for board in &args.boards {
        let mut session = suites::Session::new(board, &mut report);
        match args.suite {
            Suite::Main => suites::run_board(&mut session, &project_root, &initramfs, &results, &qemu),
            Suite::Reliability => {
                reliability::run(&mut session, &project_root, &initramfs, &results, &qemu, seed)
            }
            Suite::Systemd => systemd::run(&mut session, &project_root, &initramfs, &results, qemu.model),
            Suite::Image => image::run(&mut session, &project_root, &results),
            // rpi_wdt's /dev/watchdog0 needs a watchdog that counts to be opened: only on the model.
            Suite::Bench => bench::run(&mut session, &project_root, &initramfs, &results, qemu.model),
        }
    }
    // One file per suite: make test runs several suites, some at once.
    let suite = args.suite.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string());
    let junit = results.join(format!("systest-{suite}.xml"));
    if let Err(e) = report.write_junit(&junit, "systest") {
        eprintln!("rpi-wdt-systest: could not write {}: {e}", junit.display());
    }
    println!("# console logs: {}", results.display());
    println!("{}", report.summary());
    if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
