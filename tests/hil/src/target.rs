//! What the scenarios need from a target, whatever it is: an emulated Pi (over its forwarded SSH port or
//! its serial console) or a real board (over SSH).

use std::path::Path;
use std::time::{Duration, Instant};

/// A command's result on the target.
#[derive(Debug)]
pub struct Output {
    pub status: i32,
    pub text: String,
}

/// Whether the watchdog on this target actually counts down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Countdown {
    /// A real board, or QEMU with the project's watchdog model.
    Counts,
    /// Stock QEMU: starting the watchdog resets the machine at once.
    ResetsAtOnce,
}

pub trait Target {
    /// How reports name it (`qemu:rpi3`, `ssh://pi@board`).
    fn name(&self) -> String;

    /// The transport in use, for the report (`ssh`, `serial console`).
    fn transport(&self) -> &'static str;

    /// Runs a shell command.
    fn run(&mut self, command: &str, timeout: Duration) -> Result<Output, String>;

    /// Copies a local file to the target, executable.
    fn upload(&mut self, local: &Path, remote: &str) -> Result<(), String>;

    /// Whether the watchdog counts down here.
    fn countdown(&self) -> Countdown;

    /// Whether powering the target off is allowed (it may not come back without a person).
    fn may_power_off(&self) -> bool;

    /// Waits until the target stops answering; returns when it was last seen answering.
    fn wait_gone(&mut self, limit: Duration) -> Result<Instant, String>;

    /// Waits until the target answers again from a new boot (boot id differs from `old_boot_id`),
    /// reconnecting with bounded backoff; returns how long it took.
    fn wait_back(&mut self, old_boot_id: &str, limit: Duration) -> Result<Duration, String>;

    /// After a power-off: checks that the target is gone for good (QEMU exited; a board stays silent).
    fn confirm_powered_off(&mut self) -> Result<(), String>;

    /// Starts collecting the watchdog hardware's own events, where the target can show them (QEMU's
    /// model traces every load, stop and expiry of the countdown); false where it cannot (a board).
    fn watch_hardware(&mut self) -> bool {
        false
    }

    /// The hardware events since [`Target::watch_hardware`], waiting up to `wait_for_expiry` for an
    /// expiry to be among them. Empty where the target cannot show them.
    fn hardware_events(&mut self, _wait_for_expiry: Duration) -> Vec<crate::hwtrace::Event> {
        Vec::new()
    }

    /// The SSH connection, when the target is reached over SSH.
    fn ssh(&self) -> Option<&crate::ssh::Ssh> {
        None
    }

    /// Power-cycles the target through its switch (a labgrid place's power resource); None where it
    /// has none.
    fn power_cycle(&mut self) -> Option<Result<(), String>> {
        None
    }

    /// Where the target is and what it went through (a labgrid place, its exporter, the boot ids
    /// seen), for the report's properties.
    fn properties(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The console transcript, where there is one (QEMU, a labgrid place's serial port), for the
    /// kernel-splat check.
    fn console_log(&self) -> Option<String> {
        None
    }

    /// The boot id of the running kernel.
    fn boot_id(&mut self) -> Result<String, String> {
        let out = self.run("cat /proc/sys/kernel/random/boot_id", Duration::from_secs(30))?;
        if out.status != 0 {
            return Err(format!("cannot read the boot id: {}", out.text));
        }
        Ok(out.text.trim().to_string())
    }
}

/// Reconnection delays: 0.5 s doubling to 5 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1u64 << attempt.min(4))).min(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_is_bounded() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(4), Duration::from_secs(5));
        assert_eq!(backoff(40), Duration::from_secs(5));
    }
}
