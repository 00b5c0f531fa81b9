//! labgrid places: the runner takes a board from a labgrid coordinator the way a person does, through
//! `labgrid-client`, and gives it back on every way out.
//!
//! `labgrid:PLACE` names one place; `labgrid:board=rpi4,lab=ci` asks for any place with those tags. A
//! named place that someone holds is refused with its owner's name, unless `--wait` queues for it; tags
//! always queue. Queueing is a labgrid reservation (`reserve --wait`), so the coordinator's scheduler,
//! not the runner, decides who gets a board, and a plain `acquire` by someone else is never overridden.
//! The place is released, and its reservation cancelled, when the run ends, fails, panics, or gets
//! SIGINT, SIGTERM or SIGHUP. Not handled: SIGKILL, after which the place stays acquired until someone
//! runs `labgrid-client -p PLACE release --kick`.
//!
//! The coordinator is `--coordinator`'s, else `LG_COORDINATOR`'s, else labgrid-client's own default;
//! who holds the place is `LG_HOSTNAME`/`LG_USERNAME` (labgrid's defaults: host name and login).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

/// How the runner talks to the coordinator: the labgrid-client program and the coordinator's address.
#[derive(Clone, Debug)]
pub struct Client {
    program: PathBuf,
    coordinator: Option<String>,
}

/// labgrid's message out of a failed command's stderr: its last `Error:` line (a power driver's
/// failure comes as a Python traceback, whose last line says what went wrong), else its last line.
pub fn error_text(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let line = lines.iter().rev().find(|l| l.contains("Error:")).or(lines.last()).copied().unwrap_or("");
    if line.is_empty() {
        "no message".to_string()
    } else {
        line.to_string()
    }
}

impl Client {
    /// labgrid-client from `RPI_WDT_LABGRID_CLIENT`, else from the virtual environment `make setup`
    /// installs, else from PATH.
    pub fn find(root: &Path, coordinator: Option<String>) -> Result<Client, String> {
        let program = match std::env::var_os("RPI_WDT_LABGRID_CLIENT").filter(|p| !p.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let venv = rpi_wdt_testkit::project::labgrid_venv(root)?.join("bin/labgrid-client");
                match (venv.is_file(), on_path("labgrid-client")) {
                    (true, _) => venv,
                    (false, Some(p)) => p,
                    (false, None) => {
                        return Err(format!(
                            "labgrid-client not found ({} is missing): run 'make setup', which installs \
                             labgrid 26, or put labgrid's labgrid-client on PATH",
                            venv.display()
                        ))
                    }
                }
            }
        };
        let coordinator =
            coordinator.or_else(|| std::env::var("LG_COORDINATOR").ok()).filter(|c| !c.is_empty());
        Ok(Client::at(program, coordinator))
    }

    /// This labgrid-client program, talking to `coordinator` (None: its own default).
    pub fn at(program: PathBuf, coordinator: Option<String>) -> Client {
        Client { program, coordinator }
    }

    /// Where the coordinator is, for the report.
    pub fn coordinator(&self) -> &str {
        self.coordinator.as_deref().unwrap_or("labgrid-client's default (127.0.0.1:20408)")
    }

    /// The Python beside labgrid-client (its virtual environment's), which can import labgrid.
    pub fn python(&self) -> PathBuf {
        let beside = self.program.with_file_name("python3");
        if beside.is_file() {
            beside
        } else {
            PathBuf::from("python3")
        }
    }

    /// The environment labgrid's library needs to find the same coordinator.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        self.coordinator.iter().map(|c| ("LG_COORDINATOR", c.clone())).collect()
    }

    fn command(&self, place: Option<&str>) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(address) = &self.coordinator {
            cmd.args(["-x", address]);
        }
        if let Some(place) = place {
            cmd.args(["-p", place]);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs `labgrid-client [-p PLACE] ARGS...`; its stdout, or labgrid's error message.
    pub fn run(&self, place: Option<&str>, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(place)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(error_text(&String::from_utf8_lossy(&out.stderr)))
        }
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
}

/// What the runner asks the coordinator for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// One place, by its exact name.
    Place(String),
    /// Any place carrying all these tags.
    Tags(Vec<(String, String)>),
}

impl Want {
    /// Parses what follows `labgrid:`: a place name, or `key=value,...`.
    pub fn parse(spec: &str) -> Result<Want, String> {
        let bad =
            |why: &str| format!("labgrid:{spec}: {why} (expected labgrid:PLACE or labgrid:key=value,...)");
        if spec.is_empty() {
            return Err(bad("no place"));
        }
        if !spec.contains('=') {
            if spec.contains([',', '/', ' ', '+']) {
                return Err(bad("not a place name"));
            }
            return Ok(Want::Place(spec.to_string()));
        }
        let mut tags = Vec::new();
        for pair in spec.split(',') {
            match pair.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() && !v.contains('=') => {
                    tags.push((k.to_string(), v.to_string()))
                }
                _ => return Err(bad(&format!("{pair:?} is not key=value"))),
            }
        }
        Ok(Want::Tags(tags))
    }

    /// The reservation's filter: `name=PLACE` (labgrid's scheduler matches a place's name as a tag)
    /// or the tags.
    fn filters(&self) -> Vec<String> {
        match self {
            Want::Place(name) => vec![format!("name={name}")],
            Want::Tags(tags) => tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        }
    }
}

/// What `labgrid-client -p PLACE show` says of a place.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shown {
    pub name: String,
    /// `host/user`, or None.
    pub owner: Option<String>,
    /// The exporters of its acquired resources (the first part of each resource path).
    pub exporters: Vec<String>,
}

/// Parses `show`'s text: `Place 'NAME':`, `  acquired: host/user` (or `None`), and under
/// `  acquired resources:` one `exporter/group/class/name` per line.
pub fn parse_show(text: &str) -> Result<Shown, String> {
    let mut shown = Shown::default();
    let mut in_resources = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("Place '").and_then(|l| l.strip_suffix("':")) {
            shown.name = name.to_string();
        } else if let Some(owner) = line.strip_prefix("  acquired: ") {
            shown.owner = (owner.trim() != "None").then(|| owner.trim().to_string());
        } else if line == "  acquired resources:" {
            in_resources = true;
            continue;
        } else if in_resources && line.starts_with("    ") {
            if let Some(exporter) = line.trim().split('/').next() {
                if !shown.exporters.iter().any(|e| e == exporter) {
                    shown.exporters.push(exporter.to_string());
                }
            }
            continue;
        }
        in_resources = false;
    }
    if shown.name.is_empty() {
        return Err(format!("labgrid-client show printed no place:\n{text}"));
    }
    Ok(shown)
}

/// What a lease holds, for releasing it from any thread.
#[derive(Default)]
struct Held {
    /// The reservation's token, while there is one.
    token: Option<String>,
    /// How to name the acquired place to labgrid-client (its name, or `+TOKEN`), while acquired.
    acquired: Option<String>,
}

/// A place the runner holds (or is queueing for). Ending it releases the place and cancels the
/// reservation; it ends when dropped, and [`Lease::end_on_signals`] ends it on a signal too.
pub struct Lease {
    client: Client,
    /// The place's name, once acquired.
    place: OnceLock<String>,
    held: Mutex<Held>,
}

impl Lease {
    /// Takes a place: at once if named and free (refused, naming the owner, if held), else through a
    /// reservation that waits its turn.
    pub fn take(client: Client, want: &Want, wait: bool) -> Result<Arc<Lease>, String> {
        let lease = Arc::new(Lease { client, place: OnceLock::new(), held: Mutex::new(Held::default()) });
        lease.end_on_signals()?;
        let place = match want {
            Want::Place(name) if !wait => lease.acquire_now(name)?,
            _ => lease.reserve_and_acquire(want)?,
        };
        let _ = lease.place.set(place);
        Ok(lease)
    }

    /// The place's name.
    pub fn place(&self) -> &str {
        self.place.get().map_or("(none yet)", String::as_str)
    }

    fn acquire_now(&self, name: &str) -> Result<String, String> {
        let shown = self.show(name).map_err(|e| format!("labgrid place {name}: {e}"))?;
        if shown.name != name {
            return Err(format!(
                "labgrid has no place named {name} (it matched {}): name the place exactly",
                shown.name
            ));
        }
        if let Some(owner) = shown.owner {
            return Err(refused(name, &owner));
        }
        self.client.run(Some(name), &["acquire"]).map_err(|e| {
            // Taken between show and acquire: labgrid's message names the owner.
            format!("labgrid place {name} could not be acquired: {e}; pass --wait to queue for it")
        })?;
        self.held.lock().unwrap().acquired = Some(name.to_string());
        Ok(name.to_string())
    }

    fn reserve_and_acquire(&self, want: &Want) -> Result<String, String> {
        let filters = want.filters();
        let mut args = vec!["reserve", "--wait", "--shell"];
        args.extend(filters.iter().map(String::as_str));
        let mut child = self
            .client
            .command(None)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run labgrid-client reserve: {e}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if let Some(token) = line.trim().strip_prefix("export LG_TOKEN=") {
                self.held.lock().unwrap().token = Some(token.to_string());
                println!("# labgrid: reservation {token} for {}: waiting for a place", filters.join(","));
                if let Want::Place(name) = want {
                    if let Ok(Shown { owner: Some(owner), .. }) = self.show(name) {
                        println!("# labgrid: {name} is held by {owner}");
                    }
                }
            }
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let token = self.held.lock().unwrap().token.clone();
        let (true, Some(token)) = (out.status.success(), token) else {
            return Err(format!(
                "labgrid reservation for {} failed: {}",
                filters.join(","),
                error_text(&String::from_utf8_lossy(&out.stderr))
            ));
        };
        let by_token = format!("+{token}");
        self.client.run(Some(&by_token), &["acquire"]).map_err(|e| format!("reserved place: {e}"))?;
        self.held.lock().unwrap().acquired = Some(by_token.clone());
        Ok(self.show(&by_token)?.name)
    }

    fn show(&self, place: &str) -> Result<Shown, String> {
        parse_show(&self.client.run(Some(place), &["show"])?)
    }

    /// The place as labgrid shows it now.
    pub fn shown(&self) -> Result<Shown, String> {
        self.show(self.place())
    }

    /// Runs a labgrid-client command on the held place (`power cycle`, `write-image FILE`, ...).
    pub fn run(&self, args: &[&str]) -> Result<String, String> {
        self.client.run(Some(self.place()), args)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Releases the place and cancels the reservation; does nothing the second time.
    pub fn end(&self) {
        let held = std::mem::take(&mut *self.held.lock().unwrap());
        if let Some(place) = held.acquired {
            match self.client.run(Some(&place), &["release"]) {
                Ok(_) => println!("# labgrid: released {}", self.shown_name(&place)),
                Err(e) => eprintln!(
                    "rpi-wdt-hil: could not release labgrid place {}: {e}; release it with \
                     'labgrid-client -p {} release'",
                    self.shown_name(&place),
                    self.shown_name(&place)
                ),
            }
        }
        if let Some(token) = held.token {
            let _ = self.client.run(None, &["cancel-reservation", &token]);
        }
    }

    /// The place's name if known, else how it was acquired (`+TOKEN`).
    fn shown_name<'a>(&'a self, acquired: &'a str) -> &'a str {
        self.place.get().map_or(acquired, String::as_str)
    }

    /// Ends the lease and the process on SIGINT, SIGTERM or SIGHUP (exit status 128 + the signal).
    fn end_on_signals(self: &Arc<Lease>) -> Result<(), String> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals =
            signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(|e| e.to_string())?;
        let lease = Arc::downgrade(self);
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                if let Some(lease) = lease.upgrade() {
                    eprintln!("rpi-wdt-hil: signal {signal}: giving the labgrid place back");
                    lease.end();
                }
                std::process::exit(128 + signal);
            }
        });
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.end();
    }
}

fn refused(name: &str, owner: &str) -> String {
    format!(
        "labgrid place {name} is acquired by {owner}: not using a place someone else holds. Pass --wait to \
         queue for it; if {owner} is a run that died, 'labgrid-client -p {name} release --kick' frees it"
    )
}

/// A stand-in labgrid-client for tests: logs each call's arguments to a file, and answers `show` for
/// the place `p` (held by `owner`, if any) and `reserve` with the token TOK.
#[cfg(test)]
pub mod fake {
    use std::path::PathBuf;

    pub struct FakeClient {
        dir: PathBuf,
    }

    impl FakeClient {
        pub fn new(owner: Option<&str>) -> FakeClient {
            use std::os::unix::fs::PermissionsExt;
            let dir = rpi_wdt_testkit::project::unique_temp_path("fake-labgrid");
            std::fs::create_dir_all(&dir).unwrap();
            let log = dir.join("calls");
            let owner = owner.unwrap_or("None");
            let script = format!(
                r#"#!/bin/sh
echo "$*" >> '{log}'
case "$*" in
*show) printf "Place 'p':\n  acquired: {owner}\n  acquired resources:\n    ex1/p/NetworkService/NetworkService\n" ;;
*reserve*) echo 'export LG_TOKEN=TOK' ;;
esac
"#,
                log = log.display()
            );
            std::fs::write(dir.join("labgrid-client"), script).unwrap();
            std::fs::set_permissions(dir.join("labgrid-client"), std::fs::Permissions::from_mode(0o755))
                .unwrap();
            FakeClient { dir }
        }

        pub fn client(&self) -> super::Client {
            super::Client::at(self.dir.join("labgrid-client"), Some("127.0.0.1:1".into()))
        }

        /// The calls so far, one line each, without the coordinator option.
        pub fn calls(&self) -> Vec<String> {
            let text = std::fs::read_to_string(self.dir.join("calls")).unwrap_or_default();
            text.lines().map(|l| l.trim_start_matches("-x 127.0.0.1:1 ").to_string()).collect()
        }
    }

    impl Drop for FakeClient {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeClient;
    use super::*;

    #[test]
    fn a_free_place_is_acquired_and_released() {
        let fake = FakeClient::new(None);
        let lease = Lease::take(fake.client(), &Want::Place("p".into()), false).unwrap();
        assert_eq!(lease.place(), "p");
        drop(lease);
        assert_eq!(fake.calls(), ["-p p show", "-p p acquire", "-p p release"]);
    }

    #[test]
    fn a_held_place_is_refused_untouched() {
        let fake = FakeClient::new(Some("ci/bob"));
        let why = Lease::take(fake.client(), &Want::Place("p".into()), false).err().unwrap();
        assert!(why.contains("acquired by ci/bob"), "{why}");
        assert_eq!(fake.calls(), ["-p p show"], "nothing acquired, nothing released");
    }

    #[test]
    fn a_place_that_is_not_the_one_named_is_refused() {
        let fake = FakeClient::new(None);
        let why = Lease::take(fake.client(), &Want::Place("q".into()), false).err().unwrap();
        assert!(why.contains("no place named q (it matched p)"), "{why}");
    }

    #[test]
    fn tags_go_through_a_reservation_that_is_cancelled_at_the_end() {
        let fake = FakeClient::new(None);
        let want = Want::parse("board=rpi4,lab=ci").unwrap();
        let lease = Lease::take(fake.client(), &want, false).unwrap();
        assert_eq!(lease.place(), "p");
        drop(lease);
        assert_eq!(
            fake.calls(),
            [
                "reserve --wait --shell board=rpi4 lab=ci",
                "-p +TOK acquire",
                "-p +TOK show",
                "-p +TOK release",
                "cancel-reservation TOK"
            ]
        );
    }

    #[test]
    fn parses_place_names_and_tags() {
        assert_eq!(Want::parse("qemu-rpi3-a"), Ok(Want::Place("qemu-rpi3-a".into())));
        assert_eq!(
            Want::parse("board=rpi4,lab=ci"),
            Ok(Want::Tags(vec![("board".into(), "rpi4".into()), ("lab".into(), "ci".into())]))
        );
        assert_eq!(Want::parse("board=rpi4").unwrap().filters(), ["board=rpi4"]);
        assert_eq!(Want::parse("a").unwrap().filters(), ["name=a"]);
        for bad in ["", "a,b", "board=", "=x", "board=rpi4,lab", "a=b=c", "+TOKEN"] {
            assert!(Want::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn reads_show() {
        let text = "Place 'qemu-rpi3-a':\n  tags: board=rpi3\n  matches:\n    local/qemu-rpi3-a/*\n  \
                    acquired: ci-host/alice\n  acquired resources:\n    local/qemu-rpi3-a/NetworkPowerPort/NetworkPowerPort\n    \
                    local/qemu-rpi3-a/NetworkService/NetworkService\n  created: 2026-12-03 12:18:57\n\
                    Acquired resource 'NetworkService' (local/qemu-rpi3-a/NetworkService/NetworkService):\n  \
                    {'acquired': 'qemu-rpi3-a'}\n";
        let shown = parse_show(text).unwrap();
        assert_eq!(shown.name, "qemu-rpi3-a");
        assert_eq!(shown.owner.as_deref(), Some("ci-host/alice"));
        assert_eq!(shown.exporters, ["local"]);
        let free = parse_show("Place 'b':\n  tags: \n  acquired: None\n  acquired resources:\n").unwrap();
        assert_eq!(free, Shown { name: "b".into(), owner: None, exporters: vec![] });
        assert!(parse_show("pattern x matches nothing\n").is_err());
    }

    #[test]
    fn takes_labgrids_last_error_line() {
        let trace = "Traceback (most recent call last):\n  File \"x\"\nrequests.exceptions.ConnectionError: refused\n";
        assert_eq!(error_text(trace), "requests.exceptions.ConnectionError: refused");
        let err = "labgrid-client: Error: Place a is already acquired by h/u. To work...\n";
        assert_eq!(error_text(err), "labgrid-client: Error: Place a is already acquired by h/u. To work...");
        assert_eq!(error_text("\n"), "no message");
    }

    #[test]
    fn a_refusal_names_the_owner_and_the_way_out() {
        let why = refused("qemu-rpi3-a", "ci/bob");
        assert!(
            why.contains("acquired by ci/bob") && why.contains("--wait") && why.contains("release --kick")
        );
    }
}
