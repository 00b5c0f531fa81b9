//! rpi-wdt-systest: boots the emulated Raspberry Pis in QEMU and checks, through the serial console, that
//! the kernel, the Rust module support and the rpi_wdt driver behave; prints one line per check and ends
//! with `N passed, N failed, N skipped`.
//!
//! Usage: rpi-wdt-systest --initramfs FILE [--board rpi3] [--board rpi4] [--results DIR]
//!
//! Each board gets three boots, since three checks end the machine: the main boot (foundation and
//! driver checks, ending with `poweroff` through the driver), one ending with `reboot`, and one where
//! starting the watchdog resets the machine at once, which is what stock QEMU's PM model does.

mod console;
mod ktap;
mod report;
mod splat;
mod suites;

use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    boards: Vec<String>,
    initramfs: PathBuf,
    results: PathBuf,
    project_root: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let project_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = Args {
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
            "--initramfs" => args.initramfs = PathBuf::from(value()?),
            "--results" => args.results = PathBuf::from(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.boards.is_empty() {
        args.boards.push("rpi3".into());
    }
    if !args.initramfs.is_file() {
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
            eprintln!("usage: rpi-wdt-systest --initramfs FILE [--board rpi3|rpi4]... [--results DIR]");
            return ExitCode::from(2);
        }
    };
    let mut report = report::Report::default();
    for board in &args.boards {
        suites::run_board(&args.project_root, board, &args.initramfs, &args.results, &mut report);
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
