//! rpi-wdt-hil: one scenario suite for emulated and real Raspberry Pis.
//!
//! Usage: rpi-wdt-hil --target qemu:rpi3|qemu:rpi4|ssh://[user@]host[:port]|labgrid:PLACE|labgrid:k=v,...
//!        [OPTIONS]
//!
//! Targets: `qemu:<board>` boots the emulated board (the watchdog model when `make qemu-build` built it)
//! and reaches it over SSH where QEMU can network it (raspi3b), else over its serial console;
//! `ssh://...` is a real Pi running the project's image (or any image with rpi_wdt), reached through
//! the system `ssh`; `labgrid:...` takes a Pi from a labgrid board farm (crate::lgplace), holds it for
//! the run and gives it back. The runner uploads its guest tools to /tmp/rpi-wdt-hil first when the target
//! lacks them or has older ones. Each scenario passes, fails or is skipped with the reason; the report
//! is printed as it goes, summed up in a last line `N passed, N failed, N skipped`, and written as
//! JUnit XML.
//!
//! Options: `rpi-wdt-hil --help`.

mod board;
mod fixture;
mod hwtrace;
mod json;
mod labgrid;
mod lgplace;
mod lifecycle;
mod needs;
mod netconsole;
mod qemu;
mod rtc;
mod scenarios;
mod ssh;
mod sshmux;
mod step;
mod sysfs;
mod table;
mod target;
mod tools;
mod wdtctl;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use rpi_wdt_testkit::project::{self, Qemu};
use rpi_wdt_testkit::report::{Report, Status};

use crate::board::BoardTarget;
use crate::fixture::Fixture;
use crate::qemu::{QemuTarget, Transport};
use crate::ssh::Ssh;
use crate::target::Target;

/// Runs the scenario suite on an emulated or a real Raspberry Pi.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// qemu:rpi3, qemu:rpi4, ssh://[user@]host[:port] for a real Pi, or labgrid:PLACE or
    /// labgrid:key=value,... for one from a labgrid board farm.
    #[arg(long, value_name = "TARGET")]
    target: String,
    /// The labgrid coordinator, HOST[:PORT] [default: LG_COORDINATOR's, as labgrid-client].
    #[arg(long, value_name = "ADDRESS")]
    coordinator: Option<String>,
    /// Queue for a labgrid place someone holds, instead of refusing it.
    #[arg(long)]
    wait: bool,
    /// Write this SD image to the labgrid place's card (its SD multiplexer) before the suite.
    #[arg(long, value_name = "IMAGE")]
    flash: Option<PathBuf>,
    /// An ssh_config file for board targets (ssh -F), e.g. with the key to log in with.
    #[arg(long, value_name = "FILE", env = "RPI_WDT_HIL_SSH_CONFIG")]
    ssh_config: Option<PathBuf>,
    /// How long a reset may take before the target counts as hung (then a labgrid power cycle, or the
    /// fixture's hard reset, brings it back).
    #[arg(long, value_name = "SECONDS", default_value_t = step::RESET_LIMIT.as_secs())]
    reset_limit: u64,
    /// Where the JUnit file and logs go [default: out/test-results].
    #[arg(long, value_name = "DIR", default_value_os_t = project::root().join("out/test-results"), hide_default_value = true)]
    results: PathBuf,
    /// The initramfs qemu targets boot [default: out/initramfs.cpio].
    #[arg(long, value_name = "FILE")]
    initramfs: Option<PathBuf>,
    /// How commands reach a qemu target [default: ssh on rpi3, console on rpi4].
    #[arg(long, value_enum)]
    transport: Option<Transport>,
    /// The RP2040 fixture's serial port (times the expiry independently).
    #[arg(long, value_name = "PORT")]
    fixture: Option<String>,
    /// The Pi GPIO wired to the fixture's heartbeat input.
    #[arg(long, value_name = "CHIP:LINE", default_value = "gpiochip0:17")]
    heartbeat_gpio: String,
    /// Run the power-off scenario on a real board (someone must power it back).
    #[arg(long)]
    allow_poweroff: bool,
    /// Run only these scenarios.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',', value_parser = scenario_name)]
    only: Option<Vec<String>>,
}

/// `--only`'s values: scenario names.
fn scenario_name(name: &str) -> Result<String, String> {
    let known: Vec<&str> = table::ALL.iter().map(|s| s.name).collect();
    if known.contains(&name) {
        Ok(name.to_string())
    } else {
        Err(format!("no such scenario (scenarios: {})", known.join(", ")))
    }
}

fn make_target(args: &Args) -> Result<Box<dyn Target>, String> {
    let root = project::root();
    if let Some(board) = args.target.strip_prefix("qemu:") {
        let qemu = Qemu::detect(&root)?;
        println!("# {}", qemu.describe());
        let model = qemu.model;
        let transport =
            args.transport.unwrap_or(if board == "rpi3" { Transport::Ssh } else { Transport::Console });
        let initramfs = args.initramfs.clone().unwrap_or_else(|| root.join("out/initramfs.cpio"));
        if !initramfs.is_file() {
            return Err(match &args.initramfs {
                Some(_) => format!("--initramfs {}: no such file", initramfs.display()),
                None => format!(
                    "{} missing: run 'make rootfs', or name one with --initramfs",
                    initramfs.display()
                ),
            });
        }
        println!("# initramfs: {}", initramfs.display());
        let key = project::cache_dir(&root)?.join("hil/id_ed25519");
        let target = QemuTarget::boot(&root, board, &initramfs, &args.results, transport, model, &key)?;
        Ok(Box::new(target))
    } else if args.target.starts_with("ssh://") {
        ignore_initramfs(args);
        let mut ssh = Ssh::parse(&args.target)?;
        ssh.options = ssh_options(args)?;
        let mut board =
            BoardTarget::over_ssh(args.target.clone(), ssh, args.allow_poweroff, reset_limit(args));
        board.note_boot()?;
        Ok(Box::new(board))
    } else if let Some(spec) = args.target.strip_prefix("labgrid:") {
        ignore_initramfs(args);
        let request = lgplace::Request {
            spec,
            coordinator: args.coordinator.clone(),
            wait: args.wait,
            flash: args.flash.as_deref(),
            ssh_options: ssh_options(args)?,
            allow_poweroff: args.allow_poweroff,
            reset_limit: reset_limit(args),
            results: &args.results,
        };
        Ok(Box::new(lgplace::take(&root, &request)?))
    } else {
        Err(format!(
            "--target {}: expected qemu:rpi3, qemu:rpi4, ssh://[user@]host[:port], labgrid:PLACE or labgrid:key=value,...",
            args.target
        ))
    }
}

fn ignore_initramfs(args: &Args) {
    if let Some(initramfs) = &args.initramfs {
        println!("# --initramfs {}: ignored, a board boots its own root filesystem", initramfs.display());
    }
}

fn reset_limit(args: &Args) -> Duration {
    Duration::from_secs(args.reset_limit)
}

/// The ssh options board targets take from --ssh-config.
fn ssh_options(args: &Args) -> Result<Vec<String>, String> {
    match &args.ssh_config {
        Some(file) if !file.is_file() => Err(format!("--ssh-config {}: no such file", file.display())),
        Some(file) => Ok(vec!["-F".into(), file.display().to_string()]),
        None => Ok(Vec::new()),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = std::fs::create_dir_all(&args.results);
    let mut report = Report::default();
    let started = Instant::now();
    let mut target = match make_target(&args) {
        Ok(t) => t,
        Err(why) => {
            report.record(&format!("{}/connect", args.target), Status::Fail(why), started.elapsed());
            println!("{}", report.summary());
            return ExitCode::FAILURE;
        }
    };
    let name = target.name();
    println!("# target {name} over {}", target.transport());
    report.record(&format!("{name}/connect"), Status::Pass, started.elapsed());

    let fixture = match &args.fixture {
        Some(port) => match Fixture::open(port, Duration::from_secs(5)) {
            Ok(f) => {
                println!("# fixture on {port}: connected");
                Some(f)
            }
            Err(why) => {
                report.record(&format!("{name}/fixture"), Status::Fail(why), Duration::ZERO);
                None
            }
        },
        None => {
            println!("# fixture: none (--fixture PORT adds an independent expiry timing)");
            None
        }
    };

    let t0 = Instant::now();
    match tools::deploy(target.as_mut()) {
        Ok(what) => {
            println!("# tools: {what}");
            report.record(&format!("{name}/deploy_tools"), Status::Pass, t0.elapsed());
        }
        Err(why) => report.record(&format!("{name}/deploy_tools"), Status::Fail(why), t0.elapsed()),
    }

    let mut bench =
        step::Bench { fixture, heartbeat_gpio: args.heartbeat_gpio.clone(), reset_limit: reset_limit(&args) };
    for scenario in table::ALL {
        if args.only.as_ref().is_some_and(|only| !only.iter().any(|o| o == scenario.name)) {
            continue;
        }
        println!("# {}: {}", scenario.name, scenario.what);
        let t0 = Instant::now();
        let outcome = match needs::first_unmet(scenario.needs, target.as_ref()) {
            Some(why) => Ok(step::Outcome::skip(why)),
            None => (scenario.run)(target.as_mut(), &mut bench),
        };
        let elapsed = t0.elapsed();
        match outcome {
            Ok(outcome) => {
                for figure in &outcome.figures {
                    println!("#   {figure}");
                }
                report.record(&format!("{name}/{}", scenario.name), outcome.status, elapsed);
            }
            Err(why) => report.record(&format!("{name}/{}", scenario.name), Status::Fail(why), elapsed),
        }
    }

    for (name, value) in target.properties() {
        report.property(&name, &value);
    }
    // Gives a labgrid place back, stops QEMU: before the summary, which must be the last line.
    drop(target);
    let junit = args.results.join(format!("hil-{}.xml", name.replace([':', '/', '@'], "_")));
    if let Err(e) = report.write_junit(&junit, &format!("hil {name}")) {
        eprintln!("rpi-wdt-hil: cannot write {}: {e}", junit.display());
    }
    println!("# JUnit: {}", junit.display());
    println!("{}", report.summary());
    if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
