//! `wdtctl --host`: arguments reach the remote wdtctl intact, its output and exit code come back
//! unchanged, and ssh failures or a missing remote wdtctl give clear errors (exit 9). A stand-in `ssh`
//! (through WDTCTL_SSH) runs the remote command in a local shell, as sshd would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Rig {
    dir: PathBuf,
}

impl Rig {
    fn new(name: &str) -> Rig {
        let dir = std::env::temp_dir().join(format!("wdtctl-remote-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        write_script(
            &dir.join("ssh"),
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/ssh-args\"\n\
             [ \"$1\" = -t ] && shift\nshift\nexec sh -c \"$1\"\n",
        );
        write_script(
            &dir.join("ssh-down"),
            "#!/bin/sh\necho 'ssh: connect to host board port 22: Connection refused' >&2\nexit 255\n",
        );
        write_script(
            &dir.join("remote-wdtctl"),
            "#!/bin/sh\nprintf 'remote-args:'\nfor a in \"$@\"; do printf ' [%s]' \"$a\"; done\necho\nexit ${FAKE_EXIT:-0}\n",
        );
        Rig { dir }
    }

    fn run(&self, ssh: &str, args: &[&str], fake_exit: i32) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wdtctl"))
            .args(args)
            .env("WDTCTL_SSH", self.dir.join(ssh))
            .env("FAKE_EXIT", fake_exit.to_string())
            .output()
            .unwrap()
    }

    fn remote(&self) -> String {
        self.dir.join("remote-wdtctl").display().to_string()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    Command::new("chmod").arg("+x").arg(path).status().unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn arguments_output_and_exit_code_pass_through() {
    let rig = Rig::new("pass");
    let remote = rig.remote();
    let out =
        rig.run("ssh", &["--host", "pi@board", "--remote-wdtctl", &remote, "--json", "timeout", "7"], 0);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "remote-args: [--json] [timeout] [7]\n");
    let ssh_args = std::fs::read_to_string(rig.dir.join("ssh-args")).unwrap();
    assert_eq!(ssh_args.lines().next(), Some("pi@board"), "ssh got: {ssh_args}");

    let out = rig.run("ssh", &["--host=pi@board", "--remote-wdtctl", &remote, "stop"], 5);
    assert_eq!(out.status.code(), Some(5), "the remote exit code passes through");
}

#[test]
fn arguments_with_spaces_and_quotes_survive_the_remote_shell() {
    let rig = Rig::new("quote");
    let remote = rig.remote();
    let out =
        rig.run("ssh", &["--host", "b", "--remote-wdtctl", &remote, "--device", "/dev/my wdt's", "info"], 0);
    assert_eq!(text(&out.stdout), "remote-args: [--device] [/dev/my wdt's] [info]\n");
}

#[test]
fn missing_remote_wdtctl_is_a_clear_error() {
    let rig = Rig::new("missing");
    let out = rig.run("ssh", &["--host", "pi@board", "--remote-wdtctl", "/nonexistent/wdtctl", "status"], 0);
    assert_eq!(out.status.code(), Some(9));
    let err = text(&out.stderr);
    assert!(err.contains("'/nonexistent/wdtctl' was not found on the board"), "{err}");
    assert!(err.contains("--remote-wdtctl"), "{err}");
}

#[test]
fn unreachable_host_is_a_clear_error() {
    let rig = Rig::new("down");
    let out = rig.run("ssh-down", &["--host", "pi@board", "status"], 0);
    assert_eq!(out.status.code(), Some(9));
    let err = text(&out.stderr);
    assert!(err.contains("Connection refused"), "ssh's own message is kept: {err}");
    assert!(err.contains("ssh could not connect or authenticate"), "{err}");
}

#[test]
fn local_errors_name_device_and_exit_3() {
    let out = Command::new(env!("CARGO_BIN_EXE_wdtctl"))
        .args(["--device", "/nonexistent/watchdog9", "info"])
        .env("WDTCTL_SYSFS_CLASS", "/nonexistent/class")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().next(),
        Some(
            "wdtctl: /nonexistent/watchdog9: find watchdog: the kernel has no watchdog9 \
             (/nonexistent/class/watchdog9 does not exist)"
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_wdtctl")).arg("timeout").arg("ten").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
