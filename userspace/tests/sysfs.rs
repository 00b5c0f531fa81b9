//! wdtctl against a fake /sys/class/watchdog and /dev in a temporary directory (WDTCTL_SYSFS_CLASS,
//! WDTCTL_DEV_DIR): device selection, what status, info and bootstatus show in text and JSON, missing
//! files, and the exit codes.
//!
//! The standard-ABI ioctls cannot run on the host (there is no watchdog); where a command needs a node,
//! a regular file stands in for it: opening it works and every watchdog ioctl fails with ENOTTY, which
//! is enough to see what wdtctl opens, and whether it leaves the magic character behind.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("wdtctl-sysfs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("class")).unwrap();
        std::fs::create_dir_all(dir.join("dev")).unwrap();
        Tree { dir }
    }

    fn class(&self) -> PathBuf {
        self.dir.join("class")
    }

    fn dev(&self, node: &str) -> PathBuf {
        self.dir.join("dev").join(node)
    }

    fn dev_text(&self, node: &str) -> String {
        self.dev(node).display().to_string()
    }

    /// A watchdog with the watchdog core's attributes, as Linux 7.3 writes them.
    fn core(&self, name: &str, identity: &str, options: u32, max_timeout: u32) {
        let dir = self.class().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in [
            ("identity", format!("{identity}\n")),
            ("state", "inactive\n".into()),
            ("timeout", "15\n".into()),
            ("min_timeout", "1\n".into()),
            ("max_timeout", format!("{max_timeout}\n")),
            ("options", format!("{options:#x}\n")),
            ("fw_version", "0\n".into()),
            ("bootstatus", "0\n".into()),
            ("status", "0x0\n".into()),
            ("nowayout", "0\n".into()),
            ("dev", format!("250:{}\n", name.trim_start_matches("watchdog"))),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
    }

    /// softdog: pretimeout, no timeleft.
    fn softdog(&self, name: &str) {
        self.core(name, "Software Watchdog", 0x8380, 65535);
        self.set(name, "pretimeout", "0\n");
    }

    /// rpi_wdt after a power-on reset.
    fn pi(&self, name: &str) {
        self.core(name, "rpi_wdt BCM2835 PM watchdog", 0x81a0, 0);
        self.set(name, "timeleft", "15\n");
        self.set(name, "reset_reason", "power-on\n");
        self.set(name, "rsts", "0x00001000\n");
    }

    fn set(&self, name: &str, file: &str, text: &str) {
        std::fs::write(self.class().join(name).join(file), text).unwrap();
    }

    fn remove(&self, name: &str, file: &str) {
        std::fs::remove_file(self.class().join(name).join(file)).unwrap();
    }

    /// A regular file standing in for a device node.
    fn node(&self, node: &str) {
        std::fs::write(self.dev(node), "").unwrap();
    }

    fn node_content(&self, node: &str) -> String {
        std::fs::read_to_string(self.dev(node)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wdtctl"))
            .args(args)
            .env("WDTCTL_SYSFS_CLASS", self.class())
            .env("WDTCTL_DEV_DIR", self.dir.join("dev"))
            .output()
            .unwrap()
    }

    /// stdout, stderr and the exit code.
    fn text(&self, args: &[&str]) -> (String, String, i32) {
        let out = self.run(args);
        (text(&out.stdout), text(&out.stderr), out.status.code().expect("exited"))
    }

    /// The JSON document and the exit code.
    fn json(&self, args: &[&str]) -> (Value, i32) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
        assert_eq!(doc["schema"], 2, "{doc}");
        (doc, out.status.code().expect("exited"))
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "{needle:?} missing from:\n{haystack}");
    }
}

#[test]
fn default_device_is_the_first_watchdog_with_an_rsts_file() {
    let tree = Tree::new("default");
    tree.softdog("watchdog0");
    tree.pi("watchdog2");
    tree.pi("watchdog10");
    let (doc, code) = tree.json(&["status"]);
    assert_eq!(code, 0);
    let result = &doc["result"];
    assert_eq!(result["name"], "watchdog2", "by number, not by name: {doc}");
    assert_eq!(result["device"], tree.dev_text("watchdog2"));
    assert_eq!(result["sysfs"], tree.class().join("watchdog2").display().to_string());
    assert_eq!(result["rpi_wdt"], true);
    assert_eq!(result["interface"], "sysfs");
}

#[test]
fn without_rpi_wdt_the_default_device_is_missing_with_a_hint() {
    let tree = Tree::new("nopi");
    tree.softdog("watchdog0");
    let (_, err, code) = tree.text(&["status"]);
    assert_eq!(code, 3);
    assert_contains(
        &err,
        &[
            "no rpi_wdt watchdog",
            "modprobe rpi_wdt",
            "dtoverlay=rpi-wdt",
            "--device",
            "watchdog0 (Software Watchdog)",
        ],
    );
    let (doc, code) = tree.json(&["info"]);
    assert_eq!(code, 3);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["error"]["exit_code"], 3);
    assert_eq!(doc["error"]["exit"], "device-missing");
    assert_eq!(doc["error"]["operation"], "find watchdog");
    assert!(doc["error"]["hint"].as_str().unwrap().contains("dtoverlay=rpi-wdt"));

    let empty = Tree::new("empty");
    let (_, err, code) = empty.text(&["bootstatus"]);
    assert_eq!(code, 3);
    assert_contains(&err, &["modprobe rpi_wdt", "no watchdog at all"]);
}

#[test]
fn a_watchdog_calling_itself_rpi_wdt_without_rsts_is_an_old_module() {
    let tree = Tree::new("oldpi");
    tree.pi("watchdog0");
    tree.remove("watchdog0", "rsts");
    let (_, err, code) = tree.text(&["status"]);
    assert_eq!(code, 3);
    assert_contains(&err, &["identifies as rpi_wdt", "same release", "--device watchdog0"]);
}

#[test]
fn status_shows_what_wdctl_shows_and_the_pi_s_reset() {
    let tree = Tree::new("status");
    tree.pi("watchdog0");
    tree.set("watchdog0", "state", "active\n");
    tree.set("watchdog0", "timeleft", "11\n");
    tree.set("watchdog0", "status", "0x8100\n");
    let (out, _, code) = tree.text(&["status"]);
    assert_eq!(code, 0);
    assert_contains(
        &out,
        &[
            "identity        rpi_wdt BCM2835 PM watchdog\n",
            "state           running\n",
            "timeout         15 s\n",
            "time left       11 s\n",
            "nowayout        no\n",
            "status          0x8100 MAGICCLOSE KEEPALIVEPING\n",
            "boot status     0x0 (none)\n",
            "last reset      power-on\n",
            "RSTS            0x00001000\n",
            "boot partition  0\n",
            "FLAG           DESCRIPTION                    STATUS  BOOT-STATUS\n",
            "CARDRESET      Card previously reset the CPU  0       0\n",
            "SETTIMEOUT     Set timeout (in seconds)       0       0\n",
            "MAGICCLOSE     Supports magic close char      1       0\n",
            "KEEPALIVEPING  Keep alive ping reply          1       0\n",
        ],
    );
    assert!(!out.contains("pretimeout"), "rpi_wdt has no pretimeout:\n{out}");

    let (doc, code) = tree.json(&["status"]);
    assert_eq!(code, 0);
    let r = &doc["result"];
    assert_eq!(r["state"], "active");
    assert_eq!(r["running"], true);
    assert_eq!(r["timeout_s"], 15);
    assert_eq!(r["timeleft_s"], 11);
    assert!(r["timeleft_ms"].is_null());
    assert!(r["pretimeout_s"].is_null());
    assert_eq!(r["status_raw"], 0x8100);
    assert_eq!(r["status_flags"], serde_json::json!(["MAGICCLOSE", "KEEPALIVEPING"]));
    assert_eq!(r["bootstatus_raw"], 0);
    assert_eq!(r["reset_reason"], "power-on");
    assert_eq!(r["rsts"], "0x00001000");
    assert_eq!(r["partition"], 0);
    assert_eq!(r["flags"][3]["name"], "KEEPALIVEPING");
    assert_eq!(r["flags"][3]["description"], "Keep alive ping reply");
    assert_eq!(r["flags"][3]["status"], true);
}

#[test]
fn info_shows_the_range_and_that_the_kernel_extends_the_pi_s_16_s() {
    let tree = Tree::new("info");
    tree.pi("watchdog0");
    let (out, _, code) = tree.text(&["info"]);
    assert_eq!(code, 0);
    assert_contains(
        &out,
        &[
            "firmware version  0\n",
            "options           CARDRESET SETTIMEOUT MAGICCLOSE KEEPALIVEPING\n",
            "min timeout       1 s\n",
            "max timeout       0 (no limit set by the driver)\n",
            "timeout range     1..4294967 s\n",
            "hardware timeout  16 s at most\n",
            "above the hardware's 16 s are handled by the kernel",
            "Supports magic close char",
        ],
    );
    let (doc, _) = tree.json(&["info"]);
    let r = &doc["result"];
    assert_eq!(r["identity"], "rpi_wdt BCM2835 PM watchdog");
    assert_eq!(r["firmware_version"], 0);
    assert_eq!(r["options"], serde_json::json!(["CARDRESET", "SETTIMEOUT", "MAGICCLOSE", "KEEPALIVEPING"]));
    assert_eq!(r["options_raw"], 0x81a0);
    assert_eq!(r["min_timeout_s"], 1);
    assert_eq!(r["max_timeout_s"], 0);
    assert_eq!(r["max_settable_timeout_s"], 4_294_967);
    assert_eq!(r["hw_timeout_s"], 16);
    assert_eq!(r["kernel_extends_timeout"], true);
    assert_eq!(r["nowayout"], false);
    assert_eq!(r["state"], "inactive");
    for gone in ["abi_version", "ticks_per_second"] {
        assert!(r.get(gone).is_none(), "{gone} is gone in schema 2: {doc}");
    }
}

#[test]
fn any_watchdog_by_node_name_or_legacy_node() {
    let tree = Tree::new("softdog");
    tree.softdog("watchdog0");
    tree.pi("watchdog1");
    for (device, node) in
        [("/dev/watchdog0", "watchdog0"), ("watchdog0", "watchdog0"), ("/dev/watchdog", "watchdog")]
    {
        let (doc, code) = tree.json(&["--device", device, "info"]);
        assert_eq!(code, 0, "{device}: {doc}");
        let r = &doc["result"];
        assert_eq!(r["name"], "watchdog0", "{device}");
        assert_eq!(r["device"], tree.dev_text(node), "{device}");
        assert_eq!(r["rpi_wdt"], false);
        assert_eq!(r["max_settable_timeout_s"], 65535);
        assert_eq!(r["kernel_extends_timeout"], false);
        assert!(r["hw_timeout_s"].is_null());
        assert_eq!(r["pretimeout_s"], 0);
    }
    let (out, _, _) = tree.text(&["--device", "/dev/watchdog", "status"]);
    assert_contains(
        &out,
        &[
            "(the legacy node: watchdog0)",
            "time left    - (not reported by this driver)\n",
            "pretimeout   0 s\n",
            "PRETIMEOUT     Pretimeout (in seconds)    0       0\n",
        ],
    );
    assert!(!out.contains("RSTS"), "{out}");
    let (doc, _) = tree.json(&["--device", "watchdog0", "status"]);
    for field in ["reset_reason", "rsts", "partition", "timeleft_s"] {
        assert!(doc["result"][field].is_null(), "{field}: {doc}");
    }
}

#[test]
fn bootstatus_after_a_watchdog_reset_and_a_halt() {
    let tree = Tree::new("boot");
    tree.pi("watchdog0");
    tree.set("watchdog0", "bootstatus", "32\n");
    tree.set("watchdog0", "reset_reason", "watchdog-or-reboot\n");
    tree.set("watchdog0", "rsts", "0x00000575\n");
    let (out, _, code) = tree.text(&["bootstatus"]);
    assert_eq!(code, 0);
    assert_contains(
        &out,
        &[
            "last reset      watchdog or reboot",
            "card reset      yes\n",
            "boot status     0x20 CARDRESET\n",
            "CARDRESET: Card previously reset the CPU",
            "RSTS            0x00000575\n",
            "boot partition  63 (halt)\n",
        ],
    );
    let (doc, _) = tree.json(&["bootstatus"]);
    let r = &doc["result"];
    assert_eq!(r["card_reset"], true);
    assert_eq!(r["cause"], "watchdog-or-reboot");
    assert_eq!(r["reset_reason"], "watchdog-or-reboot");
    assert_eq!(r["rsts"], "0x00000575");
    assert_eq!(r["partition"], 63);
    assert_eq!(r["wdiof_flags"], serde_json::json!(["CARDRESET"]));
    assert_eq!(r["wdiof_raw"], 32);
    assert_eq!(r["flags"][0]["description"], "Card previously reset the CPU");

    tree.softdog("watchdog1");
    let (out, _, _) = tree.text(&["--device", "watchdog1", "bootstatus"]);
    assert_contains(&out, &["not a watchdog reset", "card reset   no\n"]);
}

#[test]
fn a_missing_core_file_names_config_watchdog_sysfs_and_exits_7() {
    let tree = Tree::new("nosysfs");
    tree.pi("watchdog0");
    tree.remove("watchdog0", "state");
    let (_, err, code) = tree.text(&["status"]);
    assert_eq!(code, 7);
    let state = tree.class().join("watchdog0").join("state").display().to_string();
    assert_contains(
        &err,
        &[&format!("wdtctl: {state}: read: No such file or directory"), "CONFIG_WATCHDOG_SYSFS"],
    );
    let (doc, code) = tree.json(&["info"]);
    assert_eq!(code, 7);
    assert_eq!(doc["error"]["exit"], "not-supported");
    assert_eq!(doc["error"]["errno"], 2);
    assert_eq!(doc["error"]["device"], state);
}

#[test]
fn files_of_newer_kernels_are_null_when_missing() {
    let tree = Tree::new("oldkernel");
    tree.pi("watchdog0");
    for file in ["options", "fw_version", "min_timeout", "max_timeout", "timeleft", "status"] {
        tree.remove("watchdog0", file);
    }
    let (doc, code) = tree.json(&["info"]);
    assert_eq!(code, 0, "{doc}");
    for field in ["options", "options_raw", "firmware_version", "min_timeout_s", "max_timeout_s"] {
        assert!(doc["result"][field].is_null(), "{field}: {doc}");
    }
    let (out, _, code) = tree.text(&["status"]);
    assert_eq!(code, 0);
    assert_contains(&out, &["time left       - (not reported by this driver)\n", "status          -\n"]);
}

#[test]
fn unparsable_sysfs_content_is_an_error_naming_the_file() {
    let tree = Tree::new("garbage");
    tree.pi("watchdog0");
    tree.set("watchdog0", "timeout", "fifteen\n");
    let (_, err, code) = tree.text(&["timeout"]);
    assert_eq!(code, 1);
    assert_contains(&err, &["watchdog0/timeout: read: unexpected content \"fifteen\""]);
}

#[test]
fn unknown_devices_exit_3_and_say_what_exists() {
    let tree = Tree::new("unknown");
    tree.softdog("watchdog0");
    let (_, err, code) = tree.text(&["--device", "watchdog7", "info"]);
    assert_eq!(code, 3);
    assert_contains(
        &err,
        &["watchdog7: find watchdog: the kernel has no watchdog7", "watchdog0 (Software Watchdog)"],
    );

    let (_, err, code) = tree.text(&["--device", "/nonexistent/wdt", "info"]);
    assert_eq!(code, 3);
    assert_contains(&err, &["/nonexistent/wdt: find watchdog: No such file or directory", "/dev/watchdogN"]);

    let (_, err, code) = tree.text(&["--device", "/dev/rpi-wdt-ctl", "status"]);
    assert_eq!(code, 3);
    assert_contains(&err, &["no longer has nodes of its own", "without --device"]);

    let (_, err, code) = tree.text(&["--device", "wdt0", "status"]);
    assert_eq!(code, 6);
    assert_contains(&err, &["not a watchdog name"]);
}

#[test]
fn timeout_without_a_value_reads_sysfs() {
    let tree = Tree::new("timeout");
    tree.pi("watchdog0");
    tree.set("watchdog0", "timeout", "600\n");
    let (out, _, code) = tree.text(&["timeout"]);
    assert_eq!(code, 0);
    assert_contains(&out, &["timeout  600 s\n", "state    stopped\n"]);
    let (doc, _) = tree.json(&["timeout"]);
    assert_eq!(doc["result"]["timeout_s"], 600);
    assert_eq!(doc["result"]["changed"], false);
    assert!(doc["result"]["requested_s"].is_null());
}

#[test]
fn ping_never_starts_a_stopped_watchdog() {
    let tree = Tree::new("ping");
    tree.pi("watchdog0");
    tree.node("watchdog0");
    let (_, err, code) = tree.text(&["ping"]);
    assert_eq!(code, 6);
    assert_contains(&err, &[&format!("{}: ping", tree.dev_text("watchdog0")), "not running", "wdtctl start"]);
    assert_eq!(tree.node_content("watchdog0"), "", "nothing was written to the node");
    let (doc, _) = tree.json(&["ping"]);
    assert_eq!(doc["error"]["exit"], "invalid-argument");
}

#[test]
fn stopping_a_stopped_watchdog_opens_nothing() {
    let tree = Tree::new("stop");
    tree.pi("watchdog0");
    // No node at all: stop must not need one.
    let (out, _, code) = tree.text(&["stop"]);
    assert_eq!(code, 0);
    assert_contains(&out, &["done     stopped\n", "already stopped"]);
    let (doc, _) = tree.json(&["stop"]);
    assert_eq!(doc["result"]["action"], "stopped");
    assert_eq!(doc["result"]["was_running"], false);
    assert_eq!(doc["result"]["running"], false);
}

#[test]
fn abi_commands_without_a_node_say_it_is_missing() {
    let tree = Tree::new("nonode");
    tree.pi("watchdog0");
    tree.set("watchdog0", "state", "active\n");
    for args in [
        &["start"][..],
        &["stop"],
        &["ping"],
        &["timeout", "30"],
        &["keepalive", "--count", "1"],
        &["selftest"],
    ] {
        let (_, err, code) = tree.text(args);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert_contains(
            &err,
            &[&format!("{}: open: No such file or directory", tree.dev_text("watchdog0")), "devtmpfs"],
        );
    }
}

/// The guard that leaves a watchdog as found: after a failed ioctl, a stopped watchdog gets the magic
/// character (so that it stops again), a running one does not (so that it keeps running).
#[test]
fn a_failed_timeout_change_leaves_the_watchdog_as_found() {
    let tree = Tree::new("restore");
    tree.pi("watchdog0");
    tree.node("watchdog0");
    let (_, err, code) = tree.text(&["timeout", "30"]);
    assert_eq!(code, 7, "{err}");
    assert_contains(&err, &["set timeout: Inappropriate ioctl for device"]);
    assert_eq!(tree.node_content("watchdog0"), "V", "stopped before: magic close");

    tree.node("watchdog0");
    tree.set("watchdog0", "state", "active\n");
    let (_, _, code) = tree.text(&["timeout", "30"]);
    assert_eq!(code, 7);
    assert_eq!(tree.node_content("watchdog0"), "", "running before: closed without 'V'");
}

#[test]
fn nowayout_stopped_watchdogs_are_never_opened_as_a_side_effect() {
    let tree = Tree::new("nowayout");
    tree.pi("watchdog0");
    tree.set("watchdog0", "nowayout", "1\n");
    // No node: if wdtctl tried to open one, it would fail with exit 3.
    let (_, err, code) = tree.text(&["timeout", "30"]);
    assert_eq!(code, 5);
    assert_contains(&err, &["nowayout is set and the watchdog is stopped", "wdtctl start"]);

    let (out, _, code) = tree.text(&["selftest"]);
    assert_eq!(code, 0, "{out}");
    assert_contains(
        &out,
        &[
            "sysfs",
            "PASS",
            "rpi_wdt reset reason  PASS",
            "standard ABI          SKIP",
            "result                PASS",
        ],
    );
    let (doc, _) = tree.json(&["selftest"]);
    let steps = doc["result"]["steps"].as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(last["skipped"], true);
    assert_eq!(last["passed"], true);
    assert_eq!(doc["result"]["passed"], true);
}

#[test]
fn selftest_fails_with_8_when_reset_reason_and_rsts_disagree() {
    let tree = Tree::new("selftest");
    tree.pi("watchdog0");
    tree.set("watchdog0", "nowayout", "1\n");
    tree.set("watchdog0", "rsts", "0x00000020\n");
    let (out, _, code) = tree.text(&["selftest"]);
    assert_eq!(code, 8);
    assert_contains(
        &out,
        &["rpi_wdt reset reason  FAIL", "decodes to watchdog-or-reboot", "result                FAIL"],
    );
}

#[test]
fn selftest_on_a_node_without_watchdog_ioctls_fails_its_steps_and_stops_it_again() {
    let tree = Tree::new("selftest-abi");
    tree.pi("watchdog0");
    tree.node("watchdog0");
    let (doc, code) = tree.json(&["selftest"]);
    assert_eq!(code, 8, "{doc}");
    let steps = doc["result"]["steps"].as_array().unwrap();
    let step =
        |name: &str| steps.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{name}: {doc}"));
    assert_eq!(step("sysfs")["passed"], true);
    assert_eq!(step("open")["passed"], true);
    assert_eq!(step("support")["passed"], false);
    assert_eq!(step("keepalive")["passed"], false);
    // The stand-in node is a regular file, which any number of processes may open.
    assert_eq!(step("single open")["passed"], false);
    // It was stopped before, so it is closed with 'V' and sysfs must read stopped afterwards.
    assert_eq!(step("magic close")["passed"], true);
    assert_eq!(tree.node_content("watchdog0"), "V");
}

#[test]
fn help_documents_the_test_hooks_and_devices() {
    let out = Command::new(env!("CARGO_BIN_EXE_wdtctl")).arg("--help").output().unwrap();
    let help = text(&out.stdout);
    assert_contains(&help, &["WDTCTL_SYSFS_CLASS", "WDTCTL_DEV_DIR", "/dev/watchdogN", "rsts", "Exit codes"]);
}
