//! QEMU's machine protocol (QMP) on a local socket: the events QEMU sends as they happen, each with
//! the host time QEMU stamped on it. The harnesses time a watchdog expiry from its `WATCHDOG` event
//! (which the project's model sends through `watchdog_perform_action()`, as every QEMU watchdog
//! does), and see a guest power-off as `SHUTDOWN`.
//!
//! Only events are read: the harnesses send no command but the capabilities handshake.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// One QMP event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `WATCHDOG`, `RESET`, `SHUTDOWN`, `STOP`...
    pub name: String,
    /// The event's `data`, or null.
    pub data: Value,
    /// The host time QEMU stamped on it.
    pub at: SystemTime,
}

impl Event {
    /// Reads one line QEMU sent; None for anything but an event (the greeting, a command's return).
    pub fn parse(line: &str) -> Option<Event> {
        let value: Value = serde_json::from_str(line).ok()?;
        let name = value.get("event")?.as_str()?.to_string();
        let stamp = value.get("timestamp")?;
        let seconds = stamp.get("seconds")?.as_u64()?;
        let micros = stamp.get("microseconds")?.as_u64()?;
        let at = UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros);
        Some(Event { name, data: value.get("data").cloned().unwrap_or(Value::Null), at })
    }

    /// A `WATCHDOG` event's action (`reset`, `pause`, ...).
    pub fn watchdog_action(&self) -> Option<&str> {
        (self.name == "WATCHDOG").then(|| self.data.get("action")?.as_str()).flatten()
    }
}

#[derive(Default)]
struct Received {
    events: Vec<Event>,
    closed: bool,
}

/// The events of one QEMU process, collected by a reader thread from the moment it connected.
pub struct Qmp {
    socket: PathBuf,
    received: Arc<(Mutex<Received>, Condvar)>,
}

impl Qmp {
    /// A socket path for a new QEMU process: in the temporary directory, since a Unix socket's path
    /// must be short (108 bytes), whatever the results directory is.
    pub fn socket_path(label: &str) -> PathBuf {
        let label: String = label.chars().filter(char::is_ascii_alphanumeric).take(16).collect();
        crate::project::unique_temp_path(&format!("qmp-{label}")).with_extension("sock")
    }

    /// QEMU's arguments for a QMP server on `socket` that does not wait for the harness.
    pub fn qemu_args(socket: &Path) -> String {
        format!("-qmp unix:{},server=on,wait=off", socket.display())
    }

    /// Connects to QEMU's QMP socket (waiting up to `limit` for QEMU to create it), does the
    /// capabilities handshake and starts collecting events.
    pub fn connect(socket: &Path, limit: Duration) -> Result<Qmp, String> {
        let deadline = Instant::now() + limit;
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(stream) => break stream,
                Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("no QMP server on {} after {limit:?}: {e}", socket.display())),
            }
        };
        let mut writer = stream.try_clone().map_err(|e| format!("QMP socket: {e}"))?;
        let mut reader = BufReader::new(stream);
        let mut greeting = String::new();
        reader.read_line(&mut greeting).map_err(|e| format!("no QMP greeting: {e}"))?;
        if !greeting.contains("\"QMP\"") {
            return Err(format!("not a QMP greeting: {greeting:?}"));
        }
        writer
            .write_all(b"{\"execute\":\"qmp_capabilities\"}\n")
            .map_err(|e| format!("QMP handshake: {e}"))?;
        let received = Arc::new((Mutex::new(Received::default()), Condvar::new()));
        let shared = Arc::clone(&received);
        thread::spawn(move || {
            let _keep_open = writer;
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if let Some(event) = Event::parse(&line) {
                    shared.0.lock().unwrap().events.push(event);
                    shared.1.notify_all();
                }
            }
            shared.0.lock().unwrap().closed = true;
            shared.1.notify_all();
        });
        Ok(Qmp { socket: socket.to_path_buf(), received })
    }

    /// How many events have come so far: a mark for [`Qmp::since`] and [`Qmp::wait`].
    pub fn mark(&self) -> usize {
        self.received.0.lock().unwrap().events.len()
    }

    /// The events since `mark`.
    pub fn since(&self, mark: usize) -> Vec<Event> {
        self.received.0.lock().unwrap().events.get(mark..).unwrap_or_default().to_vec()
    }

    /// Waits up to `limit` for the first event named `name` after `mark`.
    pub fn wait(&self, name: &str, mark: usize, limit: Duration) -> Result<Event, String> {
        let deadline = Instant::now() + limit;
        let (lock, changed) = &*self.received;
        let mut received = lock.lock().unwrap();
        loop {
            if let Some(event) =
                received.events.get(mark..).unwrap_or_default().iter().find(|e| e.name == name)
            {
                return Ok(event.clone());
            }
            let now = Instant::now();
            if received.closed || now >= deadline {
                let seen: Vec<&str> =
                    received.events.get(mark..).unwrap_or_default().iter().map(|e| e.name.as_str()).collect();
                let why = if received.closed { "QEMU closed its QMP socket" } else { "timed out" };
                return Err(format!("no QMP {name} event ({why} after {limit:?}; events seen: {seen:?})"));
            }
            received = changed.wait_timeout(received, deadline - now).unwrap().0;
        }
    }
}

impl Drop for Qmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    const WATCHDOG: &str = r#"{"timestamp": {"seconds": 1764000000, "microseconds": 250000}, "event": "WATCHDOG", "data": {"action": "reset"}}"#;

    #[test]
    fn reads_events_and_their_time() {
        let event = Event::parse(WATCHDOG).unwrap();
        assert_eq!(event.name, "WATCHDOG");
        assert_eq!(event.watchdog_action(), Some("reset"));
        assert_eq!(event.at, UNIX_EPOCH + Duration::from_millis(1_764_000_000_250));
        assert_eq!(Event::parse(r#"{"return": {}}"#), None);
        assert_eq!(Event::parse("not json"), None);
        let reset = Event::parse(r#"{"timestamp":{"seconds":1,"microseconds":2},"event":"RESET"}"#).unwrap();
        assert_eq!(reset.data, Value::Null);
        assert_eq!(reset.watchdog_action(), None);
    }

    /// A stand-in QMP server: the greeting, the handshake, then two events.
    #[test]
    fn collects_events_from_a_server() {
        let socket = Qmp::socket_path("unit");
        let listener = UnixListener::bind(&socket).unwrap();
        let server = thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            writer.write_all(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n").unwrap();
            let mut handshake = String::new();
            reader.read_line(&mut handshake).unwrap();
            assert!(handshake.contains("qmp_capabilities"));
            writer.write_all(b"{\"return\": {}}\n").unwrap();
            writer.write_all(format!("{WATCHDOG}\n").as_bytes()).unwrap();
            writer
                .write_all(
                    b"{\"timestamp\":{\"seconds\":1764000001,\"microseconds\":0},\"event\":\"RESET\"}\n",
                )
                .unwrap();
        });
        let qmp = Qmp::connect(&socket, Duration::from_secs(5)).unwrap();
        let reset = qmp.wait("RESET", 0, Duration::from_secs(5)).unwrap();
        assert_eq!(reset.at, UNIX_EPOCH + Duration::from_secs(1_764_000_001));
        assert_eq!(qmp.since(0).len(), 2);
        let watchdog = qmp.wait("WATCHDOG", 0, Duration::from_secs(1)).unwrap();
        assert_eq!(watchdog.watchdog_action(), Some("reset"));
        server.join().unwrap();
        let err = qmp.wait("SHUTDOWN", qmp.mark(), Duration::from_secs(5)).unwrap_err();
        assert!(err.contains("no QMP SHUTDOWN event"), "{err}");
        drop(qmp);
        assert!(!socket.exists(), "the socket is removed with the listener");
    }
}
