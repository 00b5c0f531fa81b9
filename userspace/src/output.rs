//! What each command reports, as a readable table or as JSON.
//!
//! JSON (schema 1, stable: fields are only ever added) is one document per command on stdout:
//! `{"schema":1,"command":"<name>","ok":true,"result":{...}}`, or on failure
//! `{"schema":1,"command":"<name>","ok":false,"error":{"device","operation","errno","message","hint",
//! "exit_code","exit"}}`. Fields a device cannot report are `null`. The README lists every field.

use serde::Serialize;

use crate::error::Error;

/// Which ABI answered.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    /// rpi_wdt's control node.
    Control,
    /// The standard Linux watchdog ABI.
    Standard,
}

#[derive(Debug, Serialize)]
pub struct InfoReport {
    pub device: String,
    pub interface: Interface,
    pub identity: String,
    pub firmware_version: Option<u32>,
    pub options: Vec<&'static str>,
    pub options_raw: u32,
    pub min_timeout_s: Option<u32>,
    pub max_timeout_s: Option<u32>,
    pub ticks_per_second: Option<u32>,
    pub nowayout: Option<bool>,
    pub abi_version: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub device: String,
    pub interface: Interface,
    pub running: Option<bool>,
    pub open: Option<bool>,
    pub magic_close_armed: Option<bool>,
    pub nowayout: Option<bool>,
    pub timeout_s: u32,
    pub timeleft_s: Option<u32>,
    pub timeleft_ms: Option<u32>,
    pub since_last_ping_ms: Option<u64>,
    pub ping_count: Option<u64>,
    pub status_flags: Option<Vec<&'static str>>,
}

#[derive(Debug, Serialize)]
pub struct BootStatusReport {
    pub device: String,
    pub interface: Interface,
    pub card_reset: bool,
    pub cause: Option<&'static str>,
    pub rsts: Option<String>,
    pub partition: Option<u32>,
    pub wdiof_flags: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct TimeoutReport {
    pub device: String,
    pub interface: Interface,
    pub timeout_s: u32,
    pub changed: bool,
}

#[derive(Debug, Serialize)]
pub struct ActionReport {
    pub device: String,
    pub interface: Interface,
    pub action: &'static str,
    pub running: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KeepaliveReport {
    pub device: String,
    pub interface: Interface,
    pub pings: u64,
    pub interval_s: u32,
    pub timeout_s: u32,
    pub stopped: bool,
}

#[derive(Debug, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct SelftestReport {
    pub device: String,
    pub interface: Interface,
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

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "-".into(),
    }
}

fn interface(i: Interface) -> &'static str {
    match i {
        Interface::Control => "rpi_wdt control node",
        Interface::Standard => "standard watchdog ABI",
    }
}

impl Report {
    /// The rows of the human table.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        match self {
            Report::Info(r) => vec![
                ("device", format!("{} ({})", r.device, interface(r.interface))),
                ("identity", r.identity.clone()),
                ("firmware", opt(&r.firmware_version)),
                ("options", r.options.join(" ")),
                (
                    "timeout range",
                    match (r.min_timeout_s, r.max_timeout_s) {
                        (Some(min), Some(max)) => format!("{min}..{max} s"),
                        _ => "-".into(),
                    },
                ),
                ("ticks per second", opt(&r.ticks_per_second)),
                ("nowayout", yes_no(r.nowayout)),
                ("abi version", opt(&r.abi_version)),
            ],
            Report::Status(r) => vec![
                ("device", format!("{} ({})", r.device, interface(r.interface))),
                (
                    "state",
                    match r.running {
                        Some(true) => "running".into(),
                        Some(false) => "stopped".into(),
                        None => "-".into(),
                    },
                ),
                ("timeout", format!("{} s", r.timeout_s)),
                (
                    "time left",
                    match (r.timeleft_ms, r.timeleft_s) {
                        (Some(ms), _) => format!("{}.{:03} s", ms / 1000, ms % 1000),
                        (None, Some(s)) => format!("{s} s"),
                        _ => "-".into(),
                    },
                ),
                (
                    "since last ping",
                    match r.since_last_ping_ms {
                        Some(rpi_wdt_core::abi::NEVER_PINGED) => "never".into(),
                        Some(ms) => format!("{}.{:03} s", ms / 1000, ms % 1000),
                        None => "-".into(),
                    },
                ),
                ("pings", opt(&r.ping_count)),
                ("held open", yes_no(r.open)),
                ("magic close", yes_no(r.magic_close_armed)),
                ("nowayout", yes_no(r.nowayout)),
            ],
            Report::BootStatus(r) => vec![
                ("device", format!("{} ({})", r.device, interface(r.interface))),
                (
                    "last reset",
                    match r.cause {
                        Some("watchdog-or-reboot") => {
                            "watchdog (or reboot: the Pi reboots through the watchdog)".into()
                        }
                        Some(cause) => cause.to_string(),
                        None if r.card_reset => "watchdog".into(),
                        None => "not a watchdog reset".into(),
                    },
                ),
                ("card reset", yes_no(Some(r.card_reset))),
                ("RSTS", opt(&r.rsts)),
                ("boot partition", opt(&r.partition)),
            ],
            Report::Timeout(r) => vec![
                ("device", format!("{} ({})", r.device, interface(r.interface))),
                ("timeout", format!("{} s{}", r.timeout_s, if r.changed { " (set)" } else { "" })),
            ],
            Report::Action(r) => {
                let mut rows = vec![
                    ("device", format!("{} ({})", r.device, interface(r.interface))),
                    ("done", r.action.to_string()),
                    (
                        "state",
                        match r.running {
                            Some(true) => "running".into(),
                            Some(false) => "stopped".into(),
                            None => "-".into(),
                        },
                    ),
                ];
                if let Some(note) = &r.note {
                    rows.push(("note", note.clone()));
                }
                rows
            }
            Report::Keepalive(r) => vec![
                ("device", format!("{} ({})", r.device, interface(r.interface))),
                ("pings", r.pings.to_string()),
                ("interval", format!("{} s", r.interval_s)),
                ("timeout", format!("{} s", r.timeout_s)),
                ("on exit", if r.stopped { "stopped (magic close)".into() } else { "left running".into() }),
            ],
            Report::Selftest(r) => {
                let mut rows: Vec<(&'static str, String)> =
                    vec![("device", format!("{} ({})", r.device, interface(r.interface)))];
                for step in &r.steps {
                    let verdict = if step.passed { "PASS" } else { "FAIL" };
                    rows.push((step.name, format!("{verdict}  {}", step.detail)));
                }
                rows.push(("result", if r.passed { "PASS".into() } else { "FAIL".into() }));
                rows
            }
        }
    }

    /// The table as text.
    pub fn table(&self) -> String {
        let rows = self.rows();
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        rows.iter().map(|(k, v)| format!("{k:<width$}  {v}\n")).collect()
    }
}

/// The JSON document for a successful command.
pub fn json_ok(command: &str, report: &Report) -> String {
    serde_json::json!({ "schema": 1, "command": command, "ok": true, "result": report }).to_string()
}

/// The JSON document for a failed command.
pub fn json_error(command: &str, error: &Error) -> String {
    serde_json::json!({
        "schema": 1,
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
    use rustix::io::Errno;

    fn status() -> Report {
        Report::Status(StatusReport {
            device: "/dev/rpi-wdt-ctl".into(),
            interface: Interface::Control,
            running: Some(true),
            open: Some(false),
            magic_close_armed: Some(false),
            nowayout: Some(false),
            timeout_s: 10,
            timeleft_s: Some(7),
            timeleft_ms: Some(7_250),
            since_last_ping_ms: Some(2_750),
            ping_count: Some(3),
            status_flags: None,
        })
    }

    #[test]
    fn table_aligns_and_formats_times() {
        let table = status().table();
        assert!(table.contains("state            running\n"), "{table}");
        assert!(table.contains("time left        7.250 s\n"), "{table}");
        assert!(table.contains("since last ping  2.750 s\n"), "{table}");
    }

    #[test]
    fn json_schema_is_stable() {
        let doc: serde_json::Value = serde_json::from_str(&json_ok("status", &status())).unwrap();
        assert_eq!(doc["schema"], 1);
        assert_eq!(doc["command"], "status");
        assert_eq!(doc["ok"], true);
        let result = &doc["result"];
        for field in [
            "device",
            "interface",
            "running",
            "open",
            "magic_close_armed",
            "nowayout",
            "timeout_s",
            "timeleft_s",
            "timeleft_ms",
            "since_last_ping_ms",
            "ping_count",
            "status_flags",
        ] {
            assert!(result.get(field).is_some(), "status result lacks {field}");
        }
        assert_eq!(result["interface"], "control");
        assert_eq!(result["timeleft_ms"], 7250);
        assert!(result["status_flags"].is_null());
    }

    #[test]
    fn json_errors_carry_exit_code_and_hint() {
        let e = Error::os("/dev/rpi-wdt-ctl", Operation::Open, Errno::NOENT);
        let doc: serde_json::Value = serde_json::from_str(&json_error("info", &e)).unwrap();
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["error"]["exit_code"], 3);
        assert_eq!(doc["error"]["exit"], "device-missing");
        assert_eq!(doc["error"]["errno"], 2);
        assert_eq!(doc["error"]["operation"], "open");
        assert!(doc["error"]["hint"].as_str().unwrap().contains("modprobe rpi_wdt"));
    }
}
