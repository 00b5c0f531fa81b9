//! rpi-wdt-systest: boots the emulated Raspberry Pis in QEMU and checks, through the serial console, that
//! the kernel, the Rust module support and the rpi_wdt driver behave; prints one line per check and ends
//! with `N passed, N failed, N skipped`.
//!
//! Usage: rpi-wdt-systest --initramfs FILE [--suite main|reliability|image|bench|systemd] [--board rpi3] [--board rpi4]
//!        [--results DIR]
//! The reliability suite is meant for the debug kernel: run it with KERNEL_VARIANT=debug and that
//! kernel's initramfs.
//!
//! Each board gets a main boot (foundation, driver and wdtctl checks, ending with `poweroff` through the
//! driver) and one ending with `reboot`. Then, on stock QEMU, a boot where starting the watchdog resets
//! the machine at once (its PM model does not count down; the timing checks are skipped, saying so);
//! on the patched model (`make qemu-build`), a run that follows the machine through two watchdog resets
//! and checks keepalive, time left, expiry timing, nowayout and boot status.

mod bench;
mod differential;
mod image;
mod model;
mod reliability;
mod rtc;
mod suites;
mod systemd;

use rpi_wdt_testkit::report;

use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    suite: String,
    boards: Vec<String>,
    initramfs: PathBuf,
    results: PathBuf,
    project_root: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let project_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = Args {
        suite: "main".into(),
        boards: Vec::new(),
        initramfs: PathBuf::new(),
        results: project_root.join("out/test-results"),
        project_root,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--board" => args.boards.push(value()?),
            "--suite" => args.suite = value()?,
            "--initramfs" => args.initramfs = PathBuf::from(value()?),
            "--results" => args.results = PathBuf::from(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.boards.is_empty() {
        args.boards.push("rpi3".into());
    }
    if args.suite != "image" && !args.initramfs.is_file() {
        return Err(format!(
            "--initramfs {} is not a file (build it with 'make rootfs')",
            args.initramfs.display()
        ));
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("rpi-wdt-systest: {why}");
            }
            eprintln!(
                "usage: rpi-wdt-systest --initramfs FILE [--suite main|reliability|image|bench|systemd] [--board rpi3|rpi4]... [--results DIR]"
            );
            return ExitCode::from(2);
        }
    };
    let qemu = match suites::Qemu::detect(&args.project_root) {
        Ok(qemu) => qemu,
        Err(why) => {
            eprintln!("rpi-wdt-systest: {why}");
            return ExitCode::FAILURE;
        }
    };
    println!("# {}", qemu.describe());
    let mut report = report::Report::default();
    for board in &args.boards {
        match args.suite.as_str() {
            "main" => suites::run_board(
                &args.project_root,
                board,
                &args.initramfs,
                &args.results,
                &qemu,
                &mut report,
            ),
            "reliability" => {
                let mut session = suites::Session::new(board, &mut report);
                reliability::run(&mut session, &args.project_root, &args.initramfs, &args.results, &qemu);
            }
            "systemd" => {
                let mut session = suites::Session::new(board, &mut report);
                systemd::run(&mut session, &args.project_root, &args.initramfs, &args.results, qemu.model);
            }
            "image" => {
                let mut session = suites::Session::new(board, &mut report);
                image::run(&mut session, &args.project_root, &args.results);
            }
            "bench" => {
                let mut session = suites::Session::new(board, &mut report);
                // rpi_wdt's /dev/watchdog0 needs a watchdog that counts to be opened: only on the model.
                bench::run(&mut session, &args.project_root, &args.initramfs, &args.results, qemu.model);
            }
            other => {
                eprintln!(
                    "rpi-wdt-systest: unknown suite {other} (main, reliability, image, bench, systemd)"
                );
                return ExitCode::from(2);
            }
        }
    }
    let junit = args.results.join("systest.xml");
    if let Err(e) = report.write_junit(&junit, "systest") {
        eprintln!("rpi-wdt-systest: could not write {}: {e}", junit.display());
    }
    println!("# console logs: {}", args.results.display());
    println!("{}", report.summary());
    if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
