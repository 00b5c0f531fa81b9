//! The runner's side of the HIL fixture (an RP2040 running fixture/firmware): opens its serial port,
//! reads its report frames on a thread, and answers the expiry scenario with the fixture's own
//! measurement, independent of the board's clock, which resets with the board.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rpi_wdt_fixture_logic::frame::{self, Body, Frame};
use rpi_wdt_fixture_logic::tracker::Event;

#[derive(Default)]
struct Shared {
    frames: Vec<Frame>,
    bad_lines: u32,
    closed: bool,
}

/// A connected fixture.
pub struct Fixture {
    path: String,
    port: File,
    shared: Arc<(Mutex<Shared>, Condvar)>,
}

/// Puts a serial port (or a pty) into raw mode: no echo, no line editing, no newline translation.
fn make_raw(file: &File) -> Result<(), String> {
    use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};
    let mut attrs = tcgetattr(file).map_err(|e| format!("not a serial port: {e}"))?;
    attrs.make_raw();
    tcsetattr(file, OptionalActions::Now, &attrs).map_err(|e| e.to_string())
}

impl Fixture {
    /// Opens the fixture's serial port and waits for its first frame (it greets with HELLO).
    pub fn open(path: &str, greeting_timeout: Duration) -> Result<Fixture, String> {
        let port = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| format!("{path}: {e} (is the fixture plugged in? see tests/hil/README.md)"))?;
        make_raw(&port)?;
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let reader = port.try_clone().map_err(|e| e.to_string())?;
        let thread_shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let (lock, cond) = &*thread_shared;
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                let mut s = lock.lock().unwrap();
                match frame::decode(&line) {
                    Ok(f) => s.frames.push(f),
                    Err(_) if line.trim().is_empty() => {}
                    Err(_) => s.bad_lines += 1,
                }
                cond.notify_all();
            }
            lock.lock().unwrap().closed = true;
            cond.notify_all();
        });
        let fixture = Fixture { path: path.to_string(), port, shared };
        fixture.wait_for(greeting_timeout, |f| matches!(f.body, Body::Hello { .. })).map_err(|e| {
            format!("{e}: is the fixture firmware running? (probe-rs run, see tests/hil/README.md)")
        })?;
        Ok(fixture)
    }

    fn wait_for(&self, timeout: Duration, want: impl Fn(&Frame) -> bool) -> Result<Frame, String> {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.shared;
        let mut s = lock.lock().unwrap();
        loop {
            if let Some(f) = s.frames.iter().find(|f| want(f)) {
                return Ok(*f);
            }
            if s.closed {
                return Err(format!("fixture {}: port closed", self.path));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!(
                    "fixture {}: no such report within {} s ({} frames, {} unreadable lines)",
                    self.path,
                    timeout.as_secs(),
                    s.frames.len(),
                    s.bad_lines
                ));
            }
            s = cond.wait_timeout(s, deadline - now).unwrap().0;
        }
    }

    /// Forgets earlier reports, before a new measurement.
    pub fn reset_events(&mut self) {
        self.shared.0.lock().unwrap().frames.clear();
    }

    /// The fixture's measurement of the next reset: milliseconds from the last heartbeat ping to the
    /// reset, as its own clock saw them.
    pub fn expiry_measurement(&mut self, timeout: Duration) -> Result<u64, String> {
        let f = self.wait_for(timeout, |f| matches!(f.body, Body::Tracker(Event::Reset { .. })))?;
        match f.body {
            Body::Tracker(Event::Reset { since_ping_us: Some(us), .. }) => Ok(us / 1000),
            _ => {
                Err("the fixture saw the reset but no heartbeat ping before it (is the heartbeat wired?)"
                    .into())
            }
        }
    }

    /// Pings the fixture saw since the last `reset_events`.
    pub fn pings_seen(&self) -> usize {
        let s = self.shared.0.lock().unwrap();
        s.frames.iter().filter(|f| matches!(f.body, Body::Tracker(Event::Ping { .. }))).count()
    }

    /// Asks the fixture to hold the Pi's RUN pin low (a hard reset) and waits for it to confirm.
    pub fn force_reset(&mut self) -> Result<(), String> {
        self.port.write_all(b"RUNLOW\n").map_err(|e| format!("fixture {}: {e}", self.path))?;
        self.wait_for(Duration::from_secs(5), |f| matches!(f.body, Body::RunLow)).map(drop)
    }
}
