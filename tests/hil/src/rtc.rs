//! The scenarios of the I2C real-time clock: maxim_rtc on a DS1307, DS1338 or DS3231 (on a board, the
//! chip the rpi-rtc overlay's parameter names; on QEMU, its DS1338 model), through the RTC class,
//! busybox `hwclock` and i2c-dev.
//!
//! Every scenario that moves the clock puts it back: to the target's system clock, or, after a
//! reboot, to the runner's UTC. What stock QEMU's DS1338 model lacks (a clock-halt bit, a time kept
//! over a reset, a time set from all registers at once) is the table's [`crate::needs::Need::RtcModel`].
//!
//! Not here: KUnit, the stand-in DS3231 and the boot without the chip, which need a special QEMU
//! machine or the raw console (tests/systest's rtc.rs).

use std::time::{SystemTime, UNIX_EPOCH};

use maxim_rtc_core::chip::Chip;
use maxim_rtc_core::regs::{DS1338_CONTROL, DS1338_CONTROL_OSF, SECONDS_CH};
use rpi_wdt_testkit::hwclock;

use crate::step::{built_in, contains, exits, sh, sh_status, wait_back_or_recover, Bench, Outcome};
use crate::target::Target;

const DRIVER_DIR: &str = "/sys/bus/i2c/drivers/maxim_rtc";
/// How far two clocks may disagree: a read is a few I2C transfers, and a command's round trip over
/// SSH or the console is part of what is compared.
const TOLERANCE_S: i64 = 2;
/// How far the reboot scenario moves the clock from the runner's time, so that a clock reset to
/// the right time by anything but the chip cannot pass.
const SHIFT_S: i64 = 3600;

/// The chip's I2C client and its clock, as found on the target.
struct Clock {
    /// The client, `BUS-00ADDR` (`1-0068`).
    client: String,
    /// Its first compatible (`dallas,ds1338`).
    compatible: String,
    /// The chip, from that compatible (`ds1338`; `?` for one maxim_rtc does not name).
    chip: &'static str,
    /// `/dev/rtcN`.
    dev: String,
}

impl Clock {
    /// The I2C bus number and address, for i2c-dev.
    fn bus_and_address(&self) -> Result<(&str, String), String> {
        let (bus, address) =
            self.client.split_once('-').ok_or_else(|| format!("{}: not an I2C client name", self.client))?;
        Ok((bus, format!("0x{}", address.trim_start_matches("00"))))
    }
}

/// The runner's UTC time, in seconds.
fn runner_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn is_qemu(t: &dyn Target) -> bool {
    t.name().starts_with("qemu:")
}

/// Finds the clock maxim_rtc drives. None (a skip) on a board without one; on QEMU the machine always
/// has the chip, so its absence fails.
fn find(t: &mut dyn Target) -> Result<Option<Clock>, String> {
    let (status, bound) = sh_status(t, &format!("ls {DRIVER_DIR}/ 2>/dev/null"))?;
    let clients: Vec<&str> = bound.split_whitespace().filter(|d| d.contains("-00")).collect();
    let client = match clients[..] {
        [client] => client.to_string(),
        [] if !is_qemu(t) => return Ok(None),
        _ => {
            return Err(format!(
                "expected one I2C client bound to maxim_rtc, found {clients:?} (ls exited {status})"
            ))
        }
    };
    let compatibles = sh(t, &format!("tr '\\0' ' ' < {DRIVER_DIR}/{client}/of_node/compatible"))?;
    let compatible = compatibles.split_whitespace().next().unwrap_or("?").to_string();
    let chip = Chip::from_compatible(&compatible).map_or("?", Chip::name);
    let rtc = sh(t, &format!("ls {DRIVER_DIR}/{client}/rtc/"))?;
    let dev = format!("/dev/{}", rtc.split_whitespace().next().ok_or(format!("{client} has no rtc device"))?);
    Ok(Some(Clock { client, compatible, chip, dev }))
}

const NO_CLOCK: &str = "no I2C client is bound to maxim_rtc here: add dtoverlay=rpi-rtc (with the chip's \
                        parameter) to config.txt and wire the module to pins 1, 3, 5 and 9";

/// Runs `scenario` on the clock, or skips where there is none.
fn with_clock(
    t: &mut dyn Target,
    scenario: impl FnOnce(&mut dyn Target, &Clock) -> Result<Outcome, String>,
) -> Result<Outcome, String> {
    match find(t)? {
        Some(clock) => scenario(t, &clock),
        None => Ok(Outcome::skip(NO_CLOCK)),
    }
}

fn seconds(text: &str, what: &str) -> Result<i64, String> {
    text.trim().parse().map_err(|e| format!("{what}: {text:?}: {e}"))
}

/// The clock's time through RTC_RD_TIME (rpi-rtc-check).
fn rtc_seconds(t: &mut dyn Target, clock: &Clock) -> Result<i64, String> {
    let out = sh(t, &format!("rpi-rtc-check read {}", clock.dev))?;
    let value =
        out.lines().find_map(|l| l.strip_prefix("# value seconds=")).ok_or(format!("no time in:\n{out}"))?;
    seconds(value, "RTC_RD_TIME")
}

fn system_seconds(t: &mut dyn Target) -> Result<i64, String> {
    seconds(&sh(t, "date -u +%s")?, "date -u +%s")
}

fn agree(what: &str, got: i64, want: i64) -> Result<(), String> {
    if (got - want).abs() <= TOLERANCE_S {
        Ok(())
    } else {
        Err(format!("{what}: {got}, expected {want} ± {TOLERANCE_S} s (off by {} s)", got - want))
    }
}

/// Puts the clock back to the target's system clock.
fn restore(t: &mut dyn Target, clock: &Clock) -> Result<(), String> {
    sh(t, &format!("hwclock -w -u -f {}", clock.dev)).map(drop)
}

pub fn probe_and_autoload(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    with_clock(t, |t, clock| {
        sh(t, "grep -q '^maxim_rtc ' /proc/modules").map_err(|e| format!("maxim_rtc is not loaded: {e}"))?;
        // Coldplug loads maxim_rtc by the client's modalias, which carries the compatible.
        let modalias = sh(t, &format!("cat {DRIVER_DIR}/{}/modalias", clock.client))?;
        contains("modalias", &modalias, &[&clock.compatible])?;
        let alias = sh(t, "grep maxim_rtc /lib/modules/$(uname -r)/modules.alias")?;
        for compatible in Chip::COMPATIBLES {
            contains("modules.alias's maxim_rtc lines", &alias, &[&format!("C{compatible} maxim_rtc")])?;
        }
        let rtc = clock.dev.trim_start_matches("/dev/");
        sh(t, &format!("test -c {}", clock.dev))?;
        let name = sh(t, &format!("cat /sys/class/rtc/{rtc}/name"))?;
        contains("the clock's name", &name, &["maxim_rtc", &clock.client])?;
        let hctosys = sh(t, &format!("cat /sys/class/rtc/{rtc}/hctosys"))?;
        let mut figures = vec![
            format!("{}: {} ({}) as {}", clock.client, clock.chip, modalias.trim(), clock.dev),
            format!("hctosys {} (1: the system clock was set from it at boot)", hctosys.trim()),
        ];
        // The kernel sets the system clock from rtc0 (CONFIG_RTC_HCTOSYS_DEVICE) when it registers,
        // and the RTC class says so on the client.
        if rtc == "rtc0" {
            if hctosys.trim() != "1" {
                return Err(format!(
                    "rtc0's hctosys is {:?}: the system clock was not set from it",
                    hctosys.trim()
                ));
            }
            let log = sh(t, "dmesg | grep 'setting system clock to'")?;
            contains(
                "the RTC class's hctosys message",
                &log,
                &[&format!("maxim_rtc {}: setting system clock to", clock.client)],
            )?;
        }
        if is_qemu(t) {
            // QEMU's model counts from the host's clock, so the system clock set from it does too.
            agree("the system clock set from the RTC at boot", system_seconds(t)?, runner_now())?;
            figures.push("the system clock agrees with the runner's UTC".into());
        }
        Ok(Outcome::pass(figures))
    })
}

pub fn hwclock_read_write(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    with_clock(t, |t, clock| {
        let mut figures = Vec::new();
        let before = rtc_seconds(t, clock)?;
        let offset = before - runner_now();
        // What the system clock is ahead of the runner, to put it back after moving it.
        let system_lead = system_seconds(t)? - runner_now();
        if is_qemu(t) {
            // QEMU's model counts from the host's clock.
            agree("RTC_RD_TIME against the runner's UTC", before, runner_now())?;
            agree("hwclock -r against the runner's UTC", hwclock_seconds(t, clock)?, runner_now())?;
        }
        figures.push(format!("the RTC was {offset:+} s from the runner's UTC"));
        let result = (|| {
            // The system clock into the chip and back, through busybox hwclock.
            sh(t, &format!("hwclock -w -u -f {}", clock.dev))?;
            agree("hwclock -r after -w", hwclock_seconds(t, clock)?, system_seconds(t)?)?;
            // 2031-05-06 07:08:09 UTC into the chip from the system clock, the system clock set to
            // 2001, and back from the chip: both directions of busybox hwclock.
            let then = 1_935_817_689;
            sh(t, &format!("date -u -s @{then} >/dev/null && hwclock -w -u -f {}", clock.dev))?;
            agree("the RTC after hwclock -w", rtc_seconds(t, clock)?, then)?;
            sh(t, &format!("date -u -s @978307200 >/dev/null && hwclock -s -u -f {}", clock.dev))?;
            agree("the system clock after hwclock -s", system_seconds(t)?, then)
        })();
        // The system clock back to where it was, then the chip from it.
        sh(t, &format!("date -u -s @{} >/dev/null", runner_now() + system_lead))?;
        restore(t, clock)?;
        result?;
        figures.push("hwclock -r, -w and -s, both ways through 2031-05-06".into());
        let result = (|| {
            // Refused times (the program checks each errno and that the clock kept its time), then
            // 2099-12-31 23:59:58 through RTC_SET_TIME: every chip holds it.
            sh(t, &format!("rpi-rtc-check invalid {}", clock.dev))?;
            agree("the RTC after the refused sets", rtc_seconds(t, clock)?, system_seconds(t)?)?;
            sh(t, &format!("rpi-rtc-check set {} 4102444798", clock.dev)).map(drop)
        })();
        restore(t, clock)?;
        result?;
        agree("the RTC after the restore", rtc_seconds(t, clock)?, system_seconds(t)?)?;
        figures
            .push("11 refused times leave the clock as it was; 2099-12-31 23:59:58 set and read back".into());
        Ok(Outcome::pass(figures))
    })
}

/// 2030-03-31 12:00 set while the clock is in February: a clock that took the registers one at a time
/// would pass through February 31st and land on March 3rd (stock QEMU's model does).
pub fn set_month_end(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    with_clock(t, |t, clock| {
        let result = sh(t, &format!("rpi-rtc-check set {} 1896177600", clock.dev))
            .and_then(|_| sh(t, &format!("rpi-rtc-check set {} 1901188800", clock.dev)));
        restore(t, clock)?;
        result?;
        Ok(Outcome::pass(vec!["2030-03-31 12:00 set from 2030-02-01 12:00 and read back".into()]))
    })
}

/// The time `hwclock -r -u` reads from the clock.
fn hwclock_seconds(t: &mut dyn Target, clock: &Clock) -> Result<i64, String> {
    let out = sh(t, &format!("hwclock -r -u -f {}", clock.dev))?;
    hwclock::parse(&out).ok_or_else(|| format!("cannot parse hwclock's output: {out:?}"))
}

/// The chip's register `reg`, read around its driver through i2c-dev.
fn i2cget(t: &mut dyn Target, clock: &Clock, reg: u8) -> Result<u8, String> {
    let (bus, address) = clock.bus_and_address()?;
    let out = sh(t, &format!("i2cget -f -y {bus} {address} {reg:#04x}"))?;
    u8::from_str_radix(out.trim().trim_start_matches("0x"), 16)
        .map_err(|e| format!("i2cget printed {out:?}: {e}"))
}

/// The driver's warning when the chip lost the time, counted in the kernel log.
fn lost_time_warnings(t: &mut dyn Target) -> Result<usize, String> {
    let out = sh(t, "dmesg | grep -c 'has lost the time' || true")?;
    out.trim().parse().map_err(|e| format!("grep -c printed {out:?}: {e}"))
}

pub fn stopped_oscillator(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    with_clock(t, |t, clock| {
        if clock.chip == "ds3231" {
            return Ok(Outcome::skip(
                "a DS3231's oscillator cannot be stopped from software while it has power (EOSC acts on \
                 battery only); the host tests and KUnit cover its stop flag",
            ));
        }
        let (bus, address) = clock.bus_and_address()?;
        let warnings = lost_time_warnings(t)?;
        let result = (|| {
            // The clock-halt bit stops the oscillator, as a flat battery leaves the chip; a DS1338
            // sets its oscillator-stop flag.
            sh(t, &format!("i2cset -f -y {bus} {address} 0x00 {SECONDS_CH:#04x}"))?;
            if clock.chip == "ds1338" && i2cget(t, clock, DS1338_CONTROL)? & DS1338_CONTROL_OSF == 0 {
                return Err("OSF is clear after the oscillator stopped".into());
            }
            // Two reads, through RTC_RD_TIME and hwclock: both EINVAL, with one warning between them.
            exits(t, &format!("rpi-rtc-check read {}", clock.dev), 1, &["# value errno=22"])?;
            let (status, out) = sh_status(t, &format!("hwclock -r -u -f {} 2>&1", clock.dev))?;
            if status == 0 || !out.contains("Invalid argument") {
                return Err(format!(
                    "hwclock -r on a stopped clock: exit {status}, {out:?}; expected EINVAL"
                ));
            }
            let log = sh(t, "dmesg | grep maxim_rtc | tail -n 3")?;
            contains("the driver's warning", &log, &["has lost the time", "hwclock --systohc"])?;
            let after = lost_time_warnings(t)?;
            if after != warnings + 1 {
                return Err(format!(
                    "{} 'has lost the time' warnings for two reads, expected one",
                    after - warnings
                ));
            }
            restore(t, clock)?;
            if i2cget(t, clock, 0)? & SECONDS_CH != 0 {
                return Err("the clock-halt bit is still set after hwclock -w".into());
            }
            if clock.chip == "ds1338" && i2cget(t, clock, DS1338_CONTROL)? & DS1338_CONTROL_OSF != 0 {
                return Err("OSF is still set after hwclock -w".into());
            }
            sh(t, "sleep 2")?;
            agree("the RTC 2 s after hwclock -w", rtc_seconds(t, clock)?, system_seconds(t)?)
        })();
        restore(t, clock)?;
        result.map(|()| {
            Outcome::pass(vec![format!(
                "{}: stopped, two reads EINVAL with one warning, set, counting",
                clock.chip
            )])
        })
    })
}

/// The DS3231's temperature through hwmon, in its operating range, and its aging offset through the
/// RTC class, agreeing with the register. Only a board shows them: QEMU models a DS1338 (the systest
/// binds a stand-in instead, rtc::ds3231_stand_in in tests/systest).
pub fn ds3231_sensors(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    use maxim_rtc_core::clock::PPB_PER_AGING_STEP;
    use maxim_rtc_core::regs::DS3231_AGING;
    with_clock(t, |t, clock| {
        if clock.chip != "ds3231" {
            return Ok(Outcome::skip(&format!(
                "the clock here is a {}, which has no temperature sensor or aging offset: a DS3231 module \
                 (dtoverlay=rpi-rtc) shows them",
                clock.chip
            )));
        }
        let names =
            sh(t, &format!("grep -l . {DRIVER_DIR}/{}/hwmon/hwmon*/name", clock.client)).map_err(|e| {
                format!("the DS3231 has no hwmon device (is CONFIG_RUST_HWMON_ABSTRACTIONS on?): {e}")
            })?;
        let dir = names.lines().next().and_then(|l| l.trim().strip_suffix("/name")).ok_or("no hwmon name")?;
        let name = sh(t, &format!("cat {dir}/name"))?;
        contains("the hwmon device's name", &name, &["ds3231"])?;
        let millidegrees = seconds(&sh(t, &format!("cat {dir}/temp1_input"))?, "temp1_input")?;
        // The DS3231's operating range is -40 to +85 degrees Celsius, in steps of a quarter.
        if !(-40_000..=85_000).contains(&millidegrees) || millidegrees % 250 != 0 {
            return Err(format!(
                "temp1_input is {millidegrees}: not a DS3231 reading (-40000 to 85000, steps of 250)"
            ));
        }
        let rtc = clock.dev.trim_start_matches("/dev/");
        let offset = seconds(&sh(t, &format!("cat /sys/class/rtc/{rtc}/offset"))?, "offset")?;
        let aging = i64::from(i2cget(t, clock, DS3231_AGING)? as i8);
        if offset != aging * PPB_PER_AGING_STEP {
            return Err(format!("the offset reads {offset} ppb, but the aging register holds {aging} steps"));
        }
        Ok(Outcome::pass(vec![
            format!("{dir}: {} at {:.2} degrees Celsius", name.trim(), millidegrees as f64 / 1000.0),
            format!("aging offset {offset} ppb ({aging} steps)"),
        ]))
    })
}

pub fn unbind_bind(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    const CYCLES: usize = 10;
    with_clock(t, |t, clock| {
        for i in 0..CYCLES {
            sh(t, &format!("echo {} > {DRIVER_DIR}/unbind", clock.client))?;
            let (gone, _) = sh_status(t, &format!("test -e {}", clock.dev))?;
            sh(t, &format!("echo {} > {DRIVER_DIR}/bind", clock.client))?;
            if gone == 0 {
                return Err(format!("cycle {i}: {} still there after unbind", clock.dev));
            }
            agree(&format!("cycle {i}: the RTC"), rtc_seconds(t, clock)?, system_seconds(t)?)?;
        }
        Ok(Outcome::pass(vec![format!("{CYCLES} unbind/bind cycles, the clock reading right after each")]))
    })
}

/// rmmod and modprobe by the client's modalias, as coldplug loads it: the clock goes and comes back.
pub fn rmmod_modprobe(t: &mut dyn Target, _: &mut Bench) -> Result<Outcome, String> {
    const CYCLES: usize = 5;
    with_clock(t, |t, clock| {
        if let Some(why) = built_in(t, "maxim_rtc")? {
            return Ok(Outcome::skip(&why));
        }
        let modalias = format!("/sys/bus/i2c/devices/{}/modalias", clock.client);
        for i in 0..CYCLES {
            sh(t, "rmmod maxim_rtc")?;
            let (gone, _) = sh_status(t, &format!("test -e {}", clock.dev))?;
            sh(t, &format!("modprobe $(cat {modalias})"))?;
            if gone == 0 {
                return Err(format!("cycle {i}: {} still there after rmmod", clock.dev));
            }
            // The I2C core binds the client when the driver registers.
            // A subshell: `exit` in the target's own shell would end the console session.
            sh(
                t,
                &format!("(for i in $(seq 20); do test -c {} && exit 0; sleep 0.2; done; exit 1)", clock.dev),
            )
            .map_err(|e| format!("cycle {i}: no {} after modprobe: {e}", clock.dev))?;
        }
        let clock = find(t)?.ok_or("after the cycles no clock is bound to maxim_rtc")?;
        agree("the RTC after the cycles", rtc_seconds(t, &clock)?, system_seconds(t)?)?;
        Ok(Outcome::pass(vec![format!(
            "{CYCLES} rmmod/modprobe cycles by modalias, {} back each time",
            clock.dev
        )]))
    })
}

pub fn survives_reboot(t: &mut dyn Target, bench: &mut Bench) -> Result<Outcome, String> {
    with_clock(t, |t, clock| {
        // An hour ahead of the runner, so that only the chip can bring that time back.
        let shifted = runner_now() + SHIFT_S;
        sh(t, &format!("rpi-rtc-check set {} {shifted}", clock.dev))?;
        let offset = rtc_seconds(t, clock)? - runner_now();
        let boot = t.boot_id()?;
        let _ = t.run("(sleep 1; reboot) >/dev/null 2>&1 &", std::time::Duration::from_secs(30));
        t.wait_gone(std::time::Duration::from_secs(120))?;
        let mut figures = Vec::new();
        let back = wait_back_or_recover(t, bench, &boot, &mut figures)?;
        let clock = find(t)?.ok_or("after the reboot no clock is bound to maxim_rtc")?;
        let result = (|| {
            agree(
                "the RTC's lead on the runner after the reboot",
                rtc_seconds(t, &clock)? - runner_now(),
                offset,
            )?;
            // The system clock was set from the chip at boot, and has counted since.
            agree("the system clock's lead after the reboot", system_seconds(t)? - runner_now(), offset)
        })();
        // Back to the runner's time, the system clock first.
        sh(t, &format!("date -u -s @{} >/dev/null", runner_now()))?;
        restore(t, &clock)?;
        result?;
        figures.insert(
            0,
            format!(
                "{offset:+} s ahead of the runner before and after a reboot ({:.1} s)",
                back.as_secs_f64()
            ),
        );
        Ok(Outcome::pass(figures))
    })
}
