//! `qemu:rpi3` / `qemu:rpi4`: an emulated Pi as a HIL target. QEMU runs through scripts/qemu.sh with
//! guest resets turned into reboots, so the runner follows the machine through them like a board.
//!
//! The transport is SSH where QEMU can give the guest a network: raspi3b gets QEMU's `usb-net` on its
//! USB controller with user networking, the guest's port 22 forwarded to a free port on 127.0.0.1 only,
//! and dropbear in the guest; the runner logs in with the key `make setup` created. So the real-board
//! SSH path runs in CI. Elsewhere (or with `--transport console`) commands go over the serial console.
//! The console is read in both cases: it shows boots, QEMU's watchdog trace events and kernel splats.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use rpi_wdt_testkit::console::{BootSpec, Guest};

use crate::ssh::Ssh;
use crate::target::{Countdown, Output, Target};

const READY_MARKER: &str = "rpi-wdt: ready";
const PROMPT: &str = "rpi-wdt-qemu# ";
const TRACE_EXPIRED: &str = "bcm2835_powermgt_wdog_expired";
const BOOT_LIMIT: Duration = Duration::from_secs(240);

/// How commands reach the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Ssh,
    Console,
}

pub struct QemuTarget {
    board: String,
    guest: Guest,
    ssh: Option<Ssh>,
    model: bool,
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free local port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl QemuTarget {
    pub fn boot(
        root: &Path,
        board: &str,
        initramfs: &Path,
        results: &Path,
        transport: Transport,
        model: bool,
        ssh_key: &Path,
    ) -> Result<QemuTarget, String> {
        let mut qemu_args = String::new();
        let mut kernel_args = vec!["rpiwdt.quiet".to_string(), "loglevel=4".to_string()];
        let ssh = if transport == Transport::Ssh {
            let port = free_port()?;
            qemu_args.push_str(&format!(
                "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:22 -device usb-net,netdev=n0 "
            ));
            kernel_args.push("rpiwdt.net".into());
            Some(Ssh {
                destination: "root@127.0.0.1".into(),
                port: Some(port),
                options: [
                    "-i",
                    &ssh_key.display().to_string(),
                    "-o",
                    "StrictHostKeyChecking=no",
                    "-o",
                    "UserKnownHostsFile=/dev/null",
                    "-o",
                    "LogLevel=ERROR",
                    "-o",
                    "IdentitiesOnly=yes",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            })
        } else {
            None
        };
        if model {
            qemu_args.push_str(&format!("-msg timestamp=on -trace {TRACE_EXPIRED}"));
        }
        let spec = BootSpec {
            project_root: root,
            board,
            initramfs,
            kernel_args,
            log_path: results.join(format!("hil-qemu-{board}.log")),
            allow_reboot: true,
            qemu_args: &qemu_args,
            env: Vec::new(),
        };
        let guest = Guest::boot(&spec).map_err(|e| format!("could not start QEMU: {e}"))?;
        let mut target = QemuTarget { board: board.to_string(), guest, ssh, model };
        target.await_boot()?;
        Ok(target)
    }

    /// Follows the console to the shell of the next boot, and SSH to its server.
    fn await_boot(&mut self) -> Result<(), String> {
        let tail = |g: &Guest| g.tail(30);
        self.guest.expect(READY_MARKER, BOOT_LIMIT).map_err(|e| format!("{e}\n{}", tail(&self.guest)))?;
        self.guest.expect(PROMPT, BOOT_LIMIT).map_err(|e| format!("no shell: {e}\n{}", tail(&self.guest)))?;
        if let Some(ssh) = &self.ssh {
            let start = Instant::now();
            while !ssh.answers() {
                if start.elapsed() > Duration::from_secs(60) {
                    return Err(format!("the guest's SSH server does not answer\n{}", tail(&self.guest)));
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        } else {
            self.guest.run("stty -echo", Duration::from_secs(30)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

impl Target for QemuTarget {
    fn name(&self) -> String {
        format!("qemu:{}", self.board)
    }

    fn transport(&self) -> &'static str {
        if self.ssh.is_some() {
            "ssh (QEMU usb-net, port forwarded on 127.0.0.1)"
        } else {
            "serial console"
        }
    }

    fn run(&mut self, command: &str, timeout: Duration) -> Result<Output, String> {
        match &self.ssh {
            Some(ssh) => ssh.run(command, timeout),
            None => self
                .guest
                .run(command, timeout)
                .map(|o| Output { status: o.status, text: o.text })
                .map_err(|e| e.to_string()),
        }
    }

    fn upload(&mut self, local: &Path, remote: &str) -> Result<(), String> {
        match &self.ssh {
            Some(ssh) => ssh.upload(local, remote),
            None => {
                Err("uploads need the SSH transport; the QEMU root filesystem has the tools already".into())
            }
        }
    }

    fn countdown(&self) -> Countdown {
        if self.model {
            Countdown::Counts
        } else {
            Countdown::ResetsAtOnce
        }
    }

    fn may_power_off(&self) -> bool {
        true
    }

    fn wait_gone(&mut self, limit: Duration) -> Result<Instant, String> {
        match &self.ssh {
            Some(ssh) => ssh.wait_gone(limit),
            None => {
                self.guest
                    .expect_any(&[TRACE_EXPIRED, "reboot: Restarting system", "reboot: Power down"], limit)
                    .map_err(|e| e.to_string())?;
                Ok(Instant::now())
            }
        }
    }

    fn wait_back(&mut self, _old_boot_id: &str, limit: Duration) -> Result<Duration, String> {
        let start = Instant::now();
        // The console shows the new boot; SSH then answers from it (await_boot waits for both).
        let _ = limit;
        self.await_boot()?;
        Ok(start.elapsed())
    }

    fn confirm_powered_off(&mut self) -> Result<(), String> {
        let status =
            self.guest.wait_exit(Duration::from_secs(60)).map_err(|e| format!("QEMU did not exit: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("QEMU exited with {status}"))
        }
    }

    fn expiry_seen_at(&mut self, timeout: Duration) -> Option<Instant> {
        if !self.model {
            return None;
        }
        let (text, _) = self.guest.expect_timed(TRACE_EXPIRED, timeout).ok()?;
        let fired = rpi_wdt_testkit::console::trace_time(&text, TRACE_EXPIRED)?;
        // The same instant on the monotonic clock the scenarios measure with.
        let ago = std::time::SystemTime::now().duration_since(fired).unwrap_or_default();
        Instant::now().checked_sub(ago)
    }

    fn console_log(&self) -> Option<String> {
        Some(self.guest.transcript())
    }

    fn ssh(&self) -> Option<&Ssh> {
        self.ssh.as_ref()
    }
}
