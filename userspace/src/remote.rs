//! `--host [USER@]HOST`: runs the same wdtctl command on a board through the system `ssh`, so the user's
//! ~/.ssh/config, keys and agent apply. Output and exit code pass through unchanged; ssh's own failure
//! (255) and a missing wdtctl on the board (127) become clear errors with exit code 9.
//! `WDTCTL_SSH` names another ssh program (the tests use a stand-in).

use std::io::IsTerminal;
use std::process::Command;

use crate::error::Exit;

/// The arguments to forward: everything but `--host` and `--remote-wdtctl` (with their values).
pub fn forwarded_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--host" || arg == "--remote-wdtctl" {
            it.next();
        } else if !(arg.starts_with("--host=") || arg.starts_with("--remote-wdtctl=")) {
            out.push(arg.clone());
        }
    }
    out
}

/// Quotes a word for the remote POSIX shell that ssh hands the command to.
pub fn shell_quote(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@,+".contains(&b)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs the command remotely; returns the exit code to exit with.
pub fn run(host: &str, remote_wdtctl: &str, args: &[String], interactive: bool) -> i32 {
    let ssh = std::env::var("WDTCTL_SSH").unwrap_or_else(|_| "ssh".into());
    let remote: Vec<String> = std::iter::once(remote_wdtctl.to_string())
        .chain(forwarded_args(args))
        .map(|w| shell_quote(&w))
        .collect();
    let mut command = Command::new(&ssh);
    // A terminal lets Ctrl-C reach a remote keepalive; without one, closing ssh sends it SIGHUP.
    if interactive && std::io::stdin().is_terminal() {
        command.arg("-t");
    }
    command.arg(host).arg(remote.join(" "));
    match command.status() {
        Ok(status) => match status.code() {
            Some(255) => {
                eprintln!(
                    "wdtctl: {host}: run over ssh: ssh could not connect or authenticate (exit 255)\n  \
                     hint: check 'ssh {host}' works on its own; wdtctl uses your ~/.ssh/config, keys and agent."
                );
                Exit::Remote as i32
            }
            Some(127) => {
                eprintln!(
                    "wdtctl: {host}: run over ssh: '{remote_wdtctl}' was not found on the board\n  \
                     hint: install it there (the image has it in /usr/bin; or copy the aarch64 build: \
                     scp out/wdtctl {host}:/usr/local/bin/), or name it with --remote-wdtctl PATH."
                );
                Exit::Remote as i32
            }
            Some(code) => code,
            None => {
                eprintln!("wdtctl: {host}: ssh was killed by a signal");
                Exit::Other as i32
            }
        },
        Err(e) => {
            eprintln!(
                "wdtctl: {host}: run over ssh: cannot start '{ssh}': {e}\n  hint: install an ssh client."
            );
            Exit::Remote as i32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn host_options_are_not_forwarded() {
        let args = strings(&["--host", "pi@board", "--json", "status", "--remote-wdtctl=/opt/wdtctl"]);
        assert_eq!(forwarded_args(&args), strings(&["--json", "status"]));
        let args = strings(&["timeout", "--host=pi@board", "10"]);
        assert_eq!(forwarded_args(&args), strings(&["timeout", "10"]));
    }

    #[test]
    fn quoting_survives_a_remote_shell() {
        assert_eq!(shell_quote("--json"), "--json");
        assert_eq!(shell_quote("/dev/watchdog0"), "/dev/watchdog0");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$(reboot)"), "'$(reboot)'");
    }
}
