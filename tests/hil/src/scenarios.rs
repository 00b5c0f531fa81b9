//! The scenario suite. Each scenario runs on any target and returns pass, fail or skip (with the reason
//! it cannot run there), with figures where it measures something.
//!
//! rpi_wdt sits on the kernel's watchdog core: its node is `/dev/watchdog0` (and the legacy
//! `/dev/watchdog`), its state is in `/sys/class/watchdog/watchdog0/`, and wdtctl reads that sysfs
//! directory (JSON schema 2) and uses the standard ABI for the rest. Opening the node arms the
//! watchdog, so every scenario that opens it needs a watchdog that counts (a board, or QEMU with the
//! project's model): on stock QEMU, arming resets the machine at once. The real-time clock's
//! scenarios are in [`crate::rtc`].

use std::fmt::Debug;
use std::time::{Duration, Instant, SystemTime};

use rpi_wdt_core::boot_status::ResetCause;
use rpi_wdt_testkit::splat;
use rpi_wdt_testkit::tap::Tap;
use rpi_wdt_testkit::timing;

use crate::hwtrace;
use crate::json::{self, At, Value};
use crate::needs::Need;
use crate::step::{built_in, contains, exits, sh, sh_status, wait_back_or_recover, Bench, Outcome};
use crate::sysfs::{self, Attrs, Node, DRIVER_DIR, IDENTITY, LEGACY_NODE, NODE, SYSFS};
use crate::target::{Countdown, Target};

/// The timeouts of the two expiry scenarios: one the hardware holds by itself, and one above its
/// 16 s, which the kernel's watchdog core makes up by reloading the hardware.
const SHORT_EXPIRY_S: u32 = 5;
const LONG_EXPIRY_S: u32 = 20;
/// Scratch files on the target.
const SCRATCH: &str = "/tmp/rpi-wdt-hil";

/// The values of `KEY=VALUE` lines for `key`.
fn labelled<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(str::trim_end).collect()
}

pub(crate) fn one<'a>(text: &'a str, key: &str) -> Result<&'a str, String> {
    labelled(text, key).first().copied().ok_or_else(|| format!("no {key}= line in:\n{text}"))
}

pub(crate) fn read_attrs(t: &mut dyn Target) -> Result<Attrs, String> {
    let out = sh(t, &sysfs::read_command(SYSFS))
        .map_err(|e| format!("cannot read {SYSFS} (is rpi_wdt loaded? is CONFIG_WATCHDOG_SYSFS on?): {e}"))?;
    Ok(Attrs::parse(&out))
}

/// Collects what differs from what it should be, to report all of it at once.
#[derive(Default)]
pub(crate) struct Expect {
    problems: Vec<String>,
}

impl Expect {
    pub(crate) fn that(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.problems.push(what.into());
        }
    }

    pub(crate) fn eq<T: PartialEq + Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.problems.push(format!("{what}: {got:?}, expected {want:?}"));
        }
    }

    pub(crate) fn extend(&mut self, problems: Vec<String>) {
        self.problems.extend(problems);
    }

    /// A JSON field equals a value.
    pub(crate) fn json(&mut self, doc: &Value, path: &str, want: Value) {
        match doc.at(path) {
            Some(got) if *got == want => {}
            Some(got) => self.problems.push(format!("{path} is {got}, expected {want}")),
            None => self.problems.push(format!("{path} is missing")),
        }
    }

    pub(crate) fn done(self, context: &str) -> Result<(), String> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{context}:\n  {}", self.problems.join("\n  ")))
        }
    }
}

fn num(n: u64) -> Value {
    Value::from(n)
}

fn text(s: &str) -> Value {
    Value::from(s)
}

/// wdtctl's answer to one `--json` command.
struct Json {
    status: i32,
    doc: Value,
    stderr: String,
}

const STDERR_MARK: &str = "@@rpi-wdt-hil-stderr@@";

/// Reads what [`wdtctl_json`] printed: the one JSON document on stdout, then the marker and stderr.
/// The document must be schema 2 and answer `command`.
fn parse_wdtctl_json(out: &str, command: &str) -> Result<(Value, String), String> {
    let (stdout, stderr) = out.split_once(STDERR_MARK).unwrap_or((out, ""));
    let docs: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with('{')).collect();
    let [line] = docs[..] else {
        return Err(format!("expected one JSON document from wdtctl {command}, got {}:\n{out}", docs.len()));
    };
    let doc = json::parse(line).map_err(|e| format!("wdtctl --json {command}: {e}:\n{line}"))?;
    let schema = doc.get("schema").and_then(Value::as_u64);
    if schema != Some(2) {
        return Err(format!(
            "wdtctl --json {command}: schema {schema:?}, expected 2 (an older wdtctl?):\n{line}"
        ));
    }
    if doc.get("command").and_then(Value::as_str) != Some(command) {
        return Err(format!("wdtctl --json {command} answered another command:\n{line}"));
    }
    Ok((doc, stderr.trim().to_string()))
}

/// Runs `wdtctl --json ARGS` (as `run_as`, when given) and reads its document.
fn wdtctl_json_as(t: &mut dyn Target, run_as: &str, args: &str) -> Result<Json, String> {
    let command = args.split_whitespace().find(|w| !w.starts_with('-')).unwrap_or("").to_string();
    let err = format!("{SCRATCH}.err");
    let (status, out) = sh_status(
        t,
        &format!(
            "({run_as}wdtctl --json {args} 2>{err}; rc=$?; echo; echo {STDERR_MARK}; cat {err}; exit $rc)"
        ),
    )?;
    let (doc, stderr) = parse_wdtctl_json(&out, &command)?;
    let ok = doc.get("ok").and_then(Value::as_bool);
    if ok != Some(status == 0) {
        return Err(format!("wdtctl --json {args}: exit {status} but \"ok\" is {ok:?}:\n{out}"));
    }
    Ok(Json { status, doc, stderr })
}

fn wdtctl_json(t: &mut dyn Target, args: &str) -> Result<Json, String> {
    wdtctl_json_as(t, "", args)
}

/// A successful `wdtctl --json ARGS`.
fn wdtctl_ok(t: &mut dyn Target, args: &str) -> Result<Value, String> {
    let j = wdtctl_json(t, args)?;
    if j.status != 0 {
        return Err(format!("wdtctl --json {args} exited {}: {}\n{}", j.status, j.doc, j.stderr));
    }
    Ok(j.doc)
}

/// Whether a scenario that arms the watchdog can run: None if it can, Some(reason) to skip, an error
/// when the target is not fit for it. `stops_it`: the scenario stops the watchdog again (impossible
/// under nowayout).
pub(crate) fn armable(t: &mut dyn Target, stops_it: bool) -> Result<Option<String>, String> {
    if let Some(why) = Need::Countdown.unmet(t) {
        return Ok(Some(why.into()));
    }
    let a = read_attrs(t)?;
    if !a.present("rsts") {
        return Err(format!(
            "watchdog0 is not rpi_wdt's (identity {:?}, no rsts): the suite would arm another watchdog",
            a.get("identity").unwrap_or("?")
        ));
    }
    if stops_it && a.nowayout()? {
        return Ok(Some(
            "nowayout is set (rpi_wdt's nowayout= or CONFIG_WATCHDOG_NOWAYOUT): once armed, the watchdog could \
             not be stopped again; load rpi_wdt without it"
                .into(),
        ));
    }
    if a.active()? {
        return Err(format!(
            "the watchdog is running already: something holds it (systemd's RuntimeWatchdogSec=, a watchdog \
             daemon); 'fuser -v {NODE} {LEGACY_NODE}' names it"
        ));
    }
    Ok(None)
}

/// Puts the timeout back as the scenario found it (through the standard ABI: arms and stops).
fn restore_timeout(t: &mut dyn Target, timeout_s: u64) -> Result<(), String> {
    let a = read_attrs(t)?;
    if a.num("timeout")? != timeout_s {
        sh(t, &format!("wdtctl timeout {timeout_s} >/dev/null"))?;
    }
    let a = read_attrs(t)?;
    if a.num("timeout")? != timeout_s || a.active()? {
        return Err(format!(
            "could not restore the timeout {timeout_s} s: now {} s, state {}",
            a.get("timeout")?,
            a.get("state")?
        ));
    }
    Ok(())
}

fn inactive(t: &mut dyn Target, after: &str) -> Result<(), String> {
    let a = read_attrs(t)?;
    if a.active()? {
        return Err(format!("the watchdog is still running after {after}"));
    }
    Ok(())
}

pub fn probe_and_autoload(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    sh(t, "grep -q '^rpi_wdt ' /proc/modules").map_err(|e| format!("rpi_wdt is not loaded: {e}"))?;
    let bound = sh(t, &format!("ls {DRIVER_DIR}/"))?;
    let devices: Vec<&str> = bound.split_whitespace().filter(|d| d.ends_with(".watchdog")).collect();
    let [device] = devices[..] else {
        return Err(format!("expected one device bound to rpi_wdt, found {devices:?}"));
    };
    let compatible = sh(t, &format!("tr '\\0' ' ' < {DRIVER_DIR}/{device}/of_node/compatible"))?;
    contains("compatible", &compatible, &[sysfs::COMPATIBLE])?;
    // Coldplug loads rpi_wdt by the device's modalias, which depmod's modules.alias maps to it.
    let modalias = sh(t, &format!("cat {DRIVER_DIR}/{device}/modalias"))?;
    contains("modalias", &modalias, &[sysfs::COMPATIBLE])?;
    sh(t, &format!("grep -q 'C{}' /lib/modules/$(uname -r)/modules.alias", sysfs::COMPATIBLE))
        .map_err(|e| format!("modules.alias does not map the compatible to rpi_wdt: {e}"))?;
    let probe = sh(t, "dmesg | grep -m1 'rpi_wdt .*PM watchdog: watchdog' | sed 's/^\\[[^]]*\\] //'")?;
    let mut figures = vec![format!("{device}: {}", modalias.trim())];
    figures.push(if probe.trim().is_empty() {
        "the probe message is no longer in dmesg".into()
    } else {
        probe.trim().to_string()
    });
    Ok(Outcome::pass(figures))
}

pub fn sysfs_and_nodes(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let a = read_attrs(t)?;
    let mut e = Expect::default();
    e.extend(sysfs::problems(&a));
    if a.active()? {
        e.that(
            false,
            format!(
                "state is active on a fresh boot: something holds the watchdog ('fuser -v {NODE} {LEGACY_NODE}'), \
                 or it was running at probe"
            ),
        );
    }

    let stat = sh(t, &format!("stat -c '{}' {NODE} {LEGACY_NODE}", sysfs::STAT_FORMAT))
        .map_err(|e| format!("the nodes: {e}"))?;
    let nodes: Vec<Node> =
        stat.lines().filter(|l| !l.trim().is_empty()).map(Node::parse).collect::<Result<_, _>>()?;
    let [node, legacy] = &nodes[..] else { return Err(format!("unexpected stat output:\n{stat}")) };
    e.extend(node.problems());
    e.extend(legacy.problems());
    e.eq(&format!("{NODE}'s device number (sysfs dev)"), Ok(node.devnum), a.devnum());
    e.eq(
        &format!("{LEGACY_NODE}'s device number (misc, WATCHDOG_MINOR)"),
        legacy.devnum,
        sysfs::LEGACY_DEVNUM,
    );

    let links = sh(
        t,
        &format!(
            "echo device=$(readlink -f {SYSFS}/device); for d in {DRIVER_DIR}/*.watchdog; do echo bound=$(readlink -f $d); \
             done; echo driver=$(basename \"$(readlink -f {SYSFS}/device/driver)\"); \
             echo compatible=$(tr '\\0' ' ' < {SYSFS}/device/of_node/compatible); echo class=$(ls {SYSFS}/device/watchdog)"
        ),
    )?;
    let device = one(&links, "device")?;
    e.eq("the driver bound to watchdog0's device", one(&links, "driver")?, "rpi_wdt");
    e.that(
        labelled(&links, "bound") == [device],
        format!("watchdog0's device is {device}, but rpi_wdt is bound to {:?}", labelled(&links, "bound")),
    );
    e.that(
        one(&links, "compatible")?.contains(sysfs::COMPATIBLE),
        format!("watchdog0's device is not the overlay's node: compatible {:?}", one(&links, "compatible")?),
    );
    e.eq("the watchdog class devices of the platform device", one(&links, "class")?, "watchdog0");

    // Reading everything (twice now) armed nothing.
    let again = read_attrs(t)?;
    e.eq("state after reading every attribute", again.get("state")?, a.get("state")?);
    e.done("watchdog0")?;

    let rsts = a.hex("rsts")?;
    Ok(Outcome::pass(vec![
        format!(
            "{:?}, options {}, timeout {} s (min {}, max {} = none), fw_version {}, nowayout {}, {}",
            a.get("identity")?,
            a.get("options")?,
            a.get("timeout")?,
            a.get("min_timeout")?,
            a.get("max_timeout")?,
            a.get("fw_version")?,
            a.get("nowayout")?,
            a.get("state")?
        ),
        format!(
            "reset_reason {}, rsts {} (partition {}), bootstatus {}",
            a.get("reset_reason")?,
            a.get("rsts")?,
            sysfs::partition(rsts),
            a.get("bootstatus")?
        ),
        format!(
            "{NODE} {}:{} and {LEGACY_NODE} {}:{}, both 600 root:root",
            node.devnum.0, node.devnum.1, legacy.devnum.0, legacy.devnum.1
        ),
        format!("watchdog0/device -> {device} (rpi_wdt)"),
    ]))
}

pub fn wdtctl_reads_sysfs(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let a = read_attrs(t)?;
    let active = a.active()?;
    let timeout = a.num("timeout")?;
    let bootstatus = a.num("bootstatus")?;
    let rsts = a.hex("rsts")?;
    let mut e = Expect::default();
    let common = |e: &mut Expect, doc: &Value| {
        e.json(doc, "result.device", text(NODE));
        e.json(doc, "result.name", text("watchdog0"));
        e.json(doc, "result.sysfs", text(SYSFS));
        e.json(doc, "result.interface", text("sysfs"));
        e.json(doc, "result.rpi_wdt", Value::Bool(true));
    };

    let info = wdtctl_ok(t, "info")?;
    common(&mut e, &info);
    e.json(&info, "result.identity", text(IDENTITY));
    e.json(&info, "result.options_raw", num(a.hex("options")?.into()));
    e.json(&info, "result.firmware_version", num(a.num("fw_version")?));
    e.json(&info, "result.state", text(a.get("state")?));
    e.json(&info, "result.running", Value::Bool(active));
    e.json(&info, "result.timeout_s", num(timeout));
    e.json(&info, "result.min_timeout_s", num(1));
    e.json(&info, "result.max_timeout_s", num(0));
    e.json(&info, "result.max_settable_timeout_s", num(sysfs::KERNEL_MAX_TIMEOUT_S));
    e.json(&info, "result.hw_timeout_s", num(16));
    e.json(&info, "result.kernel_extends_timeout", Value::Bool(true));
    e.json(&info, "result.pretimeout_s", Value::Null);
    e.json(&info, "result.nowayout", Value::Bool(a.nowayout()?));
    let options: Vec<&str> = info
        .at("result.options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    e.eq("info's options", options, vec!["CARDRESET", "SETTIMEOUT", "MAGICCLOSE", "KEEPALIVEPING"]);

    let status = wdtctl_ok(t, "status")?;
    common(&mut e, &status);
    e.json(&status, "result.identity", text(IDENTITY));
    e.json(&status, "result.state", text(a.get("state")?));
    e.json(&status, "result.running", Value::Bool(active));
    e.json(&status, "result.timeout_s", num(timeout));
    if !active {
        e.json(&status, "result.timeleft_s", num(0));
    }
    e.json(&status, "result.timeleft_ms", Value::Null);
    e.json(&status, "result.status_raw", num(a.hex("status")?.into()));
    e.json(&status, "result.bootstatus_raw", num(bootstatus));
    e.json(&status, "result.reset_reason", text(a.get("reset_reason")?));
    e.json(&status, "result.rsts", text(a.get("rsts")?));
    e.json(&status, "result.partition", num(sysfs::partition(rsts).into()));

    let boot = wdtctl_ok(t, "bootstatus")?;
    common(&mut e, &boot);
    e.json(&boot, "result.card_reset", Value::Bool(bootstatus & u64::from(sysfs::CARDRESET) != 0));
    e.json(&boot, "result.cause", text(a.get("reset_reason")?));
    e.json(&boot, "result.reset_reason", text(a.get("reset_reason")?));
    e.json(&boot, "result.rsts", text(a.get("rsts")?));
    e.json(&boot, "result.wdiof_raw", num(bootstatus));

    // Looking needs no root: sysfs is world-readable.
    let user = wdtctl_json_as(t, "rpi-wdt-run-as 65534 ", "status")?;
    e.that(user.status == 0, format!("wdtctl status as uid 65534 exited {}: {}", user.status, user.stderr));
    e.json(&user.doc, "result.timeout_s", num(timeout));
    // The tables print too (and read the same files).
    let table = sh(t, "wdtctl status && wdtctl info && wdtctl bootstatus")?;
    e.that(table.contains(IDENTITY), format!("the status table does not name {IDENTITY:?}:\n{table}"));

    let after = read_attrs(t)?;
    e.eq(
        "state after wdtctl info/status/bootstatus (looking arms nothing)",
        after.get("state")?,
        a.get("state")?,
    );
    e.done("wdtctl against sysfs")?;
    Ok(Outcome::pass(vec![format!(
        "info, status, bootstatus (as root and as uid 65534) match sysfs; state still {}",
        a.get("state")?
    )]))
}

pub fn abi_standard_node(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let timeout = read_attrs(t)?.num("timeout")?;
    let mut figures = Vec::new();
    let mut stable: Option<Vec<(String, String)>> = None;
    for (program, node) in
        [("rpi-wdt-abi-check", NODE), ("rpi-wdt-abi-check32", NODE), ("rpi-wdt-abi-check", LEGACY_NODE)]
    {
        let run = format!("{program} std {node}");
        let (status, out) = sh_status(t, &run)?;
        let tap = Tap::parse(&out);
        if let Some(problems) = tap.problems() {
            return Err(format!("{run} exited {status}:\n{problems}"));
        }
        if status != 0 {
            return Err(format!("{run} exited {status} with every check passed:\n{out}"));
        }
        let mut e = Expect::default();
        e.eq("options", tap.value("options"), Some("0x81a0"));
        e.eq("identity", tap.value("identity"), Some(IDENTITY));
        e.eq("min_timeout", tap.value("sysfs_min_timeout"), Some("1"));
        e.eq("max_timeout", tap.value("sysfs_max_timeout"), Some("0"));
        e.eq("GETTIMELEFT while stopped", tap.value("timeleft_stopped"), Some("0"));
        e.eq("sysfs timeleft while stopped", tap.value("sysfs_timeleft_stopped"), Some("0"));
        e.done(&run)?;
        inactive(t, &run)?;
        // What must not depend on the program's word size or on the node's name.
        let values: Vec<(String, String)> =
            ["options", "identity", "sysfs_bootstatus", "sysfs_min_timeout", "sysfs_max_timeout"]
                .iter()
                .map(|n| (n.to_string(), tap.value(n).unwrap_or("").to_string()))
                .collect();
        match &stable {
            Some(first) if *first != values => {
                return Err(format!("{run} saw {values:?}, the first run {first:?}"));
            }
            Some(_) => {}
            None => stable = Some(values),
        }
        figures.push(format!(
            "{run}: {} checks passed; time left after SETTIMEOUT 20: {} s",
            tap.count(),
            tap.value("timeleft_after_settimeout_20").unwrap_or("?")
        ));
    }

    // The kernel's own selftest program, unchanged: every one-shot option, then magic close.
    let run = format!("watchdog-test -f {NODE} -i -s -b -T -t 4 -T -L -d -e");
    let (_, out) = sh_status(t, &run)?;
    contains(
        &run,
        &out,
        &[
            &format!("identity:\t\t{IDENTITY}"),
            "Watchdog timeout set to 4 seconds.",
            "WDIOC_GETTIMEOUT returns 4 seconds.",
            "WDIOC_GETTIMELEFT returns",
            "Watchdog card disabled.",
            "Watchdog card enabled.",
        ],
    )?;
    if let Some(line) = out.lines().find(|l| l.contains(" error ")) {
        return Err(format!("{run}: {line}"));
    }
    inactive(t, &run)?;
    figures.push(format!("{run}: every option answered, magic close stopped it"));
    restore_timeout(t, timeout)?;
    Ok(Outcome::pass(figures))
}

pub fn wdtctl_selftest(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let before = read_attrs(t)?;
    let j = wdtctl_json(t, "selftest")?;
    let steps = j.doc.at("result.steps").and_then(Value::as_array).ok_or("no result.steps")?;
    let verdict = |s: &Value, key: &str| s.get(key).and_then(Value::as_bool).unwrap_or(false);
    let name = |s: &Value| s.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
    let detail = |s: &Value| s.get("detail").and_then(Value::as_str).unwrap_or("").to_string();
    let failed: Vec<String> = steps
        .iter()
        .filter(|s| !verdict(s, "passed"))
        .map(|s| format!("{}: {}", name(s), detail(s)))
        .collect();
    let skipped: Vec<String> = steps
        .iter()
        .filter(|s| verdict(s, "skipped"))
        .map(|s| format!("{} ({})", name(s), detail(s)))
        .collect();
    if j.status != 0 || !failed.is_empty() || j.doc.at("result.passed").and_then(Value::as_bool) != Some(true)
    {
        return Err(format!(
            "wdtctl selftest exited {}; failed steps:\n  {}\n{}",
            j.status,
            failed.join("\n  "),
            j.stderr
        ));
    }
    if steps.len() < 5 {
        return Err(format!("wdtctl selftest ran only {} steps: {}", steps.len(), j.doc));
    }
    let after = read_attrs(t)?;
    let mut e = Expect::default();
    e.eq("state after selftest", after.get("state")?, before.get("state")?);
    e.eq("timeout after selftest", after.get("timeout")?, before.get("timeout")?);
    e.done("wdtctl selftest leaves the watchdog as found")?;
    let mut figures = vec![format!(
        "{} steps, {} passed, {} skipped",
        steps.len(),
        steps.len() - skipped.len(),
        skipped.len()
    )];
    figures.extend(skipped.into_iter().map(|s| format!("skipped: {s}")));
    Ok(Outcome::pass(figures))
}

pub fn error_paths(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let before = read_attrs(t)?;
    let timeout = before.num("timeout")?;
    let stays = format!("the timeout stays {timeout} s");
    // None of these opens the node (safe without a countdown): they fail, or succeed, before it.
    let mut cases: Vec<(String, i32, Vec<String>)> = vec![
        ("wdtctl ping".into(), 6, vec![format!("{NODE}: ping"), "not running".into(), "wdtctl start".into()]),
        ("wdtctl stop".into(), 0, vec!["already stopped".into()]),
        ("wdtctl --device /nonexistent/wdt info".into(), 3, vec!["No such file".into()]),
        ("wdtctl --device /dev/rpi-wdt-ctl status".into(), 3, vec!["no longer has nodes of its own".into()]),
        ("wdtctl --device /dev/null status".into(), 3, vec!["not a watchdog".into()]),
        ("wdtctl --device watchdog9 status".into(), 3, vec!["the kernel has no watchdog9".into()]),
        (
            "rpi-wdt-run-as 65534 wdtctl timeout 5".into(),
            4,
            vec![format!("{NODE}: open: Permission denied"), "run wdtctl as root".into()],
        ),
        ("wdtctl bogus".into(), 2, vec!["Usage".into()]),
        ("wdtctl timeout 99999999999".into(), 2, vec!["invalid value".into()]),
    ];
    let opens = t.countdown() == Countdown::Counts && !before.nowayout()? && !before.active()?;
    if opens {
        // The kernel refuses these (EINVAL): wdtctl opens the node, and closes it by magic close.
        for bad in [0, sysfs::KERNEL_MAX_TIMEOUT_S + 1] {
            cases.push((
                format!("wdtctl timeout {bad}"),
                6,
                vec![
                    format!("{bad} s is outside"),
                    format!("1..{} s", sysfs::KERNEL_MAX_TIMEOUT_S),
                    stays.clone(),
                ],
            ));
        }
    }
    for (command, code, needles) in &cases {
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        exits(t, command, *code, &needles)?;
    }
    // The same failure as JSON.
    let j = wdtctl_json(t, "ping")?;
    let mut e = Expect::default();
    e.eq("wdtctl --json ping: exit", j.status, 6);
    e.json(&j.doc, "ok", Value::Bool(false));
    e.json(&j.doc, "error.device", text(NODE));
    e.json(&j.doc, "error.operation", text("ping"));
    e.json(&j.doc, "error.exit_code", num(6));
    e.json(&j.doc, "error.exit", text("invalid-argument"));
    e.that(
        j.doc.at("error.hint").and_then(Value::as_str).is_some_and(|h| h.contains("wdtctl start")),
        format!("error.hint does not mention wdtctl start: {}", j.doc),
    );
    let after = read_attrs(t)?;
    e.eq("timeout afterwards", after.get("timeout")?, before.get("timeout")?);
    e.eq("state afterwards", after.get("state")?, before.get("state")?);
    e.done("error paths")?;
    Ok(Outcome::pass(vec![format!(
        "{} error cases ({}), JSON error document; timeout and state unchanged",
        cases.len() + 1,
        if opens { "2 refused by the kernel" } else { "none opens the node" }
    )]))
}

pub fn concurrent_use(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let skip = armable(t, true)?;
    let holder = skip.is_none();
    let timeout = read_attrs(t)?.num("timeout")?;
    let busy = format!("{SCRATCH}-busy.log");
    let ka = format!("{SCRATCH}-ka.log");
    let script = format!(
        "{hold}pids=''; for i in 1 2 3 4; do (n=0; while [ $n -lt 100 ]; do wdtctl --json status >/dev/null || exit 1; \
         n=$((n+1)); done) & pids=\"$pids $!\"; done; fails=0; for j in $pids; do wait $j || fails=$((fails+1)); done; \
         echo readers_failed=$fails; {release}",
        hold = if holder {
            format!(
                "wdtctl keepalive --timeout 5 --interval 1 --count 120 >{ka} 2>&1 & ka=$!; i=0; \
                 while [ \"$(cat {SYSFS}/state)\" != active ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; \
                 echo held_state=$(cat {SYSFS}/state); \
                 if {{ printf x > {NODE}; }} 2>{busy}; then echo second_open=accepted; else echo second_open=refused; fi; \
                 echo \"second_open_error=$(cat {busy})\"; \
                 if {{ printf x > {LEGACY_NODE}; }} 2>{busy}; then echo legacy_open=accepted; else echo legacy_open=refused; fi; \
                 echo \"legacy_open_error=$(cat {busy})\"; \
                 wdtctl timeout 7 >{busy} 2>&1; echo timeout_exit=$?; echo \"timeout_error=$(tr '\\n' ' ' <{busy})\"; "
            )
        } else {
            String::new()
        },
        release = if holder {
            format!(
                "echo \"held_status=$(wdtctl --json status)\"; kill -TERM $ka; wait $ka; echo keepalive_exit=$?; \
                 echo \"keepalive_log=$(tr '\\n' ' ' <{ka})\"; "
            )
        } else {
            String::new()
        },
    );
    let out = sh(t, &script)?;
    let mut e = Expect::default();
    e.eq("readers that failed (4 x 100 wdtctl --json status)", one(&out, "readers_failed")?, "0");
    let mut figures = vec!["400 wdtctl status calls from 4 processes at once, all answered".to_string()];
    if holder {
        e.eq("state while held", one(&out, "held_state")?, "active");
        e.eq(&format!("a second open of {NODE}"), one(&out, "second_open")?, "refused");
        e.that(
            one(&out, "second_open_error")?.contains("Device or resource busy"),
            format!("{NODE} second open: {}", one(&out, "second_open_error")?),
        );
        e.eq(&format!("an open of {LEGACY_NODE} (the same watchdog)"), one(&out, "legacy_open")?, "refused");
        e.that(
            one(&out, "legacy_open_error")?.contains("Device or resource busy"),
            format!("{LEGACY_NODE} open: {}", one(&out, "legacy_open_error")?),
        );
        e.eq("wdtctl timeout 7 while held: exit", one(&out, "timeout_exit")?, "5");
        e.that(
            one(&out, "timeout_error")?.contains(&format!("fuser -v {NODE} {LEGACY_NODE}")),
            format!("wdtctl's busy hint does not name fuser on both nodes: {}", one(&out, "timeout_error")?),
        );
        let held = json::parse(one(&out, "held_status")?).map_err(|e| format!("held_status: {e}"))?;
        e.json(&held, "result.running", Value::Bool(true));
        e.json(&held, "result.timeout_s", num(5));
        let left = held.at("result.timeleft_s").and_then(Value::as_u64);
        e.that(left.is_some_and(|l| (1..=5).contains(&l)), format!("time left while held: {left:?} s of 5"));
        e.eq("keepalive's exit after SIGTERM", one(&out, "keepalive_exit")?, "0");
        e.that(
            one(&out, "keepalive_log")?.contains("stopped the watchdog (magic close)"),
            format!("keepalive log: {}", one(&out, "keepalive_log")?),
        );
        e.done("concurrent use")?;
        inactive(t, "the holder stopped")?;
        restore_timeout(t, timeout)?;
        figures.push(format!(
            "while wdtctl keepalive held it: {NODE} and {LEGACY_NODE} refused a second opener (EBUSY), wdtctl timeout \
             exit 5; time left {} s",
            left.unwrap_or(0)
        ));
    } else {
        e.done("concurrent use")?;
        figures.push(format!("no holder: {}", skip.unwrap_or_default()));
    }
    Ok(Outcome::pass(figures))
}

pub fn wdtctl_over_ssh(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let ssh = t.ssh().cloned().ok_or(Need::Ssh.reason())?;
    let wdtctl = rpi_wdt_testkit::project::root().join("target/release/wdtctl");
    if !wdtctl.is_file() {
        return Err(format!("{} is not built: run 'cargo build --release -p wdtctl'", wdtctl.display()));
    }
    let remote = sh(t, "command -v wdtctl")?.trim().to_string();
    // The runner's connection options (port, key) go in a stand-in `ssh`, as a ~/.ssh/config entry would.
    let dir = rpi_wdt_testkit::project::unique_temp_path("hil-ssh-wrapper");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let wrapper = dir.join("ssh");
    std::fs::write(&wrapper, ssh.wrapper_script()).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let run = |args: &[&str]| {
        std::process::Command::new(&wdtctl)
            .env("WDTCTL_SSH", &wrapper)
            .args(["--host", &ssh.destination])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", wdtctl.display()))
    };
    let result = (|| {
        let out = run(&["--remote-wdtctl", &remote, "--json", "status"])?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.code() != Some(0) {
            return Err(format!("wdtctl --host ... status: exit {:?}: {stdout}", out.status.code()));
        }
        let (doc, _) = parse_wdtctl_json(&stdout, "status")?;
        let mut e = Expect::default();
        e.json(&doc, "result.interface", text("sysfs"));
        e.json(&doc, "result.device", text(NODE));
        e.json(&doc, "result.identity", text(IDENTITY));
        e.done("wdtctl --host ... --json status")?;
        // A stopped watchdog is not pinged (exit 6), and wdtctl opens nothing to say so.
        let out = run(&["--remote-wdtctl", &remote, "ping"])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(6) || !stderr.contains("not running") {
            return Err(format!("the remote's exit code 6 came back as {:?}: {stderr}", out.status.code()));
        }
        let out = run(&["--remote-wdtctl", "/nonexistent/wdtctl", "status"])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(9) || !stderr.contains("was not found on the board") {
            return Err(format!("missing remote wdtctl: exit {:?}: {stderr}", out.status.code()));
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(Outcome::pass(vec![format!(
        "through ssh as {}: status (schema 2, sysfs), exit code 6, missing remote tool (exit 9)",
        ssh.destination
    )]))
}

/// `sample=STATE TIMELEFT TIMEOUT` lines, while the watchdog was active: (time left, timeout).
fn active_samples(out: &str) -> Vec<(u64, u64)> {
    labelled(out, "sample")
        .iter()
        .filter_map(|s| {
            let f: Vec<&str> = s.split_whitespace().collect();
            match f[..] {
                ["active", left, timeout] => Some((left.parse().ok()?, timeout.parse().ok()?)),
                _ => None,
            }
        })
        .collect()
}

pub fn keepalive_hold(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = armable(t, true)? {
        return Ok(Outcome::skip(&why));
    }
    let timeout = read_attrs(t)?.num("timeout")?;
    let boot = t.boot_id()?;
    let (json_out, err) = (format!("{SCRATCH}-ka.json"), format!("{SCRATCH}-ka.err"));
    let started = Instant::now();
    let out = sh(
        t,
        &format!(
            "wdtctl --json keepalive --timeout 3 --interval 1 --count 10 >{json_out} 2>{err} & ka=$!; \
             while kill -0 $ka 2>/dev/null; do echo \"sample=$(cat {SYSFS}/state) $(cat {SYSFS}/timeleft) \
             $(cat {SYSFS}/timeout)\"; sleep 0.5; done; wait $ka; echo keepalive_exit=$?; \
             echo \"keepalive_json=$(cat {json_out})\"; echo \"keepalive_err=$(tr '\\n' ' ' <{err})\""
        ),
    )?;
    let held = started.elapsed();
    let mut e = Expect::default();
    e.eq("wdtctl keepalive's exit", one(&out, "keepalive_exit")?, "0");
    let doc = json::parse(one(&out, "keepalive_json")?).map_err(|e| {
        format!("keepalive's JSON: {e}; stderr: {}", one(&out, "keepalive_err").unwrap_or(""))
    })?;
    e.json(&doc, "schema", num(2));
    e.json(&doc, "result.pings", num(10));
    e.json(&doc, "result.interval_s", num(1));
    e.json(&doc, "result.timeout_s", num(3));
    e.json(&doc, "result.interface", text("standard"));
    e.json(&doc, "result.stopped", Value::Bool(true));
    let samples = active_samples(&out);
    e.that(samples.len() >= 5, format!("only {} samples while it ran:\n{out}", samples.len()));
    e.that(samples.iter().all(|&(_, t)| t == 3), format!("sysfs timeout while held: {samples:?}"));
    // Time left is in whole seconds, rounded down, and a ping under emulation can come a second
    // late, so a sample may read 0; most must not, and the board staying up (the boot id below) is
    // what counts.
    let (min, max) = samples.iter().fold((u64::MAX, 0), |(lo, hi), &(l, _)| (lo.min(l), hi.max(l)));
    let above_zero = samples.iter().filter(|&&(l, _)| l >= 1).count();
    e.that(
        max <= 3 && above_zero * 2 > samples.len(),
        format!(
            "sysfs time left while held ranged {min}..{max} s, {above_zero} of {} samples 1 s or more \
             (a 3 s timeout pinged each second)",
            samples.len()
        ),
    );
    e.done("keepalive")?;
    if t.boot_id()? != boot {
        return Err("the board rebooted while being pinged".into());
    }
    inactive(t, "keepalive's magic close")?;
    restore_timeout(t, timeout)?;
    Ok(Outcome::pass(vec![format!(
        "held {:.1} s with a 3 s timeout: 10 pings, no reset; sysfs time left {min}..{max} s over {} samples",
        held.as_secs_f64(),
        samples.len()
    )]))
}

/// The device tree's `timeout-sec` (the overlay's timeout= parameter), from `od -An -tu1`.
fn dt_timeout(od: &str) -> Option<u64> {
    let bytes: Vec<u64> = od.split_whitespace().filter_map(|b| b.parse().ok()).collect();
    let [a, b, c, d] = bytes[..] else { return None };
    let v = (a << 24) | (b << 16) | (c << 8) | d;
    (1..=sysfs::KERNEL_MAX_TIMEOUT_S).contains(&v).then_some(v)
}

pub fn module_reload(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    if let Some(why) = built_in(t, "rpi_wdt")? {
        return Ok(Outcome::skip(&why));
    }
    let before = read_attrs(t)?;
    if before.active()? {
        return Err(format!("the watchdog is running: something holds it ('fuser -v {NODE} {LEGACY_NODE}')"));
    }
    let od = sh(t, &format!("od -An -tu1 {DRIVER_DIR}/*.watchdog/of_node/timeout-sec 2>/dev/null || true"))?;
    let default = dt_timeout(&od).unwrap_or(sysfs::DEFAULT_TIMEOUT_S);
    let mut figures = Vec::new();
    if t.countdown() == Countdown::ResetsAtOnce {
        figures.push(format!("rmmod while the watchdog runs: not tried ({})", Need::Countdown.reason()));
    } else if before.nowayout()? {
        figures.push(
            "rmmod while the watchdog runs: not tried (nowayout: it could not be stopped again)".into(),
        );
    } else {
        // Closed without magic close, the watchdog keeps counting, and the watchdog core keeps the
        // module pinned until it is stopped.
        sh(t, "wdtctl timeout 10 >/dev/null && wdtctl start >/dev/null")?;
        let (status, out) = sh_status(t, "rmmod rpi_wdt 2>&1")?;
        let loaded = sh_status(t, "grep -q '^rpi_wdt ' /proc/modules")?.0 == 0;
        let stop = sh_status(t, "wdtctl stop 2>&1")?;
        if status == 0 || !loaded {
            let _ = sh_status(t, "modprobe rpi_wdt");
            return Err(format!(
                "rmmod unloaded rpi_wdt while its watchdog ran (exit {status}): {}",
                out.trim()
            ));
        }
        if stop.0 != 0 {
            return Err(format!("wdtctl stop after the refused rmmod: exit {}: {}", stop.0, stop.1));
        }
        figures.push(format!("rmmod refused while the watchdog ran unopened: {}", out.trim()));
    }
    let probe_line = "dmesg | grep 'rpi_wdt .*PM watchdog: watchdog' | tail -n1 | sed 's/^\\[[^]]*\\] //'";
    let refused = "driver supplied timeout (4294968) out of range";
    let result = (|| -> Result<(), String> {
        for (param, want, message) in
            [("heartbeat=20", 20, None), ("heartbeat=4294968", default, Some(refused))]
        {
            let count = format!(
                "dmesg | grep -c '{}' || true",
                message.unwrap_or("@@none@@").replace(['(', ')'], ".")
            );
            let seen_before: u64 = sh(t, &count)?.trim().parse().unwrap_or(0);
            sh(t, &format!("rmmod rpi_wdt && modprobe rpi_wdt {param}"))?;
            let a = read_attrs(t)?;
            let mut e = Expect::default();
            e.extend(sysfs::problems(&a));
            e.eq("timeout", a.num("timeout")?, want);
            e.eq("state", a.get("state")?, "inactive");
            let probe = sh(t, probe_line)?;
            e.that(
                probe.contains(&format!("timeout {want} s")),
                format!("the probe message: {}", probe.trim()),
            );
            let stat = sh(t, &format!("stat -c '{}' {NODE} {LEGACY_NODE}", sysfs::STAT_FORMAT))?;
            for line in stat.lines().filter(|l| !l.trim().is_empty()) {
                e.extend(Node::parse(line)?.problems());
            }
            if let Some(message) = message {
                let seen: u64 = sh(t, &count)?.trim().parse().unwrap_or(0);
                e.that(seen > seen_before, format!("no {message:?} in dmesg"));
            }
            e.done(&format!("modprobe rpi_wdt {param}"))?;
            figures.push(match message {
                None => format!("{param}: timeout {want} s (the kernel reloads the 16 s hardware)"),
                Some(m) => format!("{param}: the watchdog core said \"{m}\"; timeout {want} s"),
            });
        }
        Ok(())
    })();
    // Back as it was, whatever happened.
    let reload = sh(t, "rmmod rpi_wdt 2>/dev/null; modprobe rpi_wdt");
    result?;
    reload?;
    let a = read_attrs(t)?;
    if a.num("timeout")? != default || a.active()? {
        return Err(format!(
            "after reloading without parameters: timeout {} s, {}",
            a.get("timeout")?,
            a.get("state")?
        ));
    }
    figures.push(format!("reloaded without parameters: timeout {default} s"));
    Ok(Outcome::pass(figures))
}

/// The boot status after a reset through the watchdog (an expiry or a reboot): sysfs bootstatus
/// CARDRESET (32), reset_reason watchdog-or-reboot, RSTS with it, and wdtctl saying the same.
pub(crate) fn watchdog_reset_reported(
    t: &mut dyn Target,
    expected_rsts: Option<u32>,
) -> Result<String, String> {
    let a = read_attrs(t)?;
    let mut e = Expect::default();
    e.eq("sysfs bootstatus", a.num("bootstatus")?, u64::from(sysfs::CARDRESET));
    e.eq("sysfs reset_reason", a.get("reset_reason")?, ResetCause::WatchdogOrReboot.name());
    e.extend(sysfs::reset_problems(&a));
    if let Some(rsts) = expected_rsts {
        e.eq("rsts as the driver read it at probe, and as the hardware left it", a.hex("rsts")?, rsts);
    }
    let doc = wdtctl_ok(t, "bootstatus")?;
    e.json(&doc, "result.card_reset", Value::Bool(true));
    e.json(&doc, "result.cause", text(ResetCause::WatchdogOrReboot.name()));
    e.json(&doc, "result.reset_reason", text(ResetCause::WatchdogOrReboot.name()));
    e.json(&doc, "result.wdiof_raw", num(sysfs::CARDRESET.into()));
    e.json(&doc, "result.rsts", text(a.get("rsts")?));
    e.done("boot status after the reset")?;
    Ok(format!(
        "boot status: bootstatus {} (CARDRESET), reset_reason {}, rsts {}; the watchdog is {} after the reset",
        a.get("bootstatus")?,
        a.get("reset_reason")?,
        a.get("rsts")?,
        a.get("state")?
    ))
}

/// Arms the watchdog with `timeout_s` through the standard ABI (`wdtctl keepalive --timeout`), pings it
/// once and closes without magic close; times the reset from that last ping with the best clock there
/// is (QEMU's trace of the hardware, else the fixture, else the runner's polling), follows the board
/// into its next boot and checks that it reports a watchdog reset.
fn timed_expiry(t: &mut dyn Target, bench: &mut Bench, timeout_s: u32) -> Result<Outcome, String> {
    if let Some(why) = armable(t, false)? {
        return Ok(Outcome::skip(&why));
    }
    let timeout = Duration::from_secs(timeout_s.into());
    let boot = t.boot_id()?;
    let traced = t.watch_hardware();
    let keepalive = format!("wdtctl keepalive --timeout {timeout_s} --count 1 --leave-running");
    let log = format!("{SCRATCH}-expiry.log");
    let sent = Instant::now();
    // One ping, then close without magic close: the countdown runs from that ping. With a fixture,
    // wdtctl also pulses the heartbeat line and holds it up until the reset.
    let output = match bench.fixture.as_mut() {
        Some(f) => {
            f.reset_events();
            sh(
                t,
                &format!(
                    "nohup {keepalive} --heartbeat-gpio {} </dev/null >{log} 2>&1 & i=0; \
                     while ! grep -q 'left the watchdog running' {log} && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; \
                     cat {log}",
                    bench.heartbeat_gpio
                ),
            )?
        }
        None => sh(t, &keepalive)?,
    };
    let returned = Instant::now();
    let returned_wall = SystemTime::now();
    contains(&keepalive, &output, &["ping 1", "left the watchdog running"])?;
    let last_seen = t.wait_gone(timeout + Duration::from_secs(30))?;
    let gone_after = last_seen.saturating_duration_since(returned);
    let mut figures = vec![format!(
        "runner: gone {:.2} s after the command that pinged last returned (it took {:.2} s)",
        gone_after.as_secs_f64(),
        returned.duration_since(sent).as_secs_f64()
    )];
    let mut problems = Vec::new();
    // The judged figure: (source, measured, tolerance).
    let mut judged: Option<(&str, Duration, timing::Tolerance)> = None;
    let mut traced_rsts = None;
    if traced {
        let events = t.hardware_events(Duration::from_secs(10));
        match hwtrace::expiry(&events, returned_wall) {
            Ok(x) => {
                figures.extend(x.figures());
                if x.ping_ticks != sysfs::load_ticks(timeout_s) {
                    problems.push(format!(
                        "the last ping loaded {}, the driver should load {} for a {timeout_s} s timeout",
                        hwtrace::ticks_text(x.ping_ticks),
                        hwtrace::ticks_text(sysfs::load_ticks(timeout_s))
                    ));
                }
                if timeout_s > 16 {
                    let hw = Duration::from_secs_f64(
                        f64::from(sysfs::MAX_TICKS) / f64::from(sysfs::TICKS_PER_SECOND),
                    );
                    if x.reloads.is_empty() {
                        problems.push("the kernel never reloaded the hardware after the last ping".into());
                    } else if !timing::EXPIRY.admits(x.after_last_load, hw) {
                        problems.push(format!(
                            "the hardware counted {:.3} s after the kernel's last reload, expected {}",
                            x.after_last_load.as_secs_f64(),
                            timing::EXPIRY.window(hw)
                        ));
                    }
                    if let Some((_, ticks)) = x.reloads.iter().find(|(_, ticks)| *ticks != sysfs::MAX_TICKS) {
                        problems.push(format!(
                            "a reload loaded {}, not a full counter",
                            hwtrace::ticks_text(*ticks)
                        ));
                    }
                } else if !x.reloads.is_empty() {
                    problems.push(format!(
                        "{} load(s) after the last ping: something kept pinging",
                        x.reloads.len()
                    ));
                }
                traced_rsts = Some(x.rsts);
                judged = Some(("QEMU trace", x.after_ping, timing::EXPIRY));
            }
            Err(why) => problems.push(format!("QEMU trace: {why}")),
        }
    }
    match bench.fixture.as_mut() {
        Some(f) => match f.expiry_measurement(Duration::from_secs(30)) {
            Ok(ms) => {
                figures.push(format!(
                    "fixture: reset {ms} ms after the last heartbeat ping ({} pings seen)",
                    f.pings_seen()
                ));
                if judged.is_none() {
                    judged = Some(("fixture", Duration::from_millis(ms), timing::EXPIRY));
                }
            }
            Err(e) => problems.push(format!("fixture: no measurement ({e})")),
        },
        None => {
            figures.push("fixture: absent (--fixture PORT gives a timing independent of the board)".into())
        }
    }
    let (source, measured, tolerance) =
        judged.unwrap_or(("the runner's estimate", gone_after + Duration::from_millis(1), timing::ESTIMATE));
    if !tolerance.admits(measured, timeout) {
        problems.push(format!(
            "{source}: reset {:.3} s after the last ping, outside {}",
            measured.as_secs_f64(),
            tolerance.window(timeout)
        ));
    }
    let back = wait_back_or_recover(t, bench, &boot, &mut figures)?;
    figures.push(format!("back {:.1} s later", back.as_secs_f64()));
    match watchdog_reset_reported(t, traced_rsts) {
        Ok(figure) => figures.push(figure),
        Err(e) => problems.push(e),
    }
    if !problems.is_empty() {
        return Err(format!(
            "{timeout_s} s timeout:\n{}\nfigures:\n{}",
            problems.join("\n"),
            figures.join("\n")
        ));
    }
    figures.insert(
        0,
        format!(
            "expired {:.3} s after the last ping ({source}; timeout {timeout_s} s, accepted {})",
            measured.as_secs_f64(),
            tolerance.window(timeout)
        ),
    );
    Ok(Outcome::pass(figures))
}

pub fn expiry(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    timed_expiry(t, bench, SHORT_EXPIRY_S)
}

pub fn expiry_long(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    timed_expiry(t, bench, LONG_EXPIRY_S)
}

pub fn reboot(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    let boot = t.boot_id()?;
    let traced = t.watch_hardware();
    // The ssh session may die with the board: do not wait for the command's answer.
    let _ = t.run("(sleep 1; reboot) >/dev/null 2>&1 &", Duration::from_secs(30));
    t.wait_gone(Duration::from_secs(120))?;
    let mut figures = Vec::new();
    let mut expected_rsts = None;
    if traced {
        let (ticks, after, rsts) = hwtrace::restart(&t.hardware_events(Duration::from_secs(10))).ok_or(
            "QEMU traced no restart through the watchdog: did another restart handler reset the machine?",
        )?;
        if ticks >= sysfs::TICKS_PER_SECOND / 100 {
            return Err(format!("the restart loaded {}: not a short countdown", hwtrace::ticks_text(ticks)));
        }
        figures.push(format!(
            "QEMU trace: the restart armed {} and expired {:.0} µs later (rsts {rsts:#010x})",
            hwtrace::ticks_text(ticks),
            after.as_secs_f64() * 1e6
        ));
        expected_rsts = Some(rsts);
    }
    let back = wait_back_or_recover(t, bench, &boot, &mut figures)?;
    figures.insert(0, format!("back {:.1} s after going down", back.as_secs_f64()));
    if t.countdown() == Countdown::ResetsAtOnce {
        // Stock QEMU's PM model resets RSTS to HADPOR with the machine: it cannot show a watchdog reset.
        let a = read_attrs(t)?;
        let mut e = Expect::default();
        e.extend(sysfs::reset_problems(&a));
        e.done("boot status after the reboot")?;
        figures.push(format!(
            "boot status {} (stock QEMU forgets RSTS at a reset: watchdog-or-reboot needs the model or a board)",
            a.get("reset_reason")?
        ));
    } else {
        figures.push(watchdog_reset_reported(t, expected_rsts)?);
    }
    Ok(Outcome::pass(figures))
}

pub fn kernel_log_clean(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let dmesg = sh(t, "dmesg")?;
    let mut found = splat::find(&dmesg, 12);
    if let Some(console) = t.console_log() {
        found.extend(splat::find(&console, 12));
    }
    if found.is_empty() {
        Ok(Outcome::pass(Vec::new()))
    } else {
        Err(format!("{} kernel report(s):\n{}", found.len(), found.join("\n---\n")))
    }
}

pub fn poweroff(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    let traced = t.watch_hardware();
    let _ = t.run("(sleep 1; poweroff) >/dev/null 2>&1 &", Duration::from_secs(30));
    t.confirm_powered_off()?;
    let mut figures = vec!["the target powered off".to_string()];
    if traced {
        let (ticks, _, rsts) = hwtrace::restart(&t.hardware_events(Duration::ZERO)).ok_or(
            "QEMU traced no power-off through the watchdog: did another handler power the machine off?",
        )?;
        if !hwtrace::is_halt(rsts) {
            return Err(format!(
                "the watchdog fired with rsts {rsts:#010x}: partition {}, not 63 (halt)",
                sysfs::partition(rsts)
            ));
        }
        figures.push(format!(
            "QEMU trace: power-off armed {} with partition 63 (halt) in RSTS ({rsts:#010x})",
            hwtrace::ticks_text(ticks)
        ));
    }
    Ok(Outcome::pass(figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wdtctl_json_and_its_stderr() {
        let out = format!(
            "{{\"schema\":2,\"command\":\"ping\",\"ok\":false,\"error\":{{\"exit_code\":6}}}}\n\n{STDERR_MARK}\n\
             wdtctl: /dev/watchdog0: ping: the watchdog is not running\n"
        );
        let (doc, stderr) = parse_wdtctl_json(&out, "ping").unwrap();
        assert_eq!(doc.at("error.exit_code").and_then(Value::as_u64), Some(6));
        assert_eq!(stderr, "wdtctl: /dev/watchdog0: ping: the watchdog is not running");
    }

    #[test]
    fn refuses_other_schemas_commands_and_garbage() {
        let old = "{\"schema\":1,\"command\":\"status\",\"ok\":true,\"result\":{}}\n";
        assert!(parse_wdtctl_json(old, "status").unwrap_err().contains("schema Some(1), expected 2"));
        let other = "{\"schema\":2,\"command\":\"info\",\"ok\":true,\"result\":{}}\n";
        assert!(parse_wdtctl_json(other, "status").unwrap_err().contains("answered another command"));
        assert!(parse_wdtctl_json("wdtctl: no such command\n", "status").unwrap_err().contains("got 0"));
        assert!(parse_wdtctl_json("{\"schema\":2,\n", "status").unwrap_err().contains("invalid JSON"));
    }

    #[test]
    fn labelled_lines() {
        let out = "x=1\nbound=/a\nbound=/b \nnot=labelled=here\n";
        assert_eq!(labelled(out, "bound"), ["/a", "/b"]);
        assert_eq!(one(out, "x"), Ok("1"));
        assert_eq!(one(out, "not"), Ok("labelled=here"));
        assert!(one(out, "y").is_err());
        assert!(labelled(out, "boun").is_empty(), "a key is matched whole");
    }

    #[test]
    fn keepalive_samples_while_active() {
        let out = "sample=inactive 0 15\nsample=active 2 3\nsample=active 1 3\nsample=active  3\nsample=inactive 0 3\n";
        assert_eq!(active_samples(out), [(2, 3), (1, 3)]);
    }

    #[test]
    fn device_tree_timeout() {
        assert_eq!(dt_timeout(" 0 0 0 10\n"), Some(10));
        assert_eq!(dt_timeout(" 0 0 1 44"), Some(300));
        assert_eq!(dt_timeout(""), None);
        assert_eq!(dt_timeout(" 0 0 0 0"), None, "0 is not a valid timeout");
        assert_eq!(dt_timeout(" 255 255 255 255"), None, "beyond the kernel's limit");
    }
}
