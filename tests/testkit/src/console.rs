//! A QEMU guest and its serial console: boot it through `scripts/qemu.sh`, wait for text with a
//! timeout, run shell commands and read their output and exit status, and stop it.
//!
//! Commands run in the guest's shell on the console. Their output is framed by markers printed with
//! `printf '@@%s@@\n' B<n>`: the typed command line (which the tty echoes) never contains the printed
//! marker, so the frame is found even with echo on. Everything QEMU prints is kept (the transcript) and
//! written to a log file as it arrives. QEMU also gets a QMP socket, whose events [`Guest::qmp`]
//! gives.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::qmp::Qmp;

/// How long QEMU may take to create its QMP socket.
const QMP_CONNECT_LIMIT: Duration = Duration::from_secs(30);

/// What went wrong talking to the guest.
#[derive(Debug)]
pub enum ConsoleError {
    /// The text did not appear in time.
    Timeout { waiting_for: String, after: Duration },
    /// QEMU exited while we waited.
    Exited { waiting_for: String },
    /// Spawning or writing failed.
    Io(io::Error),
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::Timeout { waiting_for, after } => {
                write!(f, "timed out after {:.0} s waiting for {waiting_for:?}", after.as_secs_f64())
            }
            ConsoleError::Exited { waiting_for } => {
                write!(f, "QEMU exited while waiting for {waiting_for:?}")
            }
            ConsoleError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for ConsoleError {
    fn from(e: io::Error) -> Self {
        ConsoleError::Io(e)
    }
}

/// A command's result.
#[derive(Debug)]
pub struct Output {
    /// The shell's `$?`.
    pub status: i32,
    /// What the command printed (stdout and stderr), without carriage returns or terminal escapes.
    pub text: String,
}

#[derive(Default)]
struct Transcript {
    text: String,
    /// When each chunk arrived: (end offset in `text`, instant).
    arrivals: Vec<(usize, Instant)>,
    closed: bool,
}

impl Transcript {
    /// When the text up to `offset` had arrived.
    fn arrival_of(&self, offset: usize) -> Option<Instant> {
        self.arrivals.iter().find(|(end, _)| *end >= offset).map(|(_, at)| *at)
    }
}

/// A running guest.
pub struct Guest {
    child: Child,
    stdin: Option<ChildStdin>,
    transcript: Arc<(Mutex<Transcript>, Condvar)>,
    cursor: usize,
    seq: u32,
    log_path: PathBuf,
    /// QEMU's events (crate::qmp), or why there are none.
    qmp: Result<Qmp, String>,
}

/// The kernel arguments every test boot adds: rcS's quiet mode (rpiwdt.quiet: no welcome), warnings
/// and worse on the console, and, unless `kunit`, no KUnit run (kunit.autorun=0): the built-in suites
/// and the modules' suites then run only in the boots that check their results.
pub fn test_kernel_args(kunit: bool) -> Vec<String> {
    let mut args = vec!["rpiwdt.quiet".to_string(), "loglevel=4".to_string()];
    if !kunit {
        args.push("kunit.autorun=0".to_string());
    }
    args
}

pub struct BootSpec<'a> {
    pub project_root: &'a Path,
    pub board: &'a str,
    pub initramfs: &'a Path,
    pub kernel_args: Vec<String>,
    pub log_path: PathBuf,
    /// Let a guest reset reboot the machine instead of ending QEMU.
    pub allow_reboot: bool,
    /// More QEMU arguments (QEMU_EXTRA_ARGS of scripts/qemu.sh), e.g. trace events.
    pub qemu_args: &'a str,
    /// More environment for scripts/qemu.sh (e.g. QEMU_SD_IMAGE to boot an SD image).
    pub env: Vec<(String, String)>,
}

impl Guest {
    /// Starts QEMU. Returns once the process runs; use [`Guest::expect`] to wait for the boot.
    pub fn boot(spec: &BootSpec<'_>) -> Result<Guest, ConsoleError> {
        if let Some(dir) = spec.log_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let qmp_socket = Qmp::socket_path(spec.board);
        let mut command = Command::new("bash");
        command
            .arg(spec.project_root.join("scripts/qemu.sh"))
            .arg(spec.board)
            .arg(spec.initramfs)
            .args(&spec.kernel_args)
            .env("QEMU_TIMEOUT", "3600")
            .env("QEMU_ALLOW_REBOOT", if spec.allow_reboot { "1" } else { "0" })
            .env("QEMU_EXTRA_ARGS", format!("{} {}", spec.qemu_args, Qmp::qemu_args(&qmp_socket)))
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn()?;
        let transcript = Arc::new((Mutex::new(Transcript::default()), Condvar::new()));
        let log = Arc::new(Mutex::new(File::create(&spec.log_path)?));
        let readers = [
            Box::new(child.stdout.take().expect("piped stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("piped stderr")) as Box<dyn Read + Send>,
        ];
        let open_streams = Arc::new(Mutex::new(readers.len()));
        for mut stream in readers {
            let transcript = Arc::clone(&transcript);
            let log = Arc::clone(&log);
            let open_streams = Arc::clone(&open_streams);
            thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let _ = log.lock().unwrap().write_all(&chunk[..n]);
                    let (lock, cond) = &*transcript;
                    lock.lock()
                        .unwrap()
                        .text
                        .push_str(&String::from_utf8_lossy(&chunk[..n]).replace('\r', ""));
                    cond.notify_all();
                }
                let mut open = open_streams.lock().unwrap();
                *open -= 1;
                if *open == 0 {
                    let (lock, cond) = &*transcript;
                    lock.lock().unwrap().closed = true;
                    cond.notify_all();
                }
            });
        }
        // QEMU creates the socket before the guest runs; scripts/qemu.sh first checks its inputs.
        let qmp = Qmp::connect(&qmp_socket, QMP_CONNECT_LIMIT);
        Ok(Guest {
            stdin: child.stdin.take(),
            child,
            transcript,
            cursor: 0,
            seq: 0,
            log_path: spec.log_path.clone(),
            qmp,
        })
    }

    /// QEMU's QMP events since it started (every guest has a QMP socket).
    pub fn qmp(&self) -> Result<&Qmp, String> {
        self.qmp.as_ref().map_err(Clone::clone)
    }

    /// A mark in QEMU's events for [`Guest::watchdog_expiry`] (0 without QMP).
    pub fn qmp_mark(&self) -> usize {
        self.qmp.as_ref().map_or(0, Qmp::mark)
    }

    /// Waits up to `limit` for the first watchdog expiry after `mark`: QEMU's `WATCHDOG` event with
    /// the reset action (the harnesses run QEMU's default `-action watchdog=reset`). Returns the host
    /// time QEMU stamped on it.
    pub fn watchdog_expiry(&self, mark: usize, limit: Duration) -> Result<std::time::SystemTime, String> {
        let event = self.qmp()?.wait("WATCHDOG", mark, limit)?;
        match event.watchdog_action() {
            Some("reset") => Ok(event.at),
            other => Err(format!("the WATCHDOG event's action is {other:?}, expected \"reset\"")),
        }
    }

    /// The console log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Waits until `needle` appears after what earlier waits consumed; returns the text up to and
    /// including it, and consumes it.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> Result<String, ConsoleError> {
        self.expect_any(&[needle], timeout).map(|(_, text)| text)
    }

    /// Like [`Guest::expect`], and also says when the needle's text arrived from QEMU.
    pub fn expect_timed(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<(String, Instant), ConsoleError> {
        let text = self.expect(needle, timeout)?;
        let at = self.transcript.0.lock().unwrap().arrival_of(self.cursor).unwrap_or_else(Instant::now);
        Ok((text, at))
    }

    /// Waits for the first of several needles; returns its index and the text up to and including it.
    pub fn expect_any(
        &mut self,
        needles: &[&str],
        timeout: Duration,
    ) -> Result<(usize, String), ConsoleError> {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.transcript;
        let mut transcript = lock.lock().unwrap();
        loop {
            let unread = &transcript.text[self.cursor..];
            let found = needles
                .iter()
                .enumerate()
                .filter_map(|(i, n)| unread.find(n).map(|at| (at, i, n.len())))
                .min();
            if let Some((at, index, len)) = found {
                let text = unread[..at + len].to_string();
                self.cursor += at + len;
                return Ok((index, text));
            }
            let waiting_for = needles.join(" | ");
            if transcript.closed {
                return Err(ConsoleError::Exited { waiting_for });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ConsoleError::Timeout { waiting_for, after: timeout });
            }
            transcript = cond.wait_timeout(transcript, deadline - now).unwrap().0;
        }
    }

    /// Types a line on the console.
    pub fn send_line(&mut self, line: &str) -> Result<(), ConsoleError> {
        let stdin = self.stdin.as_mut().ok_or_else(|| io::Error::other("console closed"))?;
        stdin.write_all(line.as_bytes())?;
        stdin.write_all(b"\n")?;
        stdin.flush()?;
        Ok(())
    }

    /// Runs a shell command in the guest and returns its output and exit status.
    pub fn run(&mut self, command: &str, timeout: Duration) -> Result<Output, ConsoleError> {
        self.seq += 1;
        let n = self.seq;
        // A command ending in `&` is already terminated: `& ;` would be a syntax error.
        let command = command.trim_end();
        let separator = if command.ends_with('&') { " " } else { " ;" };
        self.send_line(&format!(
            "printf '@@%s@@\\n' B{n}; {command}{separator} printf '@@%s@@\\n' \"E{n}:$?\""
        ))?;
        self.expect(&format!("@@B{n}@@\n"), timeout)?;
        let body = self.expect(&format!("@@E{n}:"), timeout)?;
        let tail = self.expect("@@", Duration::from_secs(5))?;
        let status = tail.trim_end_matches("@@").trim().parse().unwrap_or(-1);
        let text = strip_terminal_escapes(body.trim_end_matches(&format!("@@E{n}:")));
        Ok(Output { status, text })
    }

    /// Waits for QEMU to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, ConsoleError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(ConsoleError::Timeout { waiting_for: "QEMU to exit".into(), after: timeout });
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Everything the console printed so far.
    pub fn transcript(&self) -> String {
        strip_terminal_escapes(&self.transcript.0.lock().unwrap().text)
    }

    /// The last `lines` lines of the console, for failure messages.
    pub fn tail(&self, lines: usize) -> String {
        let text = self.transcript();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops QEMU (and the wrapper script) if it still runs.
    pub fn kill(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pgid = self.child.id();
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The host wall-clock time QEMU stamped on a trace line (`-msg timestamp=on` makes the log backend
/// print `PID@SECONDS.MICROSECONDS:event ...`). Output buffering cannot skew it, unlike the time the
/// line reached us.
pub fn trace_time(text: &str, event: &str) -> Option<std::time::SystemTime> {
    let line = text.lines().rev().find(|l| l.contains(event))?;
    let stamp = line[..line.find(event)?].trim_end_matches(':');
    let (_pid, time) = stamp.rsplit_once('@')?;
    let (secs, micros) = time.split_once('.')?;
    let since_epoch =
        Duration::from_secs(secs.trim().parse().ok()?) + Duration::from_micros(micros.parse().ok()?);
    Some(std::time::UNIX_EPOCH + since_epoch)
}

/// Removes terminal control sequences (the shell's cursor queries, colours) from console text.
pub fn strip_terminal_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates, then one final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{strip_terminal_escapes, test_kernel_args, trace_time};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn only_the_boots_that_check_kunit_run_it() {
        let off = test_kernel_args(false);
        assert!(off.iter().any(|a| a == "kunit.autorun=0"), "{off:?}");
        let on = test_kernel_args(true);
        assert!(!on.iter().any(|a| a.starts_with("kunit.")), "{on:?}");
        for args in [off, on] {
            assert!(args.iter().any(|a| a == "rpiwdt.quiet") && args.iter().any(|a| a == "loglevel=4"));
        }
    }

    #[test]
    fn reads_qemu_trace_timestamps() {
        let text =
            "boot\n4242@1763771234.250000:bcm2835_powermgt_wdog_expired watchdog expired: rsts 0x00000020";
        let t = trace_time(text, "bcm2835_powermgt_wdog_expired").expect("timestamp");
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap(), Duration::from_millis(1_763_771_234_250));
        assert!(trace_time("bcm2835_powermgt_wdog_expired without stamp", "bcm2835_powermgt_wdog_expired")
            .is_none());
    }

    #[test]
    fn strips_cursor_queries_and_colours() {
        assert_eq!(strip_terminal_escapes("a\u{1b}[6nb\u{1b}[1;34mc\u{1b}[0m"), "abc");
        assert_eq!(strip_terminal_escapes("plain"), "plain");
    }
}
