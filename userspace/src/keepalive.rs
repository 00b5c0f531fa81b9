//! `wdtctl keepalive`: what a watchdog daemon does. Opens the standard node (which arms the watchdog),
//! pings it every interval until SIGINT, SIGTERM or SIGHUP (a closed ssh session), then stops it by
//! magic close, or with `--leave-running` closes without it, so the board resets after the timeout
//! unless someone else takes over. Whether it really stopped (nowayout) is read back from sysfs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::KeepaliveArgs;
use rustix::io::Errno;

use crate::commands::timeout_refused;
use crate::device::{OnDrop, StandardWatchdog};
use crate::error::{Error, Exit, Operation};
use crate::gpio::Heartbeat;
use crate::output::{Interface, KeepaliveReport, Report, Target};
use crate::sysfs::Watchdog;

/// The interval: as asked, else half the timeout, at least one second.
pub fn interval_for(asked: Option<u32>, timeout_s: u32) -> u32 {
    asked.unwrap_or(timeout_s / 2).max(1)
}

pub fn run(watchdog: &Watchdog, args: &KeepaliveArgs, progress: bool) -> Result<Report, Error> {
    let path = watchdog.node.as_str();
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| Error::other(path, Operation::Signals, e.to_string(), Exit::Other))?;
    }

    let heartbeat = args.heartbeat_gpio.as_deref().map(Heartbeat::request).transpose()?;
    // For a range error's message, to leave the watchdog as found if an error ends keepalive early, and
    // to tell afterwards whether magic close stopped it. A kernel without the watchdog core's sysfs
    // files can still be kept alive.
    let before = watchdog.read().ok();
    let wdt = StandardWatchdog::open(path, OnDrop::restoring(before.as_ref().is_some_and(|b| b.active)))?;
    if let Some(seconds) = args.timeout {
        match (wdt.set_timeout(seconds), &before) {
            (Err(e), Some(before)) if e.errno == Some(Errno::INVAL) => {
                return Err(timeout_refused(watchdog, seconds, before, e));
            }
            (result, _) => result.map(drop)?,
        }
    }
    let timeout_s = wdt.timeout()?;
    let interval_s = interval_for(args.interval, timeout_s);
    if interval_s >= timeout_s {
        return Err(Error::other(
            path,
            Operation::Ping,
            format!("an interval of {interval_s} s does not ping within the {timeout_s} s timeout"),
            Exit::InvalidArgument,
        ));
    }
    if progress {
        println!("keeping {path} alive: ping every {interval_s} s, timeout {timeout_s} s; Ctrl-C to stop");
    }

    let mut pings = 0u64;
    let interval = Duration::from_secs(u64::from(interval_s));
    while !stop.load(Ordering::Relaxed) && args.count.is_none_or(|count| pings < count) {
        if let Some(line) = &heartbeat {
            line.pulse()?;
        }
        wdt.keepalive()?;
        pings += 1;
        if progress {
            match wdt.time_left()? {
                Some(left) => println!("ping {pings}: {left} s left"),
                None => println!("ping {pings}"),
            }
        }
        if args.count == Some(pings) {
            break;
        }
        let next = Instant::now() + interval;
        while !stop.load(Ordering::Relaxed) && Instant::now() < next {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    let stopped = if !args.leave_running {
        wdt.magic_close()?;
        match watchdog.read_active() {
            Ok(true) => {
                let nowayout =
                    if before.as_ref().is_some_and(|b| b.nowayout) { " (nowayout is set)" } else { "" };
                eprintln!(
                    "wdtctl: {path}: the watchdog keeps running after magic close{nowayout}: the board \
                     resets in {timeout_s} s unless something pings it"
                );
                false
            }
            _ => {
                if progress {
                    println!("stopped the watchdog (magic close)");
                }
                true
            }
        }
    } else {
        wdt.close_leaving_running();
        if progress {
            println!(
                "left the watchdog running: the board resets in {timeout_s} s unless something pings it"
            );
        }
        false
    };
    Ok(Report::Keepalive(KeepaliveReport {
        target: Target::new(watchdog, Interface::Standard),
        pings,
        interval_s,
        timeout_s,
        stopped,
    }))
}

#[cfg(test)]
mod tests {
    use super::interval_for;

    #[test]
    fn interval_defaults_to_half_the_timeout() {
        assert_eq!(interval_for(None, 15), 7);
        assert_eq!(interval_for(None, 1), 1);
        assert_eq!(interval_for(Some(3), 15), 3);
        assert_eq!(interval_for(Some(0), 15), 1);
    }
}
