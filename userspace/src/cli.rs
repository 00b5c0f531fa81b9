// The command line of wdtctl. Shared with build.rs (through include!), which generates the shell
// completions and the man page from it, so it uses nothing but clap.

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  wdtctl status                        state, timeout, time left, flags, why the board last reset
  wdtctl info --json                   identity, options, timeout range (machine-readable)
  wdtctl timeout 60                    set a 60 s timeout (the kernel extends the Pi's 16 s)
  wdtctl start                         arm it: the board resets unless something pings it
  wdtctl keepalive --interval 2        hold the watchdog, stop it on Ctrl-C
  wdtctl --device watchdog0 selftest   another watchdog (softdog, for example)
  wdtctl --host pi@raspberrypi status  the same command on a board, over ssh

Devices: without --device, wdtctl uses the Raspberry Pi's watchdog: the first
/sys/class/watchdog/watchdogN with rpi_wdt's rsts file, and its node /dev/watchdogN. --device takes
/dev/watchdogN, watchdogN, or /dev/watchdog (the legacy node, which is watchdog0).

status, info, bootstatus and timeout without a value read sysfs only: they never open the node, so
they never arm a watchdog, and need no root. timeout SECONDS, start, stop, ping, keepalive and selftest
use the standard Linux watchdog ABI on the node, where opening arms the watchdog: wdtctl then leaves it
as asked (start: running; stop: stopped) or as it found it (timeout, selftest). A watchdog under
nowayout cannot be stopped once started; wdtctl never starts one as a side effect.

Exit codes: 0 ok, 1 other error, 2 usage, 3 device missing, 4 permission denied, 5 busy (held by
another process, or nowayout), 6 invalid argument, 7 not supported (also: a sysfs file this kernel
lacks), 8 selftest failed, 9 remote (ssh) failure.

Test hooks: WDTCTL_SYSFS_CLASS replaces /sys/class/watchdog, WDTCTL_DEV_DIR replaces /dev.";

/// Inspect and control the Raspberry Pi watchdog (rpi_wdt) or any Linux watchdog.
#[derive(Debug, Parser)]
#[command(name = "wdtctl", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Watchdog to use: /dev/watchdogN, watchdogN or /dev/watchdog (= watchdog0). Default: the
    /// rpi_wdt one.
    #[arg(long, global = true, value_name = "DEVICE")]
    pub device: Option<String>,

    /// Print JSON instead of a table (schema 2: README, "wdtctl JSON output").
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
    /// Identity, firmware version, options with their meaning, timeout and its range (from sysfs).
    Info,
    /// Running or stopped, timeout, time left, status and boot-status flags, nowayout, and on a Pi
    /// the reset cause, RSTS and boot partition (from sysfs; never arms the watchdog).
    Status,
    /// Why the board last reset: boot-status flags, and on a Pi the reset cause, RSTS and boot
    /// partition (from sysfs).
    Bootstatus,
    /// Show the timeout (from sysfs), or set it and leave the watchdog running or stopped as it was.
    Timeout {
        /// New timeout in whole seconds (1 to 4294967 on a Pi; the kernel handles more than the
        /// hardware's 16 s).
        seconds: Option<u32>,
    },
    /// Start the watchdog with its timeout (the board resets unless something pings it).
    Start,
    /// Stop the watchdog by magic close (refused under nowayout).
    Stop,
    /// Restart the countdown of a running watchdog (a stopped one is not started).
    Ping,
    /// Hold the watchdog open and ping it until SIGINT, SIGTERM or SIGHUP, then stop it by magic close.
    Keepalive(KeepaliveArgs),
    /// Check the watchdog through sysfs and the standard ABI, pass or fail per step, and leave it as
    /// found.
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
