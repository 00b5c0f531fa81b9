//! wdtctl: inspect and control the Raspberry Pi watchdog (the rpi_wdt driver) or any Linux watchdog,
//! on the board or from a workstation over ssh. `wdtctl --help` lists the commands, examples and exit
//! codes; the README documents the JSON output.

mod cli;
mod commands;
mod device;
mod error;
mod flags;
mod gpio;
mod keepalive;
mod output;
mod remote;
mod selftest;
mod sysfs;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use error::Exit;
use output::Report;

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Info => "info",
        Command::Status => "status",
        Command::Bootstatus => "bootstatus",
        Command::Timeout { .. } => "timeout",
        Command::Start => "start",
        Command::Stop => "stop",
        Command::Ping => "ping",
        Command::Keepalive(_) => "keepalive",
        Command::Selftest => "selftest",
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(host) = &cli.host {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let interactive = matches!(cli.command, Command::Keepalive(_));
        return ExitCode::from(remote::run(host, &cli.remote_wdtctl, &args, interactive) as u8);
    }

    let env = sysfs::Env::from_env();
    let result = sysfs::resolve(cli.device.as_deref(), &env).and_then(|wdt| match &cli.command {
        Command::Keepalive(args) => keepalive::run(&wdt, args, !cli.json),
        Command::Selftest => selftest::run(&wdt),
        command => commands::run(command, &wdt),
    });

    let name = command_name(&cli.command);
    let exit = match result {
        Ok(report) => {
            if cli.json {
                println!("{}", output::json_ok(name, &report));
            } else if !matches!(report, Report::Keepalive(_)) {
                print!("{}", report.table());
            }
            match report {
                Report::Selftest(r) if !r.passed => Exit::SelftestFailed,
                _ => Exit::Ok,
            }
        }
        Err(error) => {
            if cli.json {
                println!("{}", output::json_error(name, &error));
            }
            eprintln!("wdtctl: {error}");
            error.exit
        }
    };
    ExitCode::from(exit as u8)
}
