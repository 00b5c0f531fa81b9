//! What each command reports, as a readable table or as JSON.
//!
//! JSON (schema 2; within a schema, fields are only ever added) is one document per command on stdout:
//! `{"schema":2,"command":"<name>","ok":true,"result":{...}}`, or on failure
//! `{"schema":2,"command":"<name>","ok":false,"error":{"device","operation","errno","message","hint",
//! "exit_code","exit"}}`. Fields a device cannot report are `null`. The README lists every field.

use rpi_wdt_core::boot_status::ResetCause;
use serde::Serialize;

use crate::error::Error;
use crate::flags;
use crate::sysfs::{Attrs, ResetReason, Watchdog, RPI_HW_TIMEOUT_S};

/// The JSON schema version.
pub const SCHEMA: u32 = 2;

/// Where the answer came from.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    /// The watchdog core's sysfs attributes: nothing was opened.
    Sysfs,
    /// The standard Linux watchdog ABI on the device node.
    Standard,
}

/// The fields every result starts with.
#[derive(Debug, Serialize)]
pub struct Target {
    /// The node (`/dev/watchdogN`, or what `--device` named).
    pub device: String,
    /// `watchdogN`.
    pub name: String,
    /// Its sysfs directory.
    pub sysfs: String,
    pub interface: Interface,
    /// The watchdog is rpi_wdt's.
    pub rpi_wdt: bool,
    #[serde(skip)]
    pub legacy: bool,
}

impl Target {
    pub fn new(wdt: &Watchdog, interface: Interface) -> Target {
        Target {
            device: wdt.node.clone(),
            name: wdt.name.clone(),
            sysfs: wdt.sysfs.display().to_string(),
            interface,
            rpi_wdt: wdt.rpi_wdt,
            legacy: wdt.legacy,
        }
    }

    fn row(&self) -> (&'static str, String) {
        let node_name = self.device.rsplit('/').next().unwrap_or("");
        let device = if self.legacy {
            format!("{} (the legacy node: {})", self.device, self.name)
        } else if node_name != self.name {
            format!("{} ({})", self.device, self.name)
        } else {
            self.device.clone()
        };
        ("device", device)
    }
}

/// One flag of wdctl's table: supported, and set in status and in boot status.
#[derive(Debug, Serialize)]
pub struct FlagRow {
    pub name: &'static str,
    pub description: &'static str,
    /// In `options`: the watchdog supports it (null when the kernel does not say).
    pub supported: Option<bool>,
    /// Set in `status` (null when the kernel does not say).
    pub status: Option<bool>,
    /// Set in `bootstatus`.
    pub bootstatus: bool,
}

/// The flags wdctl shows: every supported option, and any flag status or boot status sets.
pub fn flag_rows(options: Option<u32>, status: Option<u32>, bootstatus: u32) -> Vec<FlagRow> {
    let bits = options.unwrap_or(0) | status.unwrap_or(0) | bootstatus;
    flags::set_in(bits)
        .map(|f| FlagRow {
            name: f.name,
            description: f.description,
            supported: options.map(|o| o & f.bit != 0),
            status: status.map(|s| s & f.bit != 0),
            bootstatus: bootstatus & f.bit != 0,
        })
        .collect()
}

/// A flag and what it means.
#[derive(Debug, Serialize)]
pub struct Described {
    pub name: &'static str,
    pub description: &'static str,
}

pub fn described(bits: u32) -> Vec<Described> {
    flags::set_in(bits).map(|f| Described { name: f.name, description: f.description }).collect()
}

fn state_name(active: bool) -> &'static str {
    if active {
        "active"
    } else {
        "inactive"
    }
}

#[derive(Debug, Serialize)]
pub struct InfoReport {
    #[serde(flatten)]
    pub target: Target,
    pub identity: String,
    pub firmware_version: Option<i64>,
    pub options: Option<Vec<&'static str>>,
    pub options_raw: Option<u32>,
    pub flags: Vec<FlagRow>,
    pub state: &'static str,
    pub running: bool,
    pub timeout_s: u32,
    pub min_timeout_s: Option<u32>,
    /// As sysfs says: 0 means no limit but the kernel's.
    pub max_timeout_s: Option<u32>,
    /// The longest timeout the kernel accepts: `max_timeout_s`, or 4294967 when that is 0.
    pub max_settable_timeout_s: Option<u32>,
    /// What the hardware counts by itself (rpi_wdt: 16), when known.
    pub hw_timeout_s: Option<u32>,
    /// Timeouts above `hw_timeout_s` are the kernel's: the watchdog core keeps pinging the hardware.
    pub kernel_extends_timeout: bool,
    pub pretimeout_s: Option<u32>,
    pub nowayout: bool,
}

impl InfoReport {
    pub fn new(target: Target, a: &Attrs) -> InfoReport {
        InfoReport {
            target,
            identity: a.identity.clone(),
            firmware_version: a.firmware_version,
            options: a.options.map(flags::names),
            options_raw: a.options,
            flags: flag_rows(a.options, a.status, a.bootstatus),
            state: state_name(a.active),
            running: a.active,
            timeout_s: a.timeout_s,
            min_timeout_s: a.min_timeout_s,
            max_timeout_s: a.max_timeout_s,
            max_settable_timeout_s: a.max_settable_s(),
            hw_timeout_s: a.rpi.is_some().then_some(RPI_HW_TIMEOUT_S),
            kernel_extends_timeout: a.kernel_extends_timeout(),
            pretimeout_s: a.pretimeout_s,
            nowayout: a.nowayout,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    #[serde(flatten)]
    pub target: Target,
    pub identity: String,
    pub state: &'static str,
    pub running: bool,
    pub nowayout: bool,
    pub timeout_s: u32,
    pub timeleft_s: Option<u32>,
    /// Always null: the kernel reports whole seconds (kept from schema 1).
    pub timeleft_ms: Option<u32>,
    pub pretimeout_s: Option<u32>,
    pub options: Option<Vec<&'static str>>,
    pub status_raw: Option<u32>,
    pub status_flags: Option<Vec<&'static str>>,
    pub bootstatus_raw: u32,
    pub bootstatus_flags: Vec<&'static str>,
    pub flags: Vec<FlagRow>,
    pub reset_reason: Option<ResetReason>,
    pub rsts: Option<String>,
    pub partition: Option<u32>,
}

impl StatusReport {
    pub fn new(target: Target, a: &Attrs) -> StatusReport {
        StatusReport {
            target,
            identity: a.identity.clone(),
            state: state_name(a.active),
            running: a.active,
            nowayout: a.nowayout,
            timeout_s: a.timeout_s,
            timeleft_s: a.timeleft_s,
            timeleft_ms: None,
            pretimeout_s: a.pretimeout_s,
            options: a.options.map(flags::names),
            status_raw: a.status,
            status_flags: a.status.map(flags::names),
            bootstatus_raw: a.bootstatus,
            bootstatus_flags: flags::names(a.bootstatus),
            flags: flag_rows(a.options, a.status, a.bootstatus),
            reset_reason: a.rpi.as_ref().map(|r| r.reset_reason.clone()),
            rsts: a.rpi.as_ref().map(|r| rsts_text(r.rsts)),
            partition: a.rpi.as_ref().map(|r| r.partition()),
        }
    }
}

/// RSTS as the driver prints it.
pub fn rsts_text(rsts: u32) -> String {
    format!("{rsts:#010x}")
}

#[derive(Debug, Serialize)]
pub struct BootStatusReport {
    #[serde(flatten)]
    pub target: Target,
    /// WDIOF_CARDRESET: the watchdog caused the last reset.
    pub card_reset: bool,
    /// rpi_wdt's `reset_reason` (the schema 1 name).
    pub cause: Option<ResetReason>,
    /// rpi_wdt's `reset_reason`.
    pub reset_reason: Option<ResetReason>,
    pub rsts: Option<String>,
    pub partition: Option<u32>,
    pub wdiof_flags: Vec<&'static str>,
    pub wdiof_raw: u32,
    pub flags: Vec<Described>,
}

impl BootStatusReport {
    pub fn new(target: Target, a: &Attrs) -> BootStatusReport {
        let reason = a.rpi.as_ref().map(|r| r.reset_reason.clone());
        BootStatusReport {
            target,
            card_reset: a.bootstatus & rpi_wdt_core::abi::WDIOF_CARDRESET != 0,
            cause: reason.clone(),
            reset_reason: reason,
            rsts: a.rpi.as_ref().map(|r| rsts_text(r.rsts)),
            partition: a.rpi.as_ref().map(|r| r.partition()),
            wdiof_flags: flags::names(a.bootstatus),
            wdiof_raw: a.bootstatus,
            flags: described(a.bootstatus),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TimeoutReport {
    #[serde(flatten)]
    pub target: Target,
    /// The timeout: as the kernel returned it when set, else as sysfs reads.
    pub timeout_s: u32,
    /// A new timeout was set.
    pub changed: bool,
    /// What was asked for (null when reading).
    pub requested_s: Option<u32>,
    pub running: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ActionReport {
    #[serde(flatten)]
    pub target: Target,
    /// "started", "stopped" or "pinged".
    pub action: &'static str,
    /// Running afterwards, as sysfs reads.
    pub running: bool,
    /// Running before.
    pub was_running: bool,
    pub timeout_s: u32,
    pub timeleft_s: Option<u32>,
    pub nowayout: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KeepaliveReport {
    #[serde(flatten)]
    pub target: Target,
    pub pings: u64,
    pub interval_s: u32,
    pub timeout_s: u32,
    /// The watchdog was stopped on exit (false with --leave-running, or when nowayout kept it running).
    pub stopped: bool,
}

#[derive(Debug, Serialize)]
pub struct Step {
    pub name: &'static str,
    /// False only for a failed step.
    pub passed: bool,
    /// The step was not run; `detail` says why.
    pub skipped: bool,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct SelftestReport {
    #[serde(flatten)]
    pub target: Target,
    pub passed: bool,
    pub steps: Vec<Step>,
}

/// Any command's result.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Report {
    Info(InfoReport),
    Status(StatusReport),
    BootStatus(BootStatusReport),
    Timeout(TimeoutReport),
    Action(ActionReport),
    Keepalive(KeepaliveReport),
    Selftest(SelftestReport),
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "-".to_string(), T::to_string)
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

fn running(active: bool) -> String {
    if active { "running" } else { "stopped" }.to_string()
}

fn seconds(value: Option<u32>, missing: &str) -> String {
    value.map_or_else(|| format!("- ({missing})"), |s| format!("{s} s"))
}

/// What rpi_wdt's reset_reason means.
fn reset_reason_text(reason: &ResetReason) -> String {
    match reason {
        ResetReason::Known(ResetCause::WatchdogOrReboot) => {
            "watchdog or reboot (the Pi reboots through its watchdog: the two look alike)".into()
        }
        ResetReason::Known(cause @ ResetCause::PowerOn) => cause.name().into(),
        ResetReason::Known(ResetCause::Unknown) => "unknown (no reset bit set in RSTS)".into(),
        ResetReason::Unrecognised(text) => text.clone(),
    }
}

fn partition_text(partition: u32) -> String {
    if partition == rpi_wdt_core::regs::rsts::PARTITION_HALT {
        format!("{partition} (halt)")
    } else {
        partition.to_string()
    }
}

fn flags_text(bits: u32) -> String {
    let names = flags::names(bits);
    if names.is_empty() {
        format!("{bits:#x} (none)")
    } else {
        format!("{bits:#x} {}", names.join(" "))
    }
}

/// Columns padded to their widest cell.
fn columns(rows: &[Vec<String>]) -> String {
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> =
                row.iter().enumerate().map(|(c, cell)| format!("{cell:<w$}", w = widths[c])).collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

/// wdctl's table: FLAG DESCRIPTION STATUS BOOT-STATUS.
fn flag_table(rows: &[FlagRow]) -> String {
    let bit = |v: Option<bool>| v.map_or_else(|| "-".to_string(), |b| u8::from(b).to_string());
    let mut table = vec![vec!["FLAG".into(), "DESCRIPTION".into(), "STATUS".into(), "BOOT-STATUS".into()]];
    table.extend(rows.iter().map(|r| {
        vec![r.name.to_string(), r.description.to_string(), bit(r.status), bit(Some(r.bootstatus))]
    }));
    columns(&table)
}

impl Report {
    /// The rows of the human table.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        match self {
            Report::Info(r) => {
                let mut rows = vec![
                    r.target.row(),
                    ("sysfs", r.target.sysfs.clone()),
                    ("identity", r.identity.clone()),
                    ("firmware version", opt(&r.firmware_version)),
                    ("state", running(r.running)),
                    ("options", r.options.as_ref().map_or_else(|| "-".into(), |o| o.join(" "))),
                    ("timeout", format!("{} s", r.timeout_s)),
                    ("min timeout", seconds(r.min_timeout_s, "not in this kernel's sysfs")),
                    (
                        "max timeout",
                        match r.max_timeout_s {
                            Some(0) => "0 (no limit set by the driver)".into(),
                            max => seconds(max, "not in this kernel's sysfs"),
                        },
                    ),
                    (
                        "timeout range",
                        match (r.min_timeout_s, r.max_settable_timeout_s) {
                            (Some(min), Some(max)) => format!("{min}..{max} s"),
                            _ => "-".into(),
                        },
                    ),
                ];
                if let Some(hw) = r.hw_timeout_s {
                    rows.push(("hardware timeout", format!("{hw} s at most")));
                }
                if r.kernel_extends_timeout {
                    rows.push((
                        "long timeouts",
                        format!(
                            "timeouts above the hardware's {} s are handled by the kernel (its watchdog core \
                             pings the hardware meanwhile)",
                            r.hw_timeout_s.unwrap_or(RPI_HW_TIMEOUT_S)
                        ),
                    ));
                }
                if let Some(pre) = r.pretimeout_s {
                    rows.push(("pretimeout", format!("{pre} s")));
                }
                rows.push(("nowayout", yes_no(r.nowayout)));
                rows
            }
            Report::Status(r) => {
                let mut rows = vec![
                    r.target.row(),
                    ("identity", r.identity.clone()),
                    ("state", running(r.running)),
                    ("timeout", format!("{} s", r.timeout_s)),
                    ("time left", seconds(r.timeleft_s, "not reported by this driver")),
                ];
                if let Some(pre) = r.pretimeout_s {
                    rows.push(("pretimeout", format!("{pre} s")));
                }
                rows.push(("nowayout", yes_no(r.nowayout)));
                rows.push(("status", r.status_raw.map_or_else(|| "-".into(), flags_text)));
                rows.push(("boot status", flags_text(r.bootstatus_raw)));
                if let (Some(reason), Some(rsts), Some(partition)) = (&r.reset_reason, &r.rsts, r.partition) {
                    rows.push(("last reset", reset_reason_text(reason)));
                    rows.push(("RSTS", rsts.clone()));
                    rows.push(("boot partition", partition_text(partition)));
                }
                rows
            }
            Report::BootStatus(r) => {
                let last = match &r.reset_reason {
                    Some(reason) => reset_reason_text(reason),
                    None if r.card_reset => "watchdog (CARDRESET: Card previously reset the CPU)".into(),
                    None if r.wdiof_raw != 0 => {
                        r.flags.iter().map(|f| f.description).collect::<Vec<_>>().join(", ")
                    }
                    None => "not a watchdog reset (no boot-status flag set)".into(),
                };
                let mut rows = vec![
                    r.target.row(),
                    ("last reset", last),
                    ("card reset", yes_no(r.card_reset)),
                    ("boot status", flags_text(r.wdiof_raw)),
                ];
                for flag in &r.flags {
                    rows.push(("", format!("{}: {}", flag.name, flag.description)));
                }
                if let (Some(rsts), Some(partition)) = (&r.rsts, r.partition) {
                    rows.push(("RSTS", rsts.clone()));
                    rows.push(("boot partition", partition_text(partition)));
                }
                rows
            }
            Report::Timeout(r) => {
                let mut rows = vec![
                    r.target.row(),
                    ("timeout", format!("{} s{}", r.timeout_s, if r.changed { " (set)" } else { "" })),
                    ("state", running(r.running)),
                ];
                if let Some(note) = &r.note {
                    rows.push(("note", note.clone()));
                }
                rows
            }
            Report::Action(r) => {
                let mut rows = vec![
                    r.target.row(),
                    ("done", r.action.to_string()),
                    ("state", running(r.running)),
                    ("timeout", format!("{} s", r.timeout_s)),
                ];
                if r.running {
                    rows.push(("time left", seconds(r.timeleft_s, "not reported by this driver")));
                }
                if let Some(note) = &r.note {
                    rows.push(("note", note.clone()));
                }
                rows
            }
            Report::Keepalive(r) => vec![
                r.target.row(),
                ("pings", r.pings.to_string()),
                ("interval", format!("{} s", r.interval_s)),
                ("timeout", format!("{} s", r.timeout_s)),
                ("on exit", if r.stopped { "stopped (magic close)".into() } else { "left running".into() }),
            ],
            Report::Selftest(r) => {
                let mut rows: Vec<(&'static str, String)> = vec![r.target.row()];
                for step in &r.steps {
                    let verdict = match (step.passed, step.skipped) {
                        (_, true) => "SKIP",
                        (true, false) => "PASS",
                        (false, false) => "FAIL",
                    };
                    rows.push((step.name, format!("{verdict}  {}", step.detail)));
                }
                rows.push(("result", if r.passed { "PASS".into() } else { "FAIL".into() }));
                rows
            }
        }
    }

    /// The table as text: aligned rows, then wdctl's flag table where there is one.
    pub fn table(&self) -> String {
        let rows = self.rows();
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut text: String =
            rows.iter().map(|(k, v)| format!("{k:<width$}  {v}").trim_end().to_string() + "\n").collect();
        let flags = match self {
            Report::Info(r) => &r.flags,
            Report::Status(r) => &r.flags,
            _ => return text,
        };
        if !flags.is_empty() {
            text.push('\n');
            text.push_str(&flag_table(flags));
        }
        text
    }
}

/// The JSON document for a successful command.
pub fn json_ok(command: &str, report: &Report) -> String {
    serde_json::json!({ "schema": SCHEMA, "command": command, "ok": true, "result": report }).to_string()
}

/// The JSON document for a failed command.
pub fn json_error(command: &str, error: &Error) -> String {
    serde_json::json!({
        "schema": SCHEMA,
        "command": command,
        "ok": false,
        "error": {
            "device": error.device,
            "operation": error.operation.name(),
            "errno": error.errno.map(|e| e.raw_os_error()),
            "message": error.cause(),
            "hint": error.hint(),
            "exit_code": error.exit as i32,
            "exit": error.exit.name(),
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Operation;
    use crate::sysfs::RpiAttrs;
    use rpi_wdt_core::abi::*;
    use rustix::io::Errno;
    use std::path::PathBuf;

    fn pi() -> Watchdog {
        Watchdog {
            name: "watchdog1".into(),
            node: "/dev/watchdog1".into(),
            sysfs: PathBuf::from("/sys/class/watchdog/watchdog1"),
            legacy: false,
            rpi_wdt: true,
        }
    }

    fn attrs() -> Attrs {
        Attrs {
            identity: "rpi_wdt BCM2835 PM watchdog".into(),
            active: true,
            timeout_s: 60,
            min_timeout_s: Some(1),
            max_timeout_s: Some(0),
            firmware_version: Some(0),
            options: Some(WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING | WDIOF_CARDRESET),
            pretimeout_s: None,
            timeleft_s: Some(42),
            bootstatus: WDIOF_CARDRESET,
            status: Some(WDIOF_MAGICCLOSE),
            nowayout: false,
            rpi: Some(RpiAttrs {
                reset_reason: ResetReason::Known(ResetCause::WatchdogOrReboot),
                rsts: 0x20,
            }),
        }
    }

    fn status() -> Report {
        Report::Status(StatusReport::new(Target::new(&pi(), Interface::Sysfs), &attrs()))
    }

    #[test]
    fn status_table_shows_what_wdctl_shows_and_the_pi_s_reset() {
        let table = status().table();
        for line in [
            "device          /dev/watchdog1\n",
            "state           running\n",
            "timeout         60 s\n",
            "time left       42 s\n",
            "nowayout        no\n",
            "boot status     0x20 CARDRESET\n",
            "RSTS            0x00000020\n",
            "boot partition  0\n",
            "FLAG           DESCRIPTION                    STATUS  BOOT-STATUS\n",
            "CARDRESET      Card previously reset the CPU  0       1\n",
            "MAGICCLOSE     Supports magic close char      1       0\n",
        ] {
            assert!(table.contains(line), "{line:?} missing from\n{table}");
        }
        assert!(table.contains("last reset      watchdog or reboot"), "{table}");
        assert!(!table.contains("pretimeout"), "no pretimeout row without the attribute:\n{table}");
    }

    #[test]
    fn info_says_the_kernel_handles_long_timeouts() {
        let report = Report::Info(InfoReport::new(Target::new(&pi(), Interface::Sysfs), &attrs()));
        let table = report.table();
        assert!(table.contains("timeout range     1..4294967 s\n"), "{table}");
        assert!(table.contains("above the hardware's 16 s are handled by the kernel"), "{table}");
        let mut generic = attrs();
        generic.rpi = None;
        generic.max_timeout_s = Some(65535);
        let mut softdog = pi();
        softdog.rpi_wdt = false;
        let table = Report::Info(InfoReport::new(Target::new(&softdog, Interface::Sysfs), &generic)).table();
        assert!(table.contains("1..65535 s"), "{table}");
        assert!(!table.contains("handled by the kernel"), "{table}");
    }

    #[test]
    fn legacy_node_is_named_as_watchdog0() {
        let mut wdt = pi();
        wdt.name = "watchdog0".into();
        wdt.node = "/dev/watchdog".into();
        wdt.legacy = true;
        let target = Target::new(&wdt, Interface::Standard);
        assert_eq!(target.row().1, "/dev/watchdog (the legacy node: watchdog0)");
    }

    #[test]
    fn json_schema_2_status() {
        let doc: serde_json::Value = serde_json::from_str(&json_ok("status", &status())).unwrap();
        assert_eq!(doc["schema"], 2);
        assert_eq!(doc["command"], "status");
        assert_eq!(doc["ok"], true);
        let result = &doc["result"];
        for field in [
            "device",
            "name",
            "sysfs",
            "interface",
            "rpi_wdt",
            "identity",
            "state",
            "running",
            "nowayout",
            "timeout_s",
            "timeleft_s",
            "timeleft_ms",
            "pretimeout_s",
            "options",
            "status_raw",
            "status_flags",
            "bootstatus_raw",
            "bootstatus_flags",
            "flags",
            "reset_reason",
            "rsts",
            "partition",
        ] {
            assert!(result.get(field).is_some(), "status result lacks {field}");
        }
        for gone in ["open", "magic_close_armed", "since_last_ping_ms", "ping_count", "legacy"] {
            assert!(result.get(gone).is_none(), "status result still has {gone}");
        }
        assert_eq!(result["interface"], "sysfs");
        assert_eq!(result["state"], "active");
        assert_eq!(result["timeleft_s"], 42);
        assert!(result["timeleft_ms"].is_null());
        assert!(result["pretimeout_s"].is_null());
        assert_eq!(result["rsts"], "0x00000020");
        assert_eq!(result["flags"][0]["name"], "CARDRESET");
        assert_eq!(result["flags"][0]["description"], "Card previously reset the CPU");
        assert_eq!(result["flags"][0]["bootstatus"], true);
        assert_eq!(result["flags"][0]["status"], false);
    }

    #[test]
    fn json_errors_carry_exit_code_and_hint() {
        let e = Error::os("/dev/watchdog1", Operation::Open, Errno::BUSY);
        let doc: serde_json::Value = serde_json::from_str(&json_error("ping", &e)).unwrap();
        assert_eq!(doc["schema"], 2);
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["error"]["exit_code"], 5);
        assert_eq!(doc["error"]["exit"], "busy");
        assert_eq!(doc["error"]["errno"], 16);
        assert_eq!(doc["error"]["operation"], "open");
        assert!(doc["error"]["hint"].as_str().unwrap().contains("fuser -v /dev/watchdog1"));
    }
}
