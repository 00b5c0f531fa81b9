//! The text the harnesses wait for, as the project's guests and QEMU model print it: defined here once
//! for rpi-wdt-systest and rpi-wdt-hil.

/// What the guest's init prints once the drivers are loaded and the shell is next
/// (board/common/rootfs/etc/init.d/rcS; board/systemd/rootfs/etc/rpi-wdt/console for the systemd
/// guest). It is followed by `: kernel ...`.
pub const READY: &str = "rpi-wdt: ready";

/// The guest shell's prompt (PS1 in board/common/rootfs/etc/profile).
pub const PROMPT: &str = "rpi-wdt-qemu# ";

/// The project's QEMU watchdog model's trace events (board/qemu/patches/, `hw/misc/trace-events`):
/// written with host timestamps by `-msg timestamp=on` to the `-D` file, or to the console.
pub mod trace {
    /// The countdown was loaded (a ping, or the kernel's reload for timeouts above 16 s) and armed.
    pub const ARMED: &str = "bcm2835_powermgt_wdog_start";
    /// The countdown was stopped.
    pub const STOPPED: &str = "bcm2835_powermgt_wdog_stop";
    /// The countdown reached zero: the machine resets (or powers off, for partition 63).
    pub const EXPIRED: &str = "bcm2835_powermgt_wdog_expired";
    /// Every event the harnesses ask QEMU to trace.
    pub const EVENTS: &[&str] = &[ARMED, STOPPED, EXPIRED];

    /// QEMU's arguments that trace `events` with host timestamps (to the console, or to the `-D`
    /// file if the caller adds one).
    pub fn qemu_args(events: &[&str]) -> String {
        events.iter().fold("-msg timestamp=on".to_string(), |args, event| format!("{args} -trace {event}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_file(path: &str) -> String {
        let file = crate::project::root().join(path);
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }

    /// The markers are what the guest files and the model patch print: a change on one side fails here.
    #[test]
    fn the_guests_and_the_model_print_these() {
        assert!(project_file("board/common/rootfs/etc/init.d/rcS").contains(&format!("echo \"{READY}: ")));
        assert!(
            project_file("board/systemd/rootfs/etc/rpi-wdt/console").contains(&format!("echo \"{READY}: "))
        );
        assert!(project_file("board/common/rootfs/etc/profile").contains(&format!("PS1='{PROMPT}'")));
        let patches = crate::project::root().join("board/qemu/patches");
        let mut model = String::new();
        for entry in std::fs::read_dir(&patches).expect("board/qemu/patches") {
            model += &std::fs::read_to_string(entry.expect("a patch").path()).expect("a readable patch");
        }
        for event in trace::EVENTS {
            assert!(model.contains(&format!("+{event}(")), "no model patch declares the trace event {event}");
        }
        assert_eq!(
            trace::qemu_args(&[trace::ARMED, trace::EXPIRED]),
            "-msg timestamp=on -trace bcm2835_powermgt_wdog_start -trace bcm2835_powermgt_wdog_expired"
        );
    }
}
