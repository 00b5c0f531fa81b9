//! The watchdog hardware as QEMU's model of it reports: its trace events (`-trace
//! bcm2835_powermgt_wdog_*`, written with host timestamps by `-msg timestamp=on` to the `-D` file), and
//! what an expiry looks like in them. The events are the hardware's own view: every load of the
//! countdown (a ping from userspace, or the kernel's own reload for timeouts above 16 s), every stop,
//! and the expiry, each stamped with the host's wall clock.

use std::time::{Duration, SystemTime};

use rpi_wdt_testkit::console::trace_time;

use crate::sysfs::{partition, TICKS_PER_SECOND};

pub use rpi_wdt_testkit::markers::trace::{ARMED, EVENTS, EXPIRED, STOPPED};

/// Loads closer together than this are one ping: the driver writes WDOG (a reload while counting)
/// and then RSTC (arm), and the model traces both.
const SAME_LOAD: Duration = Duration::from_millis(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The countdown was (re)loaded with this many ticks and runs.
    Armed { ticks: u32 },
    /// The countdown was stopped with this many ticks left.
    Stopped { ticks_left: u32 },
    /// The countdown reached zero: the chip resets (or powers off with partition 63 in RSTS).
    Expired { rsts: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub at: SystemTime,
    pub kind: Kind,
}

/// The number after `word` in `line` (`"armed: 327680 ticks"`, `"rsts 0x00000020"`).
fn number_after(line: &str, word: &str) -> Option<u32> {
    let rest = line[line.find(word)? + word.len()..].trim_start();
    let token: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    match token.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => token.parse().ok(),
    }
}

/// One trace line: `PID@SECONDS.MICROS:EVENT message`.
pub fn parse_line(line: &str) -> Option<Event> {
    let kind = if line.contains(ARMED) {
        Kind::Armed { ticks: number_after(line, "armed:")? }
    } else if line.contains(STOPPED) {
        Kind::Stopped { ticks_left: number_after(line, "stopped:")? }
    } else if line.contains(EXPIRED) {
        Kind::Expired { rsts: number_after(line, "rsts")? }
    } else {
        return None;
    };
    let event = EVENTS.iter().find(|e| line.contains(*e))?;
    Some(Event { at: trace_time(line, event)?, kind })
}

pub fn parse(text: &str) -> Vec<Event> {
    text.lines().filter_map(parse_line).collect()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub fn ticks_text(ticks: u32) -> String {
    format!("{ticks} ticks ({:.3} s)", f64::from(ticks) / f64::from(TICKS_PER_SECOND))
}

/// An expiry as the hardware saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Expiry {
    /// The last load before the command that armed the watchdog returned: its last ping.
    pub last_ping: SystemTime,
    pub ping_ticks: u32,
    /// Loads after the last ping (the kernel's own reloads): when, after the ping, and with how many
    /// ticks.
    pub reloads: Vec<(Duration, u32)>,
    /// From the last ping to the expiry.
    pub after_ping: Duration,
    /// From the last load (ping or reload) to the expiry: what the hardware counted by itself.
    pub after_last_load: Duration,
    /// RSTS as the model left it.
    pub rsts: u32,
}

impl Expiry {
    /// The figures, for the report.
    pub fn figures(&self) -> Vec<String> {
        let mut figures = vec![format!(
            "QEMU trace: the last ping loaded {}; expired {:.3} s after it (rsts {:#010x})",
            ticks_text(self.ping_ticks),
            secs(self.after_ping),
            self.rsts
        )];
        if let Some((at, ticks)) = self.reloads.last() {
            figures.push(format!(
                "QEMU trace: the kernel reloaded the hardware {} time(s) after the last ping, the last {:.3} s \
                 after it with {}; the hardware then counted {:.3} s by itself",
                self.reloads.len(),
                secs(*at),
                ticks_text(*ticks),
                secs(self.after_last_load)
            ));
        } else {
            figures.push("QEMU trace: nothing reloaded the hardware after the last ping".into());
        }
        figures
    }
}

/// Groups loads that belong to one ping.
fn loads(events: &[Event]) -> Vec<(SystemTime, u32)> {
    let mut loads: Vec<(SystemTime, u32)> = Vec::new();
    for e in events {
        if let Kind::Armed { ticks } = e.kind {
            match loads.last_mut() {
                Some((at, t)) if e.at.duration_since(*at).unwrap_or_default() < SAME_LOAD => *t = ticks,
                _ => loads.push((e.at, ticks)),
            }
        }
    }
    loads
}

/// Finds the expiry that followed the command returning at `returned` (host time): the last load
/// before it is the last ping, later loads are the kernel's reloads, and the first expiry after it
/// ends the countdown. A stop in between is an error: nothing should have stopped it.
pub fn expiry(events: &[Event], returned: SystemTime) -> Result<Expiry, String> {
    let fired = events
        .iter()
        .find_map(|e| match e.kind {
            Kind::Expired { rsts } if e.at >= returned => Some((e.at, rsts)),
            _ => None,
        })
        .ok_or("no expiry traced after the command returned")?;
    let before_expiry: Vec<Event> = events.iter().copied().filter(|e| e.at <= fired.0).collect();
    let all_loads = loads(&before_expiry);
    let (last_ping, ping_ticks) = all_loads
        .iter()
        .rev()
        .find(|(at, _)| *at <= returned)
        .copied()
        .ok_or("no load of the countdown traced before the command returned (was the watchdog armed?)")?;
    if let Some(stop) =
        before_expiry.iter().find(|e| e.at > last_ping && matches!(e.kind, Kind::Stopped { .. }))
    {
        return Err(format!(
            "the countdown was stopped {:.3} s after the last ping and armed again",
            secs(stop.at.duration_since(last_ping).unwrap_or_default())
        ));
    }
    let reloads: Vec<(Duration, u32)> = all_loads
        .iter()
        .filter(|(at, _)| *at > last_ping)
        .map(|(at, ticks)| (at.duration_since(last_ping).unwrap_or_default(), *ticks))
        .collect();
    let after_ping = fired.0.duration_since(last_ping).unwrap_or_default();
    let after_last_load = after_ping - reloads.last().map_or(Duration::ZERO, |(at, _)| *at);
    Ok(Expiry { last_ping, ping_ticks, reloads, after_ping, after_last_load, rsts: fired.1 })
}

/// A restart through the watchdog (`reboot`) or a power-off (partition 63) as the hardware saw it:
/// a short load, then the expiry.
pub fn restart(events: &[Event]) -> Option<(u32, Duration, u32)> {
    let (i, fired, rsts) = events.iter().enumerate().find_map(|(i, e)| match e.kind {
        Kind::Expired { rsts } => Some((i, e.at, rsts)),
        _ => None,
    })?;
    let (armed_at, ticks) = events[..i].iter().rev().find_map(|e| match e.kind {
        Kind::Armed { ticks } => Some((e.at, ticks)),
        _ => None,
    })?;
    Some((ticks, fired.duration_since(armed_at).unwrap_or_default(), rsts))
}

/// Whether RSTS asks the firmware to halt (partition 63).
pub fn is_halt(rsts: u32) -> bool {
    partition(rsts) == 63
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(s: f64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs_f64(1_764_000_000.0 + s)
    }

    fn line(s: f64, event: &str, message: &str) -> String {
        let t = Duration::from_secs_f64(1_764_000_000.0 + s);
        format!("4242@{}.{:06}:{event} {message}\n", t.as_secs(), t.subsec_micros())
    }

    #[test]
    fn parses_the_models_trace_lines() {
        let text = line(1.0, ARMED, "watchdog armed: 327680 ticks")
            + &line(2.0, STOPPED, "watchdog stopped: 1234 ticks left")
            + "qemu-system-aarch64: some other message\n"
            + &line(3.5, EXPIRED, "watchdog expired: rsts 0x00000575");
        let events = parse(&text);
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].kind, Kind::Armed { ticks: 327_680 });
        assert_eq!(events[1].kind, Kind::Stopped { ticks_left: 1234 });
        assert_eq!(events[2].kind, Kind::Expired { rsts: 0x575 });
        let dt = events[2].at.duration_since(events[0].at).unwrap();
        assert!((dt.as_secs_f64() - 2.5).abs() < 1e-5, "{dt:?}");
        assert!(is_halt(0x575));
        assert!(!is_halt(0x20));
        assert_eq!(
            parse_line("bcm2835_powermgt_wdog_expired watchdog expired: rsts 0x20"),
            None,
            "no timestamp"
        );
    }

    /// A 20 s timeout: the user's ping (WDOG write, then RSTC) before the command returns, the
    /// kernel's reload 4 s later, the expiry 16 s after that.
    #[test]
    fn finds_the_last_ping_the_reloads_and_the_expiry() {
        let text = line(0.0, ARMED, "watchdog armed: 1048575 ticks")
            + &line(0.5, ARMED, "watchdog armed: 1048575 ticks")
            + &line(0.5001, ARMED, "watchdog armed: 1048575 ticks")
            + &line(4.5, ARMED, "watchdog armed: 1048575 ticks")
            + &line(4.5002, ARMED, "watchdog armed: 1048575 ticks")
            + &line(20.5, EXPIRED, "watchdog expired: rsts 0x00000020")
            + &line(30.0, ARMED, "watchdog armed: 10 ticks");
        let e = expiry(&parse(&text), at(0.8)).unwrap();
        assert_eq!(e.last_ping, parse(&text)[1].at);
        assert_eq!(e.ping_ticks, 1_048_575);
        assert_eq!(e.reloads.len(), 1);
        assert!((e.reloads[0].0.as_secs_f64() - 4.0).abs() < 1e-3, "{:?}", e.reloads);
        assert!((e.after_ping.as_secs_f64() - 20.0).abs() < 1e-3);
        assert!((e.after_last_load.as_secs_f64() - 16.0).abs() < 1e-3);
        assert_eq!(e.rsts, 0x20);
        let figures = e.figures().join("\n");
        assert!(figures.contains("loaded 1048575 ticks (16.000 s); expired 20.000 s after it"), "{figures}");
        assert!(
            figures.contains("reloaded the hardware 1 time(s) after the last ping, the last 4.000 s"),
            "{figures}"
        );
    }

    #[test]
    fn a_short_timeout_has_no_reload() {
        let text = line(0.0, ARMED, "watchdog armed: 327680 ticks")
            + &line(5.0, EXPIRED, "watchdog expired: rsts 0x20");
        let e = expiry(&parse(&text), at(0.2)).unwrap();
        assert!(e.reloads.is_empty());
        assert_eq!(e.after_ping, e.after_last_load);
        assert!(e.figures()[1].contains("nothing reloaded"));
    }

    #[test]
    fn missing_or_broken_expiries_are_explained() {
        let armed = line(0.0, ARMED, "watchdog armed: 327680 ticks");
        assert!(expiry(&parse(&armed), at(0.2)).unwrap_err().contains("no expiry traced"));
        let early = line(0.0, EXPIRED, "watchdog expired: rsts 0x20");
        assert!(expiry(&parse(&early), at(0.2)).unwrap_err().contains("no expiry traced"));
        let unarmed = line(3.0, EXPIRED, "watchdog expired: rsts 0x20");
        assert!(expiry(&parse(&unarmed), at(0.2)).unwrap_err().contains("no load"));
        let stopped = armed.clone()
            + &line(1.0, STOPPED, "watchdog stopped: 5 ticks left")
            + &line(1.5, ARMED, "watchdog armed: 327680 ticks")
            + &line(6.5, EXPIRED, "watchdog expired: rsts 0x20");
        assert!(expiry(&parse(&stopped), at(0.2))
            .unwrap_err()
            .contains("stopped 1.000 s after the last ping"));
    }

    #[test]
    fn finds_a_restart() {
        let text = line(0.0, ARMED, "watchdog armed: 327680 ticks")
            + &line(0.1, STOPPED, "watchdog stopped: 300000 ticks left")
            + &line(9.0, ARMED, "watchdog armed: 10 ticks")
            + &line(9.0002, EXPIRED, "watchdog expired: rsts 0x00000020");
        let (ticks, after, rsts) = restart(&parse(&text)).unwrap();
        assert_eq!((ticks, rsts), (10, 0x20));
        assert!(after < Duration::from_millis(1));
        assert_eq!(restart(&parse(&line(0.0, ARMED, "watchdog armed: 10 ticks"))), None);
    }
}
