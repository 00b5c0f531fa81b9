//! Connection sharing for the SSH transport, with OpenSSH's own multiplexing (`ControlMaster`): the
//! first command of a run opens one connection, and every later command is a new channel on it, so a
//! command costs a round trip and not a key exchange. On an emulated Pi 3 that is 0.1 s a command in
//! place of 0.5 s (measured over 116 commands: 69 s against 114 s).
//!
//! The master sockets live in a directory of this run's own (mode 0700, under the system's temporary
//! directory), so parallel runs and the user's own `ControlPath` never meet. Dropping the last
//! [`ControlDir`] ends the masters and removes the directory.
//!
//! Not handled: a server that refuses a second session on one connection (OpenSSH's `MaxSessions 1`);
//! [`is_refused_session`] recognises that answer, and the caller retries on a connection of its own.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// How long an idle master stays, in seconds: long enough to span the gaps between a scenario's
/// commands, short enough that one left behind by a killed runner goes soon.
const PERSIST_S: u32 = 30;

/// A run's directory of master sockets.
#[derive(Debug)]
pub struct ControlDir {
    dir: PathBuf,
    /// The ssh program that opened the masters (also what ends them).
    program: String,
}

impl ControlDir {
    pub fn new(program: &str) -> Result<ControlDir, String> {
        use std::os::unix::fs::DirBuilderExt;
        let dir = rpi_wdt_testkit::project::unique_temp_path("hil-ssh-mux");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("cannot make the SSH control directory {}: {e}", dir.display()))?;
        Ok(ControlDir { dir, program: program.to_string() })
    }

    /// The ssh options that put a command on the shared connection (opening it if there is none).
    pub fn options(&self) -> Vec<String> {
        vec![
            "-o".into(),
            "ControlMaster=auto".into(),
            "-o".into(),
            format!("ControlPath={}/%C", self.dir.display()),
            "-o".into(),
            format!("ControlPersist={PERSIST_S}"),
        ]
    }

    /// Ends every master, so that the next command connects anew: after the target went away (a
    /// reset, a reboot), a master would otherwise hold a connection to the boot before.
    pub fn stop_masters(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for socket in entries.flatten() {
            // With an explicit ControlPath the destination is only syntax.
            let _ = Command::new(&self.program)
                .args(["-o", &format!("ControlPath={}", socket.path().display()), "-O", "exit", "target"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = std::fs::remove_file(socket.path());
        }
    }
}

impl Drop for ControlDir {
    fn drop(&mut self) {
        self.stop_masters();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The ssh options that keep a command off any shared connection, the user's included: for the
/// probes that must see whether a new connection gets through.
pub fn direct_options() -> [&'static str; 4] {
    ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
}

/// Whether ssh's exit-255 output says the master refused to open the session (the command never ran,
/// so running it on a connection of its own is safe).
pub fn is_refused_session(text: &str) -> bool {
    text.contains("mux_client_request_session")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_private_and_goes_with_the_last_owner() {
        use std::os::unix::fs::PermissionsExt;
        let control = ControlDir::new("ssh").unwrap();
        let dir = control.dir.clone();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let path = control.options().into_iter().find(|o| o.starts_with("ControlPath=")).unwrap();
        assert_eq!(path, format!("ControlPath={}/%C", dir.display()));
        drop(control);
        assert!(!dir.exists());
    }

    #[test]
    fn only_a_refused_session_is_safe_to_retry() {
        assert!(is_refused_session(
            "mux_client_request_session: session request failed: Session open refused by peer"
        ));
        assert!(!is_refused_session("mux_client_read_packet: read header failed: Broken pipe"));
        assert!(!is_refused_session("Connection to 127.0.0.1 closed by remote host."));
    }
}
