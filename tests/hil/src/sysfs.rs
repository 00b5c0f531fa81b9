//! rpi_wdt as the kernel shows it: the watchdog core's attributes in `/sys/class/watchdog/watchdog0/`
//! plus the driver's `reset_reason` and `rsts`, and the device nodes. Everything is read with one shell
//! command and checked here against what the driver documents. RSTS's bits are decoded here on their
//! own, not with the driver's code (driver/rpi_wdt/core), so that the runner checks the driver instead
//! of agreeing with it; the cause names are core's `ResetCause`, which the driver prints.

use std::collections::BTreeMap;

use rpi_wdt_core::boot_status::ResetCause;

/// rpi_wdt's node: the project's kernel has no other watchdog, so it is watchdog0.
pub const NODE: &str = "/dev/watchdog0";
/// The legacy node, which the kernel gives watchdog0.
pub const LEGACY_NODE: &str = "/dev/watchdog";
pub const SYSFS: &str = "/sys/class/watchdog/watchdog0";
pub const DRIVER_DIR: &str = "/sys/bus/platform/drivers/rpi_wdt";
pub const COMPATIBLE: &str = "rpi-rust-wdt,bcm2835-pm-wdt";
pub const IDENTITY: &str = rpi_wdt_core::ident::IDENTITY_STR;
/// WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING | WDIOF_CARDRESET.
pub const OPTIONS: u32 = 0x0080 | 0x0100 | 0x8000 | CARDRESET;
/// WDIOF_CARDRESET: the boot status after a watchdog reset (or a reboot, which is one).
pub const CARDRESET: u32 = 0x0020;
/// The longest timeout the watchdog core accepts (UINT_MAX / 1000 s).
pub const KERNEL_MAX_TIMEOUT_S: u64 = 4_294_967;
/// The default timeout without module parameter or device-tree timeout: the longest one load holds.
pub const DEFAULT_TIMEOUT_S: u64 = 15;
/// WDOG: a 20-bit countdown at 65536 ticks per second.
pub const TICKS_PER_SECOND: u32 = 65_536;
pub const MAX_TICKS: u32 = 0x000f_ffff;
/// The legacy node's device number: misc (10), WATCHDOG_MINOR (130).
pub const LEGACY_DEVNUM: (u32, u32) = (10, 130);

/// RSTS bits: had a watchdog full reset (an expiry, or a reboot), had a power-on reset.
const RSTS_HADWRF: u32 = 0x0000_0020;
const RSTS_HADPOR: u32 = 0x0000_1000;

/// The attributes read, in this order. `pretimeout` exists only for drivers with a pretimeout.
pub const ATTRS: &[&str] = &[
    "identity",
    "state",
    "options",
    "fw_version",
    "timeout",
    "min_timeout",
    "max_timeout",
    "timeleft",
    "pretimeout",
    "bootstatus",
    "status",
    "nowayout",
    "reset_reason",
    "rsts",
    "dev",
];

const MISSING: &str = "<missing>";

/// The ticks the driver loads for a timeout: the whole timeout when one load holds it, else a full
/// counter (the kernel reloads it in time).
pub fn load_ticks(timeout_s: u32) -> u32 {
    timeout_s.saturating_mul(TICKS_PER_SECOND).min(MAX_TICKS)
}

/// A shell command that prints `NAME=VALUE` for every attribute of `dir` (`NAME=<missing>` for an
/// absent file). Reading them arms nothing. A subshell, so that the console's shell stays where it is.
pub fn read_command(dir: &str) -> String {
    format!(
        "(cd {dir} && for f in {}; do if [ -e $f ]; then printf '%s=%s\\n' $f \"$(cat $f 2>&1)\"; \
         else echo \"$f={MISSING}\"; fi; done)",
        ATTRS.join(" ")
    )
}

/// The attributes as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    values: BTreeMap<String, Option<String>>,
}

impl Attrs {
    /// Reads the output of [`read_command`].
    pub fn parse(text: &str) -> Attrs {
        let values = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .filter(|(name, _)| ATTRS.contains(name))
            .map(|(name, value)| {
                let value = value.trim_end();
                (name.to_string(), (value != MISSING).then(|| value.to_string()))
            })
            .collect();
        Attrs { values }
    }

    pub fn present(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Some(_)))
    }

    pub fn get(&self, name: &str) -> Result<&str, String> {
        match self.values.get(name) {
            Some(Some(v)) => Ok(v),
            Some(None) => Err(format!("{SYSFS}/{name} does not exist")),
            None => Err(format!("{SYSFS}/{name} was not read")),
        }
    }

    /// A decimal attribute.
    pub fn num(&self, name: &str) -> Result<u64, String> {
        let v = self.get(name)?;
        v.parse().map_err(|_| format!("{SYSFS}/{name} is {v:?}, not a number"))
    }

    /// A `0x...` attribute (`options`, `status`, `rsts`).
    pub fn hex(&self, name: &str) -> Result<u32, String> {
        let v = self.get(name)?;
        v.strip_prefix("0x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| format!("{SYSFS}/{name} is {v:?}, not 0x followed by hex digits"))
    }

    /// `state`: active or inactive.
    pub fn active(&self) -> Result<bool, String> {
        match self.get("state")? {
            "active" => Ok(true),
            "inactive" => Ok(false),
            other => Err(format!("{SYSFS}/state is {other:?}, expected active or inactive")),
        }
    }

    pub fn nowayout(&self) -> Result<bool, String> {
        match self.num("nowayout")? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(format!("{SYSFS}/nowayout is {n}, expected 0 or 1")),
        }
    }

    /// `dev`: "MAJOR:MINOR".
    pub fn devnum(&self) -> Result<(u32, u32), String> {
        let v = self.get("dev")?;
        v.split_once(':')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .ok_or_else(|| format!("{SYSFS}/dev is {v:?}, expected MAJOR:MINOR"))
    }
}

/// The reset cause the driver must report for an RSTS value (decoded here from the bits; the names
/// are core's, which the driver prints).
pub fn expected_reset_reason(rsts: u32) -> ResetCause {
    if rsts & RSTS_HADWRF != 0 {
        ResetCause::WatchdogOrReboot
    } else if rsts & RSTS_HADPOR != 0 {
        ResetCause::PowerOn
    } else {
        ResetCause::Unknown
    }
}

/// The boot partition the firmware keeps in RSTS's even bits 0..=10 (63: halt).
pub fn partition(rsts: u32) -> u32 {
    (0..6).map(|i| ((rsts >> (2 * i)) & 1) << i).sum()
}

/// Whether `reset_reason`, `rsts` and `bootstatus` tell one story: the reason is RSTS decoded, `rsts`
/// has the driver's format (0x and 8 hex digits), and the boot status is CARDRESET exactly after a
/// watchdog reset.
pub fn reset_problems(a: &Attrs) -> Vec<String> {
    let mut problems = Vec::new();
    let (raw, reason, bootstatus) = match (a.get("rsts"), a.get("reset_reason"), a.num("bootstatus")) {
        (Ok(raw), Ok(reason), Ok(bootstatus)) => (raw, reason, bootstatus),
        (raw, reason, bootstatus) => {
            return [raw.err(), reason.err(), bootstatus.err()].into_iter().flatten().collect();
        }
    };
    if raw.len() != 10 || !raw.starts_with("0x") {
        problems.push(format!("rsts is {raw:?}: the driver prints 0x and 8 hex digits"));
    }
    let rsts = match a.hex("rsts") {
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            return problems;
        }
    };
    if ResetCause::from_name(reason).is_none() {
        let names: Vec<&str> = ResetCause::ALL.iter().map(|cause| cause.name()).collect();
        problems.push(format!("reset_reason is {reason:?}: not one of {}", names.join(", ")));
    }
    let expected = expected_reset_reason(rsts);
    if reason != expected.name() {
        problems.push(format!("reset_reason is {reason} but rsts {raw} decodes as {}", expected.name()));
    }
    let want_boot = if expected == ResetCause::WatchdogOrReboot { u64::from(CARDRESET) } else { 0 };
    if bootstatus != want_boot {
        problems.push(format!(
            "bootstatus is {bootstatus} but rsts {raw} ({}) means {want_boot} (WDIOF_CARDRESET is 32)",
            expected.name()
        ));
    }
    problems
}

/// What the attributes of a freshly loaded rpi_wdt must say, whatever the board: identity, options,
/// the timeout range, a timeout in it, time left 0 while stopped, and the reset story. Not checked
/// here: the state (the caller knows whether something should run).
pub fn problems(a: &Attrs) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |ok: Result<bool, String>, what: String| match ok {
        Ok(true) => {}
        Ok(false) => problems.push(what),
        Err(e) => problems.push(e),
    };
    check(
        a.get("identity").map(|v| v == IDENTITY),
        format!("identity is {:?}, expected {IDENTITY:?}", a.get("identity").unwrap_or("")),
    );
    check(
        a.hex("options").map(|v| v == OPTIONS),
        format!(
            "options is {}, expected {OPTIONS:#x} (SETTIMEOUT MAGICCLOSE KEEPALIVEPING CARDRESET)",
            a.get("options").unwrap_or("")
        ),
    );
    check(
        a.num("min_timeout").map(|v| v == 1),
        format!("min_timeout is {:?}, expected 1", a.get("min_timeout")),
    );
    check(
        a.num("max_timeout").map(|v| v == 0),
        format!(
            "max_timeout is {:?}, expected 0 (no limit but the kernel's: the core reloads the 16 s hardware)",
            a.get("max_timeout")
        ),
    );
    check(
        a.num("timeout").map(|v| (1..=KERNEL_MAX_TIMEOUT_S).contains(&v)),
        format!("timeout is {:?}, outside 1..{KERNEL_MAX_TIMEOUT_S}", a.get("timeout")),
    );
    check(a.num("fw_version").map(|_| true), String::new());
    check(a.hex("status").map(|_| true), String::new());
    check(a.nowayout().map(|_| true), String::new());
    if a.present("pretimeout") {
        problems.push("a pretimeout attribute exists, but the hardware has no pretimeout".into());
    }
    match (a.active(), a.num("timeleft")) {
        (Ok(false), Ok(left)) if left != 0 => {
            problems.push(format!("timeleft is {left} while inactive: a stopped watchdog reports 0"))
        }
        (Ok(true), Ok(left)) if left > 15 => {
            problems.push(format!("timeleft is {left}: the hardware counts at most 15 s"))
        }
        (Err(e), _) | (_, Err(e)) => problems.push(e),
        _ => {}
    }
    problems.extend(reset_problems(a));
    problems
}

/// A device node, from `stat -c '%n|%F|%a|%u|%g|%t|%T'` (busybox and coreutils print the same).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub path: String,
    pub char_device: bool,
    /// Permission bits, octal as printed (`600`).
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    pub devnum: (u32, u32),
}

pub const STAT_FORMAT: &str = "%n|%F|%a|%u|%g|%t|%T";

impl Node {
    pub fn parse(line: &str) -> Result<Node, String> {
        let f: Vec<&str> = line.trim().split('|').collect();
        let bad = || format!("unexpected stat output {line:?}");
        if f.len() != 7 {
            return Err(bad());
        }
        let hex = |s: &str| u32::from_str_radix(s, 16).map_err(|_| bad());
        Ok(Node {
            path: f[0].to_string(),
            char_device: f[1] == "character special file",
            mode: f[2].to_string(),
            uid: f[3].parse().map_err(|_| bad())?,
            gid: f[4].parse().map_err(|_| bad())?,
            devnum: (hex(f[5])?, hex(f[6])?),
        })
    }

    /// A root-only character device (0600, root:root).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.char_device {
            problems.push(format!("{} is not a character device", self.path));
        }
        if self.mode != "600" || self.uid != 0 || self.gid != 0 {
            problems.push(format!(
                "{} is mode {} owner {}:{}, expected 600 root:root",
                self.path, self.mode, self.uid, self.gid
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(rsts: &str, reason: &str, bootstatus: &str) -> Attrs {
        Attrs::parse(&format!(
            "identity=rpi_wdt BCM2835 PM watchdog\nstate=inactive\noptions=0x81a0\nfw_version=0\ntimeout=15\n\
             min_timeout=1\nmax_timeout=0\ntimeleft=0\npretimeout=<missing>\nbootstatus={bootstatus}\n\
             status=0x0\nnowayout=0\nreset_reason={reason}\nrsts={rsts}\ndev=252:0\n"
        ))
    }

    #[test]
    fn the_documented_values_have_no_problems() {
        assert_eq!(problems(&fresh("0x00001000", "power-on", "0")), Vec::<String>::new());
        assert_eq!(problems(&fresh("0x00000020", "watchdog-or-reboot", "32")), Vec::<String>::new());
        assert_eq!(problems(&fresh("0x00000000", "unknown", "0")), Vec::<String>::new());
        let a = fresh("0x00001000", "power-on", "0");
        assert_eq!(a.devnum(), Ok((252, 0)));
        assert_eq!(a.active(), Ok(false));
        assert!(!a.present("pretimeout"));
        assert!(a.get("pretimeout").unwrap_err().contains("does not exist"));
    }

    #[test]
    fn reset_reason_must_be_rsts_decoded() {
        let p = reset_problems(&fresh("0x00000020", "power-on", "32"));
        assert_eq!(p, ["reset_reason is power-on but rsts 0x00000020 decodes as watchdog-or-reboot"]);
        let p = reset_problems(&fresh("0x00001000", "power-on", "32"));
        assert!(p[0].starts_with("bootstatus is 32 but rsts 0x00001000 (power-on) means 0"), "{p:?}");
        let p = reset_problems(&fresh("0x1000", "power-on", "0"));
        assert!(p[0].contains("8 hex digits"), "{p:?}");
        let p = reset_problems(&fresh("0x00001000", "cold", "0"));
        assert!(p.iter().any(|x| x.contains("not one of")), "{p:?}");
        // HADWRF wins over HADPOR; the partition bits do not matter.
        assert_eq!(expected_reset_reason(0x1020), ResetCause::WatchdogOrReboot);
        assert_eq!(expected_reset_reason(0x1555), ResetCause::PowerOn);
        assert_eq!(expected_reset_reason(0x0555), ResetCause::Unknown);
    }

    #[test]
    fn wrong_identity_options_and_limits_are_named() {
        let text =
            "identity=softdog\nstate=active\noptions=0x8180\nfw_version=0\ntimeout=60\nmin_timeout=1\n\
                    max_timeout=65535\ntimeleft=30\npretimeout=0\nbootstatus=0\nstatus=0x8000\nnowayout=0\n\
                    reset_reason=<missing>\nrsts=<missing>\ndev=252:1\n";
        let p = problems(&Attrs::parse(text));
        for part in
            ["identity is \"softdog\"", "options is 0x8180", "max_timeout is", "pretimeout", "timeleft is 30"]
        {
            assert!(p.iter().any(|x| x.contains(part)), "{part}: {p:?}");
        }
        assert!(p.iter().any(|x| x.ends_with("/rsts does not exist")), "{p:?}");
    }

    #[test]
    fn stopped_watchdogs_report_no_time_left() {
        let mut a = fresh("0x00001000", "power-on", "0");
        a.values.insert("timeleft".into(), Some("7".into()));
        assert!(problems(&a).iter().any(|p| p.contains("while inactive")));
        a.values.insert("state".into(), Some("active".into()));
        assert_eq!(problems(&a), Vec::<String>::new());
    }

    #[test]
    fn decodes_partition_and_load() {
        assert_eq!(partition(0x555), 63);
        assert_eq!(partition(0x1020), 0);
        assert_eq!(partition(0x0001 | 0x0004), 3);
        assert_eq!(load_ticks(5), 5 * 65536);
        assert_eq!(load_ticks(15), 15 * 65536);
        assert_eq!(load_ticks(16), MAX_TICKS);
        assert_eq!(load_ticks(20), MAX_TICKS);
        assert_eq!(load_ticks(4_294_967), MAX_TICKS);
    }

    #[test]
    fn read_command_marks_missing_files() {
        let cmd = read_command(SYSFS);
        assert!(cmd.starts_with("(cd /sys/class/watchdog/watchdog0 && for f in identity state "), "{cmd}");
        assert!(cmd.contains("echo \"$f=<missing>\""), "{cmd}");
    }

    #[test]
    fn reads_stat_lines() {
        let n = Node::parse("/dev/watchdog0|character special file|600|0|0|fc|0").unwrap();
        assert_eq!(n.devnum, (252, 0));
        assert!(n.problems().is_empty());
        let n = Node::parse("/dev/watchdog|character special file|666|0|0|a|82\n").unwrap();
        assert_eq!(n.devnum, LEGACY_DEVNUM);
        assert_eq!(n.problems(), ["/dev/watchdog is mode 666 owner 0:0, expected 600 root:root"]);
        let n = Node::parse("/dev/watchdog|regular file|600|0|0|0|0").unwrap();
        assert_eq!(n.problems(), ["/dev/watchdog is not a character device"]);
        assert!(Node::parse("stat: can't stat '/dev/watchdog': No such file").is_err());
    }
}
