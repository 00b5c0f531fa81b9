//! Where the project is and what it built: the clone's root, the cache directory and labgrid's virtual
//! environment scripts/lib.sh defines, and which QEMU scripts/qemu.sh runs. The scripts are the one source of these; the
//! harnesses ask them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The clone's root directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a bash snippet with scripts/lib.sh sourced and returns what it printed.
fn with_lib(root: &Path, snippet: &str) -> Result<String, String> {
    let lib = root.join("scripts/lib.sh");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("source \"$1\" && {snippet}"))
        .arg("bash")
        .arg(&lib)
        .output()
        .map_err(|e| format!("cannot run bash for {}: {e}", lib.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", lib.display(), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `$RPI_WDT_CACHE` as scripts/lib.sh sets it (the environment's, else under XDG_CACHE_HOME or
/// ~/.cache).
pub fn cache_dir(root: &Path) -> Result<PathBuf, String> {
    with_lib(root, "printf %s \"$RPI_WDT_CACHE\"").map(PathBuf::from)
}

/// The virtual environment scripts/setup.sh installs labgrid into (`$LABGRID_VENV`; it may not exist).
pub fn labgrid_venv(root: &Path) -> Result<PathBuf, String> {
    with_lib(root, "printf %s \"$LABGRID_VENV\"").map(PathBuf::from)
}

/// A path in the system's temporary directory that no other path this process asks for shares:
/// `rpi-wdt-NAME-PID-N`. Short whatever the results directory is, as a Unix socket's path must be
/// (108 bytes).
pub fn unique_temp_path(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("rpi-wdt-{name}-{}-{n}", std::process::id()))
}

/// The QEMU the tests run: Debian's, or the project's watchdog model (`make qemu-build`).
#[derive(Clone, Debug)]
pub struct Qemu {
    /// Whether it is the project's model (its version says `rpi-wdt-model`).
    pub model: bool,
    /// The binary and its version line, as scripts/qemu.sh --which prints them.
    pub version: String,
}

impl Qemu {
    /// Asks scripts/qemu.sh which binary it would run.
    pub fn detect(root: &Path) -> Result<Qemu, String> {
        let out = Command::new("bash")
            .arg(root.join("scripts/qemu.sh"))
            .arg("--which")
            .output()
            .map_err(|e| format!("cannot run scripts/qemu.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!("scripts/qemu.sh --which failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(Qemu::from_which(&String::from_utf8_lossy(&out.stdout)))
    }

    /// Reads scripts/qemu.sh --which's output.
    pub fn from_which(text: &str) -> Qemu {
        let version = text.trim().replace('\n', ": ");
        Qemu { model: version.contains("rpi-wdt-model"), version }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let kind = if self.model { "patched watchdog model" } else { "stock (no watchdog countdown)" };
        format!("QEMU {kind}: {}", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_the_scripts_one() {
        let root = root();
        let dir = cache_dir(&root).unwrap();
        match std::env::var_os("RPI_WDT_CACHE") {
            Some(set) => assert_eq!(dir, PathBuf::from(set)),
            None => assert!(dir.ends_with("rpi-rust-wdt"), "{}", dir.display()),
        }
    }

    #[test]
    fn the_model_is_told_by_its_version() {
        let model =
            Qemu::from_which("/c/qemu-system-aarch64\nQEMU emulator version 10.0.2 (rpi-wdt-model)\n");
        assert!(model.model);
        assert_eq!(model.version, "/c/qemu-system-aarch64: QEMU emulator version 10.0.2 (rpi-wdt-model)");
        assert!(
            !Qemu::from_which("/usr/bin/qemu-system-aarch64\nQEMU emulator version 10.0.2 (Debian)").model
        );
    }
}
