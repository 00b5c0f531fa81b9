//! A real board over SSH: one given as `ssh://`, or a labgrid place's (crate::lgplace), which adds the
//! place's power switch (to bring back a board that hangs, and one that powered off) and its serial
//! console (for the kernel-report check).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::labgrid::Lease;
use crate::netconsole::NetConsole;
use crate::ssh::Ssh;
use crate::target::{Countdown, Output, Target};

/// How long a board that powered off must stay silent to count as off, not rebooting.
const STAYS_OFF: Duration = Duration::from_secs(20);

pub struct BoardTarget {
    pub name: String,
    pub ssh: Ssh,
    pub allow_poweroff: bool,
    /// The labgrid place the board is taken from (released when the target is dropped).
    pub place: Option<Arc<Lease>>,
    /// Whether the place has a power switch labgrid drives.
    pub switchable: bool,
    pub console: Option<NetConsole>,
    /// Where the board is (a labgrid place, its exporter), for the report.
    pub properties: Vec<(String, String)>,
    /// The boot ids seen, first the one the run found.
    pub boots: Vec<String>,
    /// How long a reset may take before the board counts as hung.
    pub reset_limit: Duration,
}

impl BoardTarget {
    pub fn over_ssh(name: String, ssh: Ssh, allow_poweroff: bool, reset_limit: Duration) -> BoardTarget {
        BoardTarget {
            name,
            ssh,
            allow_poweroff,
            place: None,
            switchable: false,
            console: None,
            properties: Vec::new(),
            boots: Vec::new(),
            reset_limit,
        }
    }

    /// Runs `labgrid-client power ACTION` on the place.
    pub fn power(&self, action: &str) -> Result<String, String> {
        let lease =
            self.place.as_ref().filter(|_| self.switchable).ok_or("this board has no power switch")?;
        lease.run(&["power", action]).map_err(|e| format!("labgrid power {action} on {}: {e}", lease.place()))
    }

    /// Notes the boot that answers now.
    pub fn note_boot(&mut self) -> Result<(), String> {
        let id = self.boot_id()?;
        if self.boots.last() != Some(&id) {
            self.boots.push(id);
        }
        Ok(())
    }

    /// Switches the board on if its switch is off, and waits for it to answer.
    pub fn power_up(&mut self) -> Result<(), String> {
        if self.ssh.answers() {
            return Ok(());
        }
        if self.switchable && self.power("get")?.trim_end().ends_with(" off") {
            println!("# {}: switched off; switching it on", self.name);
            self.power("on")?;
        }
        self.ssh.wait_back("", self.reset_limit).map(|_| ())
    }
}

impl Target for BoardTarget {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn transport(&self) -> &'static str {
        "ssh"
    }
    fn run(&mut self, command: &str, timeout: Duration) -> Result<Output, String> {
        self.ssh.run(command, timeout)
    }
    fn upload(&mut self, local: &Path, remote: &str) -> Result<(), String> {
        self.ssh.upload(local, remote)
    }
    fn countdown(&self) -> Countdown {
        Countdown::Counts
    }
    fn may_power_off(&self) -> bool {
        self.allow_poweroff || self.switchable
    }
    fn wait_gone(&mut self, limit: Duration) -> Result<Instant, String> {
        self.ssh.wait_gone(limit)
    }
    fn wait_back(&mut self, old_boot_id: &str, limit: Duration) -> Result<Duration, String> {
        let back = self.ssh.wait_back(old_boot_id, limit)?;
        self.note_boot()?;
        Ok(back)
    }
    fn ssh(&self) -> Option<&Ssh> {
        Some(&self.ssh)
    }
    fn confirm_powered_off(&mut self) -> Result<(), String> {
        self.ssh.wait_gone(Duration::from_secs(60))?;
        std::thread::sleep(STAYS_OFF);
        if self.ssh.answers() {
            return Err("the board answers again after poweroff: it rebooted instead of halting".into());
        }
        if !self.switchable {
            println!(
                "# {}: powered off; power-cycle it (or use switchable power) to bring it back",
                self.name
            );
            return Ok(());
        }
        // Leave the place as it was found: a board that is up.
        let before = self.boots.last().cloned().unwrap_or_default();
        self.power("off")?;
        self.power("on")?;
        let back = self.wait_back(&before, self.reset_limit)?;
        println!(
            "# {}: powered off; switched back on through labgrid, up {:.1} s later",
            self.name,
            back.as_secs_f64()
        );
        Ok(())
    }
    fn power_cycle(&mut self) -> Option<Result<(), String>> {
        self.switchable.then(|| self.power("cycle").map(|_| ()))
    }
    fn console_log(&self) -> Option<String> {
        self.console.as_ref().map(NetConsole::text)
    }
    fn properties(&self) -> Vec<(String, String)> {
        let mut properties = self.properties.clone();
        properties.push(("boot_ids".into(), self.boots.join(" ")));
        properties
    }
}
