//! A board's serial console over the network, as a labgrid exporter serves it: raw TCP, or RFC 2217
//! (telnet, which ser2net speaks for an exported RawSerialPort or USBSerialPort). The runner only
//! listens: a thread keeps everything the board prints, for the kernel-report check and a log file,
//! and reconnects when the connection drops (a power cycle, an exporter restart).
//!
//! Not handled: RFC 2217's negotiation. The runner sends nothing, so the port keeps the speed the
//! exporter configured, and telnet commands are dropped from what is kept.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const IAC: u8 = 255;
const SB: u8 = 250;
const SE: u8 = 240;

/// Strips telnet commands from a byte stream, across reads.
#[derive(Default)]
pub struct Telnet {
    state: State,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum State {
    #[default]
    Data,
    /// After IAC.
    Command,
    /// After IAC WILL/WONT/DO/DONT: the option byte follows.
    Option,
    /// Inside IAC SB ... IAC SE.
    Sub,
    /// IAC inside a subnegotiation.
    SubIac,
}

impl Telnet {
    /// Appends `input`'s data bytes to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            self.state = match (self.state, b) {
                (State::Data, IAC) => State::Command,
                (State::Data, _) => {
                    out.push(b);
                    State::Data
                }
                (State::Command, IAC) => {
                    out.push(IAC);
                    State::Data
                }
                (State::Command, SB) => State::Sub,
                (State::Command, 251..=254) => State::Option,
                (State::Command, _) | (State::Option, _) => State::Data,
                (State::Sub, IAC) => State::SubIac,
                (State::Sub, _) => State::Sub,
                (State::SubIac, SE) => State::Data,
                (State::SubIac, _) => State::Sub,
            };
        }
    }
}

/// A console being recorded.
pub struct NetConsole {
    text: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
}

impl NetConsole {
    /// Starts recording `host:port` (`protocol` as labgrid names it: `raw` or `rfc2217`), also into
    /// `log`. Connection failures are retried every second until [`NetConsole`] is dropped.
    pub fn record(host: &str, port: u16, protocol: &str, log: &Path) -> Result<NetConsole, String> {
        let telnet = match protocol {
            "raw" => false,
            "rfc2217" => true,
            other => return Err(format!("serial console protocol {other:?}: expected raw or rfc2217")),
        };
        let mut file =
            std::fs::File::create(log).map_err(|e| format!("console log {}: {e}", log.display()))?;
        let text = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let address = format!("{host}:{port}");
        let (thread_text, thread_stop) = (Arc::clone(&text), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut filter = Telnet::default();
            let mut buf = [0u8; 4096];
            while !thread_stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = TcpStream::connect(&address) else {
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                while !thread_stop.load(Ordering::Relaxed) {
                    match stream.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            let mut data = Vec::with_capacity(n);
                            if telnet {
                                filter.feed(&buf[..n], &mut data);
                            } else {
                                data.extend_from_slice(&buf[..n]);
                            }
                            let _ = file.write_all(&data);
                            thread_text.lock().unwrap().extend_from_slice(&data);
                        }
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) => {}
                        Err(_) => break,
                    }
                }
            }
        });
        Ok(NetConsole { text, stop })
    }

    /// Everything recorded so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned()
    }
}

impl Drop for NetConsole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn telnet_commands_are_dropped_across_reads() {
        let mut t = Telnet::default();
        let mut out = Vec::new();
        t.feed(b"ab\xff\xfb", &mut out);
        t.feed(b"\x01c\xff\xff", &mut out);
        t.feed(b"\xff\xfa\x2c\x01\xff\xff\x00\xff\xf0d\xff\xf1e", &mut out);
        assert_eq!(out, b"abc\xffde");
    }

    #[test]
    fn records_a_raw_console_and_reconnects() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = rpi_wdt_testkit::project::unique_temp_path("netconsole-test");
        let console = NetConsole::record("127.0.0.1", port, "raw", &log).unwrap();
        for line in ["first boot\n", "second boot\n"] {
            let (mut board, _) = listener.accept().unwrap();
            board.write_all(line.as_bytes()).unwrap();
            drop(board);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !console.text().contains("second boot") && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(console.text(), "first boot\nsecond boot\n");
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "first boot\nsecond boot\n");
        std::fs::remove_file(log).unwrap();
        assert!(NetConsole::record("h", 1, "telnet", Path::new("/dev/null")).is_err());
    }
}
