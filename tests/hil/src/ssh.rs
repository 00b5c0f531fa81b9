//! The SSH transport, through the system `ssh` so that the user's ~/.ssh/config, keys and agent apply.
//! Every command is one `ssh` invocation with BatchMode (never a password prompt) and a connect timeout.
//! Commands share one connection ([`crate::sshmux`]); the probes that ask whether the target is there
//! (gone after a reset, back in a new boot) each open their own.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sshmux::{self, ControlDir};
use crate::target::{backoff, Output};

/// How long [`Ssh::wait_gone`]'s session may stay silent before the runner asks whether the target is
/// still there.
const SILENCE: Duration = Duration::from_secs(3);

/// Where and how to connect.
#[derive(Clone, Debug)]
pub struct Ssh {
    pub destination: String,
    pub port: Option<u16>,
    /// Extra ssh options (`-o ...`, `-i key`), e.g. for QEMU guests with throw-away host keys.
    pub options: Vec<String>,
    /// The shared connection's sockets (none: every command connects on its own).
    shared: Option<Arc<ControlDir>>,
}

/// Whether a command goes over the shared connection or opens its own.
#[derive(Clone, Copy)]
enum Connection {
    Shared,
    Own,
}

impl Ssh {
    /// Parses `ssh://[user@]host[:port]`.
    pub fn parse(url: &str) -> Result<Ssh, String> {
        let rest =
            url.strip_prefix("ssh://").ok_or_else(|| format!("{url}: expected ssh://[user@]host[:port]"))?;
        let (destination, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
                let port = port.parse().map_err(|_| format!("{url}: bad port {port:?}"))?;
                (host.to_string(), Some(port))
            }
            _ => (rest.to_string(), None),
        };
        if destination.is_empty() || destination.ends_with('@') {
            return Err(format!("{url}: no host"));
        }
        Ok(Ssh::new(destination, port, Vec::new()))
    }

    /// A connection to `destination` whose commands share one SSH connection.
    pub fn new(destination: String, port: Option<u16>, options: Vec<String>) -> Ssh {
        // Without a control directory every command connects on its own, as before sharing.
        let shared = ControlDir::new(&Self::program()).map(Arc::new).ok();
        Ssh { destination, port, options, shared }
    }

    /// The ssh program: `ssh`, or what `RPI_WDT_HIL_SSH` names (a wrapper that adds options, for
    /// example).
    fn program() -> String {
        std::env::var("RPI_WDT_HIL_SSH").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "ssh".into())
    }

    fn command(&self, connect_timeout_s: u32, connection: Connection) -> Command {
        let mut cmd = Command::new(Self::program());
        cmd.args(["-o", "BatchMode=yes", "-o", &format!("ConnectTimeout={connect_timeout_s}")]);
        cmd.args(["-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3"]);
        match (&self.shared, connection) {
            (Some(shared), Connection::Shared) => cmd.args(shared.options()),
            _ => cmd.args(sshmux::direct_options()),
        };
        if let Some(port) = self.port {
            cmd.args(["-p", &port.to_string()]);
        }
        cmd.args(&self.options);
        cmd.arg(&self.destination);
        cmd
    }

    /// A shell script that runs `ssh` (the runner's, see [`Ssh::program`]) with this connection's options
    /// and then its own arguments: what a user's ~/.ssh/config entry does, for programs that call plain
    /// `ssh HOST COMMAND`.
    pub fn wrapper_script(&self) -> String {
        let mut options: Vec<String> = vec!["-o".into(), "BatchMode=yes".into()];
        if let Some(port) = self.port {
            options.extend(["-p".into(), port.to_string()]);
        }
        options.extend(self.options.iter().cloned());
        let quoted: Vec<String> = options.iter().map(|o| format!("'{}'", o.replace('\'', "'\\''"))).collect();
        let program = Self::program().replace('\'', "'\\''");
        format!("#!/bin/sh\nexec '{program}' {} \"$@\"\n", quoted.join(" "))
    }

    /// Runs `command` in the remote shell, on the shared connection.
    pub fn run(&self, command: &str, timeout: Duration) -> Result<Output, String> {
        match self.run_on(command, timeout, 10, Connection::Shared) {
            Err(e) if sshmux::is_refused_session(&e) => {
                self.stop_sharing();
                self.run_on(command, timeout, 10, Connection::Own)
            }
            Err(e) => {
                // A connection that failed is not used again.
                self.stop_sharing();
                Err(e)
            }
            ok => ok,
        }
    }

    /// Ends the shared connection: the next command opens a new one.
    fn stop_sharing(&self) {
        if let Some(shared) = &self.shared {
            shared.stop_masters();
        }
    }

    fn run_on(
        &self,
        command: &str,
        timeout: Duration,
        connect_s: u32,
        connection: Connection,
    ) -> Result<Output, String> {
        let mut child = self
            .command(connect_s, connection)
            .arg(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                let out = child.wait_with_output().map_err(|e| e.to_string())?;
                let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&out.stderr));
                let code = status.code().unwrap_or(-1);
                if code == 255 {
                    return Err(format!("ssh to {} failed: {}", self.destination, text.trim()));
                }
                return Ok(Output { status: code, text });
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{command}` on {} did not finish within {} s",
                    self.destination,
                    timeout.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the target answers a trivial command within about a second.
    pub fn answers(&self) -> bool {
        matches!(self.run_on("true", Duration::from_secs(3), 1, Connection::Own), Ok(o) if o.status == 0)
    }

    /// Copies a file to `remote` and makes it executable.
    pub fn upload(&self, local: &Path, remote: &str) -> Result<(), String> {
        let data = std::fs::read(local).map_err(|e| format!("{}: {e}", local.display()))?;
        let dir = remote.rsplit_once('/').map_or(".", |(d, _)| d);
        let mut child = self
            .command(10, Connection::Shared)
            .arg(format!(
                "mkdir -p {dir} && cat > {remote}.tmp && chmod +x {remote}.tmp && mv {remote}.tmp {remote}"
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        child.stdin.take().expect("piped").write_all(&data).map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "upload of {} failed: {}",
                local.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Whether the target answers a trivial command, allowing a slow one (a loaded board, an emulated
    /// one) more time than [`Ssh::answers`].
    fn answers_patiently(&self) -> bool {
        matches!(self.run_on("true", Duration::from_secs(15), 5, Connection::Own), Ok(o) if o.status == 0)
    }

    /// Holds one session that prints a line every 0.1 s, until it ends or falls silent for
    /// [`SILENCE`]; returns when the last line arrived (None if none did).
    fn watch(&self, limit: Duration) -> Result<Option<Instant>, String> {
        let mut child = self
            .command(5, Connection::Own)
            .arg("while :; do echo t; sleep 0.1; done")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if line.is_err() || tx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
        let start = Instant::now();
        let mut last = None;
        // Silence (a timeout) or the session's end (disconnected) both end the watch.
        while let Ok(at) = rx.recv_timeout(SILENCE) {
            last = Some(at);
            if start.elapsed() > limit {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        Ok(last)
    }

    /// Waits until the target stops answering; returns when it was last seen alive. One session
    /// prints a line every 0.1 s: the last line to arrive is the last sign of life, to about 0.1 s
    /// plus the network's latency, with no connection set-up in between (a new ssh connection per
    /// probe would take a second on a slow target). When the session ends, the target is gone unless it
    /// still answers (the session dropped, or the target stalled): then the watch starts again.
    pub fn wait_gone(&self, limit: Duration) -> Result<Instant, String> {
        let start = Instant::now();
        let mut last_seen = start;
        while start.elapsed() < limit {
            if let Some(at) = self.watch(limit.saturating_sub(start.elapsed()))? {
                last_seen = at;
            }
            if !self.answers_patiently() {
                self.stop_sharing();
                return Ok(last_seen);
            }
        }
        Err(format!("{} still answers after {} s", self.destination, limit.as_secs()))
    }

    /// Reconnects with bounded backoff until a new boot answers.
    pub fn wait_back(&self, old_boot_id: &str, limit: Duration) -> Result<Duration, String> {
        let start = Instant::now();
        let mut attempt = 0;
        let mut last_error = String::from("no attempt");
        self.stop_sharing();
        while start.elapsed() < limit {
            match self.run_on(
                "cat /proc/sys/kernel/random/boot_id",
                Duration::from_secs(10),
                3,
                Connection::Own,
            ) {
                Ok(out) if out.status == 0 && out.text.trim() != old_boot_id => return Ok(start.elapsed()),
                Ok(out) if out.status == 0 => last_error = "still the old boot".into(),
                Ok(out) => last_error = out.text,
                Err(e) => last_error = e,
            }
            std::thread::sleep(backoff(attempt));
            attempt += 1;
        }
        Err(format!(
            "{} did not come back from a new boot within {} s (last: {})",
            self.destination,
            limit.as_secs(),
            last_error.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Ssh;

    #[test]
    fn wrapper_passes_port_and_options() {
        let mut s = Ssh::parse("ssh://root@127.0.0.1:2222").unwrap();
        s.options = vec!["-i".into(), "/k ey".into()];
        assert_eq!(
            s.wrapper_script(),
            "#!/bin/sh\nexec 'ssh' '-o' 'BatchMode=yes' '-p' '2222' '-i' '/k ey' \"$@\"\n"
        );
    }

    #[test]
    fn parses_ssh_urls() {
        let s = Ssh::parse("ssh://pi@board.local:2222").unwrap();
        assert_eq!((s.destination.as_str(), s.port), ("pi@board.local", Some(2222)));
        let s = Ssh::parse("ssh://raspberrypi").unwrap();
        assert_eq!((s.destination.as_str(), s.port), ("raspberrypi", None));
        assert!(Ssh::parse("pi@board").is_err());
        assert!(Ssh::parse("ssh://pi@").is_err());
        assert!(Ssh::parse("ssh://board:port").is_err());
    }
}
