//! Which watchdog, and what the kernel says about it in sysfs.
//!
//! Every watchdog registered with the kernel's watchdog core has `/sys/class/watchdog/watchdogN/` and,
//! with `CONFIG_WATCHDOG_SYSFS`, the core's attributes there (identity, state, timeout, ...). Reading
//! them needs no open file, so looking never arms a watchdog. rpi_wdt adds `reset_reason` and `rsts`
//! in the same directory; an `rsts` file is how wdtctl recognises the Pi's watchdog.
//!
//! Test hooks: `WDTCTL_SYSFS_CLASS` replaces `/sys/class/watchdog` and `WDTCTL_DEV_DIR` replaces
//! `/dev`, so the host tests run against a fake tree in a temporary directory.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use rpi_wdt_core::boot_status::{BootStatus, ResetCause};
use rpi_wdt_core::ident::{RESET_REASON, RSTS};
use rustix::io::Errno;

use crate::error::{Error, Exit, Operation};

pub const CLASS_ENV: &str = "WDTCTL_SYSFS_CLASS";
pub const DEV_ENV: &str = "WDTCTL_DEV_DIR";
const DEFAULT_CLASS: &str = "/sys/class/watchdog";
const DEFAULT_DEV: &str = "/dev";

/// The longest timeout the watchdog core accepts from anyone (UINT_MAX / 1000 s).
pub const KERNEL_MAX_TIMEOUT_S: u32 = u32::MAX / 1000;
/// What the BCM2835 counts by itself, rounded up: one full load of its counter (15.999 s). Longer
/// timeouts are the watchdog core's: it keeps pinging the hardware until the longer timeout runs out.
pub const RPI_HW_TIMEOUT_S: u32 = rpi_wdt_core::timeout::MAX_HW_HEARTBEAT_MS.div_ceil(1000);
/// The legacy `/dev/watchdog` (misc major 10, WATCHDOG_MINOR 130), which the kernel gives watchdog0.
const LEGACY_DEVNUM: (u32, u32) = (10, 130);

/// Where the watchdogs are.
#[derive(Clone, Debug)]
pub struct Env {
    /// `/sys/class/watchdog`.
    pub class: PathBuf,
    /// `/dev`.
    pub dev: PathBuf,
}

impl Env {
    pub fn from_env() -> Env {
        let get = |name: &str, default: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        Env { class: get(CLASS_ENV, DEFAULT_CLASS), dev: get(DEV_ENV, DEFAULT_DEV) }
    }
}

/// The watchdog a command works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watchdog {
    /// `watchdogN`.
    pub name: String,
    /// The node to open for the standard ABI: `/dev/watchdogN`, or the node `--device` named.
    pub node: String,
    /// `/sys/class/watchdog/watchdogN`.
    pub sysfs: PathBuf,
    /// `node` is the legacy `/dev/watchdog`, watchdog0's second name.
    pub legacy: bool,
    /// The watchdog is rpi_wdt's (it has `rsts`).
    pub rpi_wdt: bool,
}

/// `watchdogN` → N.
pub fn watchdog_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("watchdog")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The major and minor number of a `dev_t` (glibc's encoding, which Linux's `stat` uses).
pub fn major_minor(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xffff_f000);
    let minor = (dev & 0xff) | ((dev >> 12) & 0xffff_ff00);
    (major as u32, minor as u32)
}

/// The kernel's watchdogs, by number.
pub fn list(env: &Env) -> Vec<String> {
    let mut found: Vec<(u32, String)> = std::fs::read_dir(&env.class)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            Some((watchdog_number(&name)?, name))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, name)| name).collect()
}

/// "watchdog0 (softdog), watchdog1 (rpi_wdt BCM2835 PM watchdog)", or None when there is none.
fn listing(env: &Env) -> Option<String> {
    let all = list(env);
    if all.is_empty() {
        return None;
    }
    let described: Vec<String> = all
        .iter()
        .map(|name| {
            let identity = std::fs::read_to_string(env.class.join(name).join("identity"))
                .map(|s| s.trim_end().to_string())
                .unwrap_or_else(|_| "identity unknown".into());
            format!("{name} ({identity})")
        })
        .collect();
    Some(described.join(", "))
}

fn others(env: &Env) -> String {
    match listing(env) {
        Some(list) => format!("The kernel's watchdogs: {list}."),
        None => format!("The kernel has no watchdog at all ({} is empty or missing).", env.class.display()),
    }
}

/// The watchdog `--device` names, or the rpi_wdt one.
pub fn resolve(device: Option<&str>, env: &Env) -> Result<Watchdog, Error> {
    match device {
        Some(spec) => named(spec, env),
        None => default_watchdog(env),
    }
}

fn at(env: &Env, name: &str, node: String, legacy: bool) -> Watchdog {
    let sysfs = env.class.join(name);
    let rpi_wdt = sysfs.join(RSTS).exists();
    Watchdog { name: name.to_string(), node, sysfs, legacy, rpi_wdt }
}

/// The first watchdog with an `rsts` file: the Pi's.
fn default_watchdog(env: &Env) -> Result<Watchdog, Error> {
    for name in list(env) {
        if env.class.join(&name).join(RSTS).is_file() {
            let node = env.dev.join(&name).display().to_string();
            return Ok(at(env, &name, node, false));
        }
    }
    let class = env.class.display().to_string();
    let old_module = list(env).into_iter().find(|name| {
        std::fs::read_to_string(env.class.join(name).join("identity"))
            .is_ok_and(|id| id.starts_with("rpi_wdt"))
    });
    if let Some(name) = old_module {
        return Err(Error::os(&class, Operation::Find, Errno::NOENT)
            .with_detail(format!("{name} identifies as rpi_wdt but has no rsts file"))
            .with_hint(format!(
                "this rpi_wdt module is older than wdtctl: install the module and wdtctl of the same release, \
                 or name the watchdog with --device {name}."
            )));
    }
    Err(Error::os(&class, Operation::Find, Errno::NOENT)
        .with_detail("no rpi_wdt watchdog (no watchdogN here has an rsts file)")
        .with_hint(format!(
            "load the driver: 'modprobe rpi_wdt'. On a board, check that config.txt has \
             'dtoverlay=rpi-wdt' and that overlays/rpi-wdt.dtbo exists; 'dmesg | grep rpi_wdt' shows probe \
             errors. For another watchdog, name it with --device /dev/watchdogN. {}",
            others(env)
        )))
}

/// Which class entry has this major:minor.
fn by_devnum(env: &Env, devnum: (u32, u32)) -> Option<(String, bool)> {
    if devnum == LEGACY_DEVNUM {
        return Some(("watchdog0".into(), true));
    }
    let wanted = format!("{}:{}", devnum.0, devnum.1);
    list(env).into_iter().find_map(|name| {
        let dev = std::fs::read_to_string(env.class.join(&name).join("dev")).ok()?;
        (dev.trim() == wanted).then_some((name, false))
    })
}

fn named(spec: &str, env: &Env) -> Result<Watchdog, Error> {
    let path = Path::new(spec);
    // A node in /dev is looked for in WDTCTL_DEV_DIR (the same place unless a test moves it).
    let node = match (path.parent(), path.file_name()) {
        (Some(parent), Some(file)) if parent == Path::new("/dev") => env.dev.join(file),
        (Some(parent), Some(file)) if parent == Path::new("") => env.dev.join(file),
        _ => path.to_path_buf(),
    };
    let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    let bare = !spec.contains('/');
    // A character device says by its major:minor which watchdog it is, whatever it is called (a udev
    // symlink, for example); without one, the name does.
    let meta = if bare && watchdog_number(file).is_none() && file != "watchdog" {
        None
    } else {
        Some(std::fs::metadata(&node))
    };
    let by_number = match &meta {
        Some(Ok(m)) if m.file_type().is_char_device() => by_devnum(env, major_minor(m.rdev())),
        _ => None,
    };
    let (name, legacy) = match by_number {
        Some(found) => found,
        None if file == "watchdog" => ("watchdog0".to_string(), true),
        None if watchdog_number(file).is_some() => (file.to_string(), false),
        None => {
            let old_node = spec.contains("rpi-wdt");
            let hint = if old_node {
                "rpi_wdt no longer has nodes of its own (/dev/rpi-wdt, /dev/rpi-wdt-ctl): it registers with \
                 the kernel's watchdog core as /dev/watchdogN. Run wdtctl without --device to use it."
                    .to_string()
            } else {
                format!(
                    "--device takes /dev/watchdogN, watchdogN or /dev/watchdog (watchdog0). {}",
                    others(env)
                )
            };
            let error = match meta {
                Some(Err(e)) => Error::io(spec, Operation::Find, &e),
                None if bare => {
                    Error::other(spec, Operation::Find, "not a watchdog name", Exit::InvalidArgument)
                }
                _ => Error::other(
                    spec,
                    Operation::Find,
                    format!("not a watchdog: no {} entry has its device number", env.class.display()),
                    Exit::DeviceMissing,
                ),
            };
            return Err(error.with_hint(hint));
        }
    };
    let sysfs = env.class.join(&name);
    if !sysfs.is_dir() {
        return Err(Error::os(spec, Operation::Find, Errno::NOENT)
            .with_detail(format!("the kernel has no {name} ({} does not exist)", sysfs.display()))
            .with_hint(format!(
                "load its driver, or name another watchdog with --device. {} (The Pi's is rpi_wdt: \
                 'modprobe rpi_wdt'.)",
                others(env)
            )));
    }
    Ok(at(env, &name, node.display().to_string(), legacy))
}

/// The rpi_wdt attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpiAttrs {
    /// `reset_reason`, the driver's name of a [`ResetCause`].
    pub reset_reason: ResetReason,
    /// `rsts`: RSTS as read at probe.
    pub rsts: u32,
}

/// What rpi_wdt's `reset_reason` attribute says: a cause core names, or text a different driver
/// version wrote, kept as read so that status still shows it and selftest can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetReason {
    /// A name [`ResetCause::name`] gives.
    Known(ResetCause),
    /// Anything else, as read (trimmed).
    Unrecognised(String),
}

impl ResetReason {
    /// Parses the attribute's text.
    pub fn parse(text: &str) -> ResetReason {
        let text = text.trim();
        ResetCause::from_name(text)
            .map_or_else(|| ResetReason::Unrecognised(text.to_string()), ResetReason::Known)
    }

    /// The cause, if the text named one.
    pub fn cause(&self) -> Option<ResetCause> {
        match self {
            ResetReason::Known(cause) => Some(*cause),
            ResetReason::Unrecognised(_) => None,
        }
    }
}

impl std::fmt::Display for ResetReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResetReason::Known(cause) => f.write_str(cause.name()),
            ResetReason::Unrecognised(text) => f.write_str(text),
        }
    }
}

/// wdtctl's JSON carries the attribute's text.
impl serde::Serialize for ResetReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl RpiAttrs {
    /// The boot partition the firmware was asked for (63 means halt).
    pub fn partition(&self) -> u32 {
        BootStatus::from_rsts(self.rsts).partition()
    }
}

/// What sysfs says about a watchdog. Attributes older kernels or some drivers lack are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attrs {
    pub identity: String,
    /// `state` is "active".
    pub active: bool,
    pub timeout_s: u32,
    /// `min_timeout`, `max_timeout` (0: no limit but the kernel's), `fw_version`, `options`: Linux 6.4 on.
    pub min_timeout_s: Option<u32>,
    pub max_timeout_s: Option<u32>,
    pub firmware_version: Option<i64>,
    pub options: Option<u32>,
    /// Only present when the driver supports pretimeouts.
    pub pretimeout_s: Option<u32>,
    /// Absent on older kernels when the driver cannot tell.
    pub timeleft_s: Option<u32>,
    pub bootstatus: u32,
    pub status: Option<u32>,
    pub nowayout: bool,
    pub rpi: Option<RpiAttrs>,
}

impl Attrs {
    /// The longest timeout the kernel accepts for this watchdog, when sysfs says.
    pub fn max_settable_s(&self) -> Option<u32> {
        match self.max_timeout_s? {
            0 => Some(KERNEL_MAX_TIMEOUT_S),
            max => Some(max),
        }
    }

    /// "1..4294967 s".
    pub fn range_text(&self) -> String {
        let min = self.min_timeout_s.map_or_else(|| "?".to_string(), |m| m.to_string());
        let max = self.max_settable_s().map_or_else(|| "?".to_string(), |m| m.to_string());
        format!("{min}..{max} s")
    }

    /// The kernel emulates timeouts beyond what this rpi_wdt hardware counts.
    pub fn kernel_extends_timeout(&self) -> bool {
        self.rpi.is_some() && self.max_timeout_s == Some(0)
    }
}

/// Parses "%u", "%d" or "0x%x" output.
fn parse_number(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

impl Watchdog {
    fn attr_path(&self, file: &str) -> String {
        self.sysfs.join(file).display().to_string()
    }

    /// An attribute's text, or None when the file does not exist.
    fn optional(&self, file: &str) -> Result<Option<String>, Error> {
        match std::fs::read_to_string(self.sysfs.join(file)) {
            Ok(text) => Ok(Some(text)),
            Err(e) => match Errno::from_io_error(&e) {
                Some(Errno::NOENT) => Ok(None),
                // Older cores answer a timeleft read with the driver's error when it cannot tell.
                Some(Errno::OPNOTSUPP) => Ok(None),
                _ => Err(Error::io(&self.attr_path(file), Operation::ReadSysfs, &e)),
            },
        }
    }

    fn required(&self, file: &str) -> Result<String, Error> {
        self.optional(file)?.ok_or_else(|| self.missing(file))
    }

    /// The error for a missing attribute, saying why it may be missing.
    fn missing(&self, file: &str) -> Error {
        let error = Error::os(&self.attr_path(file), Operation::ReadSysfs, Errno::NOENT);
        if !self.sysfs.is_dir() {
            return error.with_hint(
                "the watchdog went away (driver unbound or unloaded): retry once the driver is back.",
            );
        }
        let hint = if file == RSTS || file == RESET_REASON {
            "this rpi_wdt module does not provide it: install the rpi_wdt module and wdtctl of the same \
             release."
                .to_string()
        } else {
            format!(
                "this kernel does not provide {file}: the watchdog core's sysfs files need a kernel built with \
                 CONFIG_WATCHDOG_SYSFS=y. wdtctl reads state from sysfs so that looking never arms the \
                 watchdog; it does not fall back to opening the node."
            )
        };
        error.with_hint(hint).with_exit(Exit::NotSupported)
    }

    fn number(&self, file: &str, text: &str) -> Result<i64, Error> {
        parse_number(text).ok_or_else(|| {
            Error::other(
                &self.attr_path(file),
                Operation::ReadSysfs,
                format!("unexpected content {:?}", text.trim_end()),
                Exit::Other,
            )
        })
    }

    fn u32_of(&self, file: &str, text: &str) -> Result<u32, Error> {
        let value = self.number(file, text)?;
        u32::try_from(value).map_err(|_| {
            Error::other(
                &self.attr_path(file),
                Operation::ReadSysfs,
                format!("{value} is out of range"),
                Exit::Other,
            )
        })
    }

    fn required_u32(&self, file: &str) -> Result<u32, Error> {
        let text = self.required(file)?;
        self.u32_of(file, &text)
    }

    fn optional_u32(&self, file: &str) -> Result<Option<u32>, Error> {
        self.optional(file)?.map(|text| self.u32_of(file, &text)).transpose()
    }

    /// `timeout`.
    pub fn read_timeout(&self) -> Result<u32, Error> {
        self.required_u32("timeout")
    }

    /// `state` is "active".
    pub fn read_active(&self) -> Result<bool, Error> {
        let text = self.required("state")?;
        match text.trim() {
            "active" => Ok(true),
            "inactive" => Ok(false),
            other => Err(Error::other(
                &self.attr_path("state"),
                Operation::ReadSysfs,
                format!("unexpected content {other:?}"),
                Exit::Other,
            )),
        }
    }

    /// Every attribute.
    pub fn read(&self) -> Result<Attrs, Error> {
        let identity = self.required("identity")?.trim_end_matches('\n').to_string();
        let active = self.read_active()?;
        let timeout_s = self.read_timeout()?;
        let nowayout = self.required_u32("nowayout")? != 0;
        let bootstatus = self.required_u32("bootstatus")?;
        let firmware_version = match self.optional("fw_version")? {
            Some(text) => Some(self.number("fw_version", &text)?),
            None => None,
        };
        let rpi = if self.rpi_wdt {
            let text = self.required(RSTS)?;
            let rsts = self.u32_of(RSTS, &text)?;
            let reset_reason = ResetReason::parse(&self.required(RESET_REASON)?);
            Some(RpiAttrs { reset_reason, rsts })
        } else {
            None
        };
        Ok(Attrs {
            identity,
            active,
            timeout_s,
            min_timeout_s: self.optional_u32("min_timeout")?,
            max_timeout_s: self.optional_u32("max_timeout")?,
            firmware_version,
            options: self.optional_u32("options")?,
            pretimeout_s: self.optional_u32("pretimeout")?,
            timeleft_s: self.optional_u32("timeleft")?,
            bootstatus,
            status: self.optional_u32("status")?,
            nowayout,
            rpi,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_device_numbers() {
        assert_eq!(watchdog_number("watchdog0"), Some(0));
        assert_eq!(watchdog_number("watchdog12"), Some(12));
        assert_eq!(watchdog_number("watchdog"), None);
        assert_eq!(watchdog_number("watchdog1a"), None);
        assert_eq!(watchdog_number("rpi-wdt"), None);
        assert_eq!(major_minor(0x0a82), (10, 130));
        // 250:0 and a large minor, as glibc's makedev encodes them
        assert_eq!(major_minor(250 << 8), (250, 0));
        assert_eq!(major_minor((0x123 << 8) | 0x45 | (0x678 << 12 << 8)), (0x123, 0x67845));
    }

    #[test]
    fn numbers_in_every_format_the_core_writes() {
        assert_eq!(parse_number("15\n"), Some(15));
        assert_eq!(parse_number("0x8180\n"), Some(0x8180));
        assert_eq!(parse_number("0x00001000\n"), Some(0x1000));
        assert_eq!(parse_number("-1\n"), Some(-1));
        assert_eq!(parse_number("active\n"), None);
    }

    #[test]
    fn the_pi_counts_16_s_and_the_kernel_4294967() {
        assert_eq!(RPI_HW_TIMEOUT_S, 16);
        assert_eq!(KERNEL_MAX_TIMEOUT_S, 4_294_967);
    }
}
