// The command line of wdtctl. Shared with build.rs (through include!), which generates the shell
// completions and the man page from it, so it uses nothing but clap.

use clap::{Args, Parser, Subcommand};

/// The control node of the rpi_wdt driver.
pub const DEFAULT_CTL_DEVICE: &str = "/dev/rpi-wdt-ctl";
/// The standard watchdog node of the rpi_wdt driver.
pub const DEFAULT_WDT_DEVICE: &str = "/dev/rpi-wdt";

const EXAMPLES: &str = "\
Examples:
  wdtctl info                          what the watchdog supports
  wdtctl status --json                 running? time left? (machine-readable)
  wdtctl timeout 10                    set a 10 s timeout
  wdtctl keepalive --interval 2        hold the watchdog, stop it on Ctrl-C
  wdtctl --device /dev/watchdog0 info  any Linux watchdog, through the standard ABI
  wdtctl --host pi@raspberrypi status  the same command on a board, over ssh

Devices: without --device, commands use the rpi_wdt control node (/dev/rpi-wdt-ctl), which never arms
the watchdog by being opened. With --device, they use the standard Linux watchdog ABI on that node;
opening such a node arms its watchdog, so wdtctl closes it with the magic character to stop it again
(a watchdog under nowayout keeps running). keepalive always uses the standard ABI (/dev/rpi-wdt).

Exit codes: 0 ok, 1 other error, 2 usage, 3 device missing, 4 permission denied, 5 busy,
6 invalid argument, 7 not supported, 8 selftest failed, 9 remote (ssh) failure.";

/// Inspect and control the Raspberry Pi watchdog (rpi_wdt) or any Linux watchdog.
#[derive(Debug, Parser)]
#[command(name = "wdtctl", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Watchdog node to use through the standard Linux watchdog ABI (e.g. /dev/watchdog0, /dev/rpi-wdt).
    #[arg(long, global = true, value_name = "PATH")]
    pub device: Option<String>,

    /// Print JSON instead of a table (schema: README, "wdtctl JSON output").
    #[arg(long, global = true)]
    pub json: bool,

    /// Run the command on a board through the system ssh (uses ~/.ssh/config, keys and agent).
    #[arg(long, global = true, value_name = "[USER@]HOST")]
    pub host: Option<String>,

    /// wdtctl on the remote host, with --host.
    #[arg(long, global = true, value_name = "PATH", default_value = "wdtctl", hide_default_value = true)]
    pub remote_wdtctl: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Identity, supported options and timeout range.
    Info,
    /// Running or stopped, timeout, time left, time since the last ping, ping count.
    Status,
    /// Why the board last reset.
    Bootstatus,
    /// Show the timeout, or set it (whole seconds; 1 to 15 on a Raspberry Pi).
    Timeout {
        /// New timeout in seconds.
        seconds: Option<u32>,
    },
    /// Start the watchdog with its timeout (the board resets unless something pings it).
    Start,
    /// Stop the watchdog (refused under nowayout).
    Stop,
    /// Restart the countdown of a running watchdog.
    Ping,
    /// Hold the watchdog open and ping it until SIGINT or SIGTERM, then stop it by magic close.
    Keepalive(KeepaliveArgs),
    /// Run a non-destructive check of the device and print pass or fail per step.
    Selftest,
}

#[derive(Debug, Args)]
pub struct KeepaliveArgs {
    /// Seconds between pings (default: half the timeout).
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<u32>,
    /// Set this timeout before the first ping.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u32>,
    /// On exit, leave the watchdog running (close without magic close): the board resets after the
    /// timeout unless something else pings it.
    #[arg(long)]
    pub leave_running: bool,
    /// Stop after this many pings instead of waiting for a signal.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Drive a heartbeat for the HIL fixture on this GPIO (e.g. gpiochip0:17): high while keeping the
    /// watchdog alive, a 5 ms low pulse on every ping. With --leave-running, wdtctl keeps holding the
    /// line after closing the watchdog until the board resets or a signal arrives, so the fixture can
    /// time the expiry from the last pulse.
    #[arg(long, value_name = "CHIP:LINE")]
    pub heartbeat_gpio: Option<String>,
}
