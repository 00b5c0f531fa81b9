//! `qemu:rpi3` / `qemu:rpi4`: an emulated Pi as a HIL target. QEMU runs through scripts/qemu.sh with
//! guest resets turned into reboots, so the runner follows the machine through them like a board.
//!
//! The transport is SSH where QEMU can give the guest a network: raspi3b gets QEMU's `usb-net` on its
//! USB controller with user networking, the guest's port 22 forwarded to a free port on 127.0.0.1 only,
//! and dropbear in the guest; the runner logs in with the key `make setup` created. So the real-board
//! SSH path runs in CI. Elsewhere (or with `--transport console`) commands go over the serial console.
//! The console is read in both cases: it shows boots and kernel splats.
//!
//! With the project's watchdog model, QEMU traces the countdown's every load, stop and expiry
//! (`bcm2835_powermgt_wdog_*`) with host timestamps into a file of its own (`-D`), next to the console
//! log: kept off the console, trace lines cannot land in the middle of a command's output. The
//! scenarios read them as the hardware's view of a ping, a reload by the kernel, or an expiry.

use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rpi_wdt_testkit::console::{BootSpec, ConsoleError, Guest};
use rpi_wdt_testkit::markers;

use crate::hwtrace::{self, Kind};
use crate::ssh::Ssh;
use crate::target::{Countdown, Output, Target};

const BOOT_LIMIT: Duration = Duration::from_secs(240);
/// What the kernel prints when it restarts or powers off the machine.
const GOING_DOWN: &[&str] = &["reboot: Restarting system", "reboot: Power down"];

/// How commands reach the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    Ssh,
    Console,
}

pub struct QemuTarget {
    board: String,
    guest: Guest,
    ssh: Option<Ssh>,
    model: bool,
    /// The model's trace file (with the model only).
    trace: Option<PathBuf>,
    /// Where in the trace file [`Target::watch_hardware`] started watching.
    watch_mark: u64,
    /// Where in the trace file the current boot started.
    boot_mark: u64,
    /// Where QEMU's QMP events stood when [`Target::watch_hardware`] started watching (every trace
    /// read starts there or later).
    qmp_mark: usize,
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
        let mut kernel_args = rpi_wdt_testkit::console::test_kernel_args(false);
        let ssh = if transport == Transport::Ssh {
            let port = free_port()?;
            qemu_args.push_str(&format!(
                "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:22 -device usb-net,netdev=n0 "
            ));
            kernel_args.push("rpiwdt.net".into());
            let options = [
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
            .collect();
            Some(Ssh::new("root@127.0.0.1".into(), Some(port), options))
        } else {
            None
        };
        let trace = model.then(|| results.join(format!("hil-qemu-{board}-trace.log")));
        if let Some(path) = &trace {
            let path = path.display().to_string();
            // scripts/qemu.sh splits QEMU_EXTRA_ARGS at white space.
            if path.contains(char::is_whitespace) {
                return Err(format!(
                    "--results {}: the trace file's path must not contain spaces",
                    results.display()
                ));
            }
            qemu_args.push_str(&format!("{} -D {path}", markers::trace::qemu_args(hwtrace::EVENTS)));
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
        let mut target = QemuTarget {
            board: board.to_string(),
            guest,
            ssh,
            model,
            trace,
            watch_mark: 0,
            boot_mark: 0,
            qmp_mark: 0,
        };
        target.await_boot()?;
        Ok(target)
    }

    /// Follows the console to the shell of the next boot, and SSH to its server.
    fn await_boot(&mut self) -> Result<(), String> {
        let tail = |g: &Guest| g.tail(30);
        self.guest.expect(markers::READY, BOOT_LIMIT).map_err(|e| format!("{e}\n{}", tail(&self.guest)))?;
        self.guest
            .expect(markers::PROMPT, BOOT_LIMIT)
            .map_err(|e| format!("no shell: {e}\n{}", tail(&self.guest)))?;
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
        self.boot_mark = self.trace_len();
        Ok(())
    }

    fn trace_len(&self) -> u64 {
        self.trace.as_ref().and_then(|p| std::fs::metadata(p).ok()).map_or(0, |m| m.len())
    }

    /// The trace events written since `mark`.
    fn trace_since(&self, mark: u64) -> Vec<hwtrace::Event> {
        let Some(path) = &self.trace else { return Vec::new() };
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(path) {
            if file.seek(SeekFrom::Start(mark)).is_ok() {
                let _ = file.read_to_string(&mut text);
            }
        }
        // A line QEMU is still writing is read next time.
        let mut events = match text.rfind('\n') {
            Some(end) => hwtrace::parse(&text[..=end]),
            None => Vec::new(),
        };
        self.time_expiries_from_qmp(&mut events);
        events
    }

    /// Times each traced expiry by QEMU's QMP event for it, sent from the same call in the model:
    /// `WATCHDOG` (through watchdog_perform_action()), or `SHUTDOWN` for a power-off (partition 63).
    /// The trace still gives the loads and RSTS, which QMP does not report. An expiry whose event has
    /// not come (yet) keeps the trace's time.
    fn time_expiries_from_qmp(&self, events: &mut [hwtrace::Event]) {
        if !events.iter().any(|e| matches!(e.kind, Kind::Expired { .. })) {
            return;
        }
        let Ok(qmp) = self.guest.qmp() else { return };
        let reported = qmp.since(self.qmp_mark);
        for event in events.iter_mut() {
            let Kind::Expired { rsts } = event.kind else { continue };
            let name = if hwtrace::is_halt(rsts) { "SHUTDOWN" } else { "WATCHDOG" };
            let gap = |e: &&rpi_wdt_testkit::qmp::Event| {
                e.at.duration_since(event.at)
                    .or_else(|_| event.at.duration_since(e.at))
                    .unwrap_or(Duration::MAX)
            };
            // Both are stamped within microseconds of each other; a second apart is another expiry.
            let near = reported.iter().filter(|e| e.name == name).min_by_key(gap);
            if let Some(qmp_event) = near.filter(|e| gap(e) < Duration::from_secs(1)) {
                event.at = qmp_event.at;
            }
        }
    }

    /// When the model last expired in this boot, if it did.
    fn expired_in_this_boot(&self) -> Option<SystemTime> {
        self.trace_since(self.boot_mark.max(self.watch_mark))
            .iter()
            .find(|e| matches!(e.kind, Kind::Expired { .. }))
            .map(|e| e.at)
    }
}

/// The monotonic instant of a host wall-clock time in the past.
fn instant_of(at: SystemTime) -> Instant {
    let ago = SystemTime::now().duration_since(at).unwrap_or_default();
    Instant::now().checked_sub(ago).unwrap_or_else(Instant::now)
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
                // Over the console: the model's expiry (from the trace), or the kernel saying it
                // restarts or powers off.
                let deadline = Instant::now() + limit;
                loop {
                    if let Some(at) = self.expired_in_this_boot() {
                        return Ok(instant_of(at));
                    }
                    match self.guest.expect_any(GOING_DOWN, Duration::from_millis(100)) {
                        Ok(_) => return Ok(Instant::now()),
                        Err(ConsoleError::Timeout { .. }) if Instant::now() < deadline => {}
                        Err(ConsoleError::Timeout { .. }) => {
                            return Err(format!(
                                "the guest did not go down within {} s (no expiry traced, no restart or \
                                 power-off message)",
                                limit.as_secs()
                            ))
                        }
                        Err(e) => return Err(e.to_string()),
                    }
                }
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

    fn watch_hardware(&mut self) -> bool {
        self.watch_mark = self.trace_len();
        self.qmp_mark = self.guest.qmp_mark();
        self.trace.is_some()
    }

    fn hardware_events(&mut self, wait_for_expiry: Duration) -> Vec<hwtrace::Event> {
        let deadline = Instant::now() + wait_for_expiry;
        loop {
            let events = self.trace_since(self.watch_mark);
            if Instant::now() >= deadline || events.iter().any(|e| matches!(e.kind, Kind::Expired { .. })) {
                return events;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn console_log(&self) -> Option<String> {
        Some(self.guest.transcript())
    }

    fn ssh(&self) -> Option<&Ssh> {
        self.ssh.as_ref()
    }
}
