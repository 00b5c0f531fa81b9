//! wdtctl beyond rpi_wdt's own node: on another driver's watchdog (the kernel's softdog, loaded with
//! `soft_noboot=1` so that it never resets anything), where its arming commands can run on any
//! target, and with rpi_wdt unloaded, where it must say how to get the driver back.

use crate::scenarios::read_attrs;
use crate::step::{built_in, contains, exits, sh, sh_status, Outcome};
use crate::target::Target;

/// softdog's identity in sysfs.
const SOFTDOG_IDENTITY: &str = "Software Watchdog";

/// softdog's node, found by its identity (rpi_wdt, loaded first, is watchdog0).
fn softdog_node(t: &mut dyn Target) -> Result<String, String> {
    let out = sh(
        t,
        &format!(
            "for d in /sys/class/watchdog/watchdog*; do grep -qx '{SOFTDOG_IDENTITY}' $d/identity && basename $d; done; true"
        ),
    )?;
    out.split_whitespace().next().map(|w| format!("/dev/{w}")).ok_or("softdog registered no watchdog".into())
}

pub fn on_softdog(t: &mut dyn Target, bench: &mut crate::step::Bench) -> Result<Outcome, String> {
    if sh_status(t, "grep -q '^softdog ' /proc/modules")?.0 == 0 {
        return Err("softdog is loaded already: someone may rely on it; unload it first".into());
    }
    if sh_status(t, "modprobe softdog soft_noboot=1")?.0 != 0 {
        return Ok(Outcome::skip("this kernel has no softdog module (CONFIG_SOFT_WATCHDOG=m)"));
    }
    let result = (|| -> Result<Vec<String>, String> {
        let node = softdog_node(t)?;
        let wd = format!("wdtctl --device {node}");
        let name = node.trim_start_matches("/dev/");
        contains("softdog info", &sh(t, &format!("wdtctl --device {name} info"))?, &[SOFTDOG_IDENTITY])?;
        contains("softdog timeout", &sh(t, &format!("{wd} --json timeout 20"))?, &["\"timeout_s\":20"])?;
        let out = sh(t, &format!("{wd} selftest"))?;
        if out.contains("FAIL") {
            return Err(format!("wdtctl selftest on softdog:\n{out}"));
        }
        let out = sh(t, &format!("{wd} keepalive --interval 1 --count 3"))?;
        contains("keepalive", &out, &["ping 1", "ping 3", "magic close"])?;
        if sh(t, "dmesg | tail -n 5")?.contains("did not stop") {
            return Err("magic close did not stop softdog".into());
        }
        let gpio = &bench.heartbeat_gpio;
        let chip = gpio.split(':').next().unwrap_or("gpiochip0");
        let out = sh(t, &format!("{wd} keepalive --interval 1 --count 2 --heartbeat-gpio {gpio}"))?;
        contains("keepalive with a heartbeat line", &out, &["ping 2", "magic close"])?;
        exits(
            t,
            &format!("{wd} keepalive --count 1 --heartbeat-gpio {chip}:999"),
            6,
            &[&format!("{chip} line 999")],
        )?;
        let out = sh(
            t,
            &format!(
                "{wd} keepalive --interval 1 > /tmp/rpi-wdt-hil-ka.log & pid=$!; sleep 3; kill -TERM $pid; wait $pid; \
                 echo exit=$?; cat /tmp/rpi-wdt-hil-ka.log"
            ),
        )?;
        contains("keepalive + SIGTERM", &out, &["exit=0", "ping 2", "magic close"])?;
        let out = sh(t, &format!("{wd} --json keepalive --interval 1 --count 1 --leave-running"))?;
        contains("keepalive --leave-running", &out, &["\"stopped\":false", "\"pings\":1"])?;
        contains("the watchdog core noticed", &sh(t, "dmesg | tail -n 3")?, &["did not stop"])?;
        sh(t, &format!("{wd} stop >/dev/null"))?;
        Ok(vec![format!(
            "softdog as {node}: info, timeout 20, selftest, keepalive with magic close, heartbeat line {gpio}, \
             SIGTERM, --leave-running"
        )])
    })();
    let unload = sh(t, "rmmod softdog");
    let figures = result?;
    unload?;
    Ok(Outcome::pass(figures))
}

pub fn without_driver(t: &mut dyn Target, _: &mut crate::step::Bench) -> Result<Outcome, String> {
    if let Some(why) = built_in(t, "rpi_wdt")? {
        return Ok(Outcome::skip(&why));
    }
    if read_attrs(t)?.active()? {
        return Err("the watchdog is running: something holds it, and rpi_wdt cannot be unloaded".into());
    }
    sh(t, "rmmod rpi_wdt")?;
    let text = exits(t, "wdtctl status", 3, &["modprobe rpi_wdt"]);
    let json = exits(
        t,
        "wdtctl --json status",
        3,
        &["\"ok\":false", "\"exit\":\"device-missing\"", "\"exit_code\":3"],
    );
    sh(t, "modprobe rpi_wdt")?;
    let text = text?;
    json?;
    read_attrs(t).map_err(|e| format!("after modprobe rpi_wdt: {e}"))?;
    let hint = text.lines().find(|l| l.contains("modprobe rpi_wdt")).unwrap_or("").trim().to_string();
    Ok(Outcome::pass(vec![
        format!("exit 3 with the hint: {hint}"),
        "JSON: device-missing, exit_code 3".into(),
    ]))
}
