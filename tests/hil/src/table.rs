//! The scenario table: every scenario the runner knows, in the order they run, with what each needs of
//! its target (crate::needs). The same table runs on qemu:rpi3, qemu:rpi4 and ssh:// targets.

use crate::needs::Need;
use crate::step::Scenario;
use crate::{lifecycle, rtc, scenarios, wdtctl};

/// Every scenario, in the order they run. Scenarios that reset the target come after those that
/// keep it up, and those that end the machine come last.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "probe_and_autoload",
        what: "the overlay's device is bound to rpi_wdt, which coldplug loaded from its compatible",
        needs: &[],
        run: scenarios::probe_and_autoload,
    },
    Scenario {
        name: "sysfs_and_nodes",
        what: "watchdog0's sysfs attributes, its device link and both nodes (0600), reading arms nothing",
        needs: &[],
        run: scenarios::sysfs_and_nodes,
    },
    Scenario {
        name: "wdtctl_reads_sysfs",
        what: "wdtctl info/status/bootstatus (schema 2) agree with sysfs, also as non-root",
        needs: &[],
        run: scenarios::wdtctl_reads_sysfs,
    },
    Scenario {
        name: "abi_standard_node",
        what: "the standard watchdog ABI end to end on /dev/watchdog0 (64- and 32-bit) and /dev/watchdog",
        needs: &[Need::Countdown],
        run: scenarios::abi_standard_node,
    },
    Scenario {
        name: "wdtctl_selftest",
        what: "wdtctl selftest passes and leaves the watchdog as found",
        needs: &[Need::Countdown],
        run: scenarios::wdtctl_selftest,
    },
    Scenario {
        name: "error_paths",
        what: "wdtctl's errors and exit codes for bad input, state left intact",
        needs: &[],
        run: scenarios::error_paths,
    },
    Scenario {
        name: "wdtctl_on_softdog",
        what: "wdtctl on another driver's watchdog (softdog, soft_noboot): arming commands, heartbeat line, SIGTERM",
        needs: &[],
        run: wdtctl::on_softdog,
    },
    Scenario {
        name: "wdtctl_without_driver",
        what: "with rpi_wdt unloaded, wdtctl exits 3 and says to modprobe it, in text and JSON",
        needs: &[],
        run: wdtctl::without_driver,
    },
    Scenario {
        name: "concurrent_use",
        what: "parallel sysfs readers while one process holds the watchdog; others get EBUSY",
        needs: &[],
        run: scenarios::concurrent_use,
    },
    Scenario {
        name: "wdtctl_over_ssh",
        what: "wdtctl --host from this machine: output and exit codes come back unchanged",
        needs: &[Need::Ssh],
        run: scenarios::wdtctl_over_ssh,
    },
    Scenario {
        name: "rtc_probe_and_autoload",
        what: "the RTC's client is bound to maxim_rtc, loaded from its compatible, as /dev/rtcN",
        needs: &[],
        run: rtc::probe_and_autoload,
    },
    Scenario {
        name: "rtc_hwclock_read_write",
        what: "busybox hwclock -r/-w/-s, RTC_SET_TIME read back, malformed and out-of-range times refused",
        needs: &[],
        run: rtc::hwclock_read_write,
    },
    Scenario {
        name: "rtc_set_month_end",
        what: "the 31st of a month set while the clock is in February lands on the 31st",
        needs: &[Need::RtcModel],
        run: rtc::set_month_end,
    },
    Scenario {
        name: "rtc_stopped_oscillator",
        what: "a stopped oscillator (clock halt through i2c-dev) reads as invalid until the time is set",
        needs: &[Need::RtcModel],
        run: rtc::stopped_oscillator,
    },
    Scenario {
        name: "rtc_ds3231_sensors",
        what: "a DS3231's temperature through hwmon and its aging offset through the RTC class",
        needs: &[],
        run: rtc::ds3231_sensors,
    },
    Scenario {
        name: "rtc_unbind_bind",
        what: "the clock goes with unbind and comes back with bind, reading right, ten times",
        needs: &[],
        run: rtc::unbind_bind,
    },
    Scenario {
        name: "rtc_rmmod_modprobe",
        what: "the clock goes with rmmod and comes back with modprobe by the client's modalias",
        needs: &[],
        run: rtc::rmmod_modprobe,
    },
    Scenario {
        name: "keepalive_hold",
        what: "pinging for three timeouts keeps the board up",
        needs: &[Need::Countdown],
        run: scenarios::keepalive_hold,
    },
    Scenario {
        name: "start_and_time_left",
        what: "wdtctl start arms the countdown without a reset; the time left falls with it; stop",
        needs: &[Need::Countdown],
        run: lifecycle::start_and_time_left,
    },
    Scenario {
        name: "open_across_unbind",
        what: "a file open across unbind and bind answers ENODEV, and the unbind stopped the hardware",
        needs: &[Need::Countdown],
        run: lifecycle::open_across_unbind,
    },
    Scenario {
        name: "rmmod_while_open",
        what: "rmmod refused while the node is open, accepted after magic close",
        needs: &[Need::Countdown],
        run: lifecycle::rmmod_while_open,
    },
    Scenario {
        name: "other_watchdog_tools",
        what: "the kernel's watchdog-test and busybox watchdog, unchanged, keep it alive and stop it by magic close",
        needs: &[Need::Countdown],
        run: lifecycle::other_watchdog_tools,
    },
    Scenario {
        name: "module_reload",
        what: "rmmod refused while the watchdog runs; heartbeat= above 16 s accepted, beyond the kernel's limit refused",
        needs: &[],
        run: scenarios::module_reload,
    },
    Scenario {
        name: "expiry",
        what: "stop pinging: the board resets at the 5 s timeout and reports a watchdog reset",
        needs: &[Need::Countdown],
        run: scenarios::expiry,
    },
    Scenario {
        name: "expiry_long",
        what: "a 20 s timeout (the kernel reloads the 16 s hardware): the board resets 20 s after the last ping",
        needs: &[Need::Countdown],
        run: scenarios::expiry_long,
    },
    Scenario {
        name: "kernel_keeps_running_watchdog",
        what: "found running at probe, the kernel pings it until userspace takes over; nowayout refuses stop; it fires",
        needs: &[Need::Countdown],
        run: lifecycle::kernel_keeps_running_watchdog,
    },
    Scenario {
        name: "open_timeout",
        what: "watchdog.open_timeout: a running watchdog nobody opens resets the board at the deadline",
        needs: &[Need::Countdown],
        run: lifecycle::open_timeout,
    },
    Scenario {
        name: "rtc_survives_reboot",
        what: "a time an hour ahead stays in the RTC over a reboot and sets the system clock",
        needs: &[Need::RtcModel],
        run: rtc::survives_reboot,
    },
    Scenario {
        name: "reboot",
        what: "reboot goes through the driver and the board comes back",
        needs: &[],
        run: scenarios::reboot,
    },
    Scenario {
        name: "kernel_log_clean",
        what: "no oops, WARN, BUG or lockdep report in the kernel log",
        needs: &[],
        run: scenarios::kernel_log_clean,
    },
    Scenario {
        name: "poweroff",
        what: "poweroff goes through the driver's power-off handler",
        needs: &[Need::PowerOff],
        run: scenarios::poweroff,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_are_unique() {
        let mut names: Vec<&str> = ALL.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn scenarios_that_arm_or_end_the_machine_declare_it() {
        let needs = |name: &str| ALL.iter().find(|s| s.name == name).map(|s| s.needs).unwrap();
        for name in ["abi_standard_node", "wdtctl_selftest", "keepalive_hold", "expiry", "expiry_long"] {
            assert!(needs(name).contains(&Need::Countdown), "{name} arms the watchdog");
        }
        assert!(needs("poweroff").contains(&Need::PowerOff));
        assert!(needs("wdtctl_over_ssh").contains(&Need::Ssh));
        assert_eq!(ALL.last().map(|s| s.name), Some("poweroff"), "nothing can run after the power-off");
    }
}
