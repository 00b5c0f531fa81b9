//! `labgrid:PLACE` and `labgrid:key=value,...`: a board taken from a labgrid place (crate::labgrid) and
//! reached through the place's resources: SSH at its NetworkService, the console at its
//! NetworkSerialPort (a RawSerialPort or USBSerialPort that the exporter serves through ser2net), and
//! its power resource, whatever kind labgrid drives (a PDU, a USB hub port, a relay), through
//! `labgrid-client power`. With `--flash IMAGE` the place's SD multiplexer writes the image first.
//!
//! The resources are read with labgrid's own library (tests/hil/labgrid/place-info.py), the exporter and
//! the owner from `labgrid-client show`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::board::BoardTarget;
use crate::labgrid::{Client, Lease, Want};
use crate::netconsole::NetConsole;
use crate::ssh::Ssh;

/// What the runner asks of the place.
pub struct Request<'a> {
    pub spec: &'a str,
    pub coordinator: Option<String>,
    pub wait: bool,
    pub flash: Option<&'a Path>,
    pub ssh_options: Vec<String>,
    pub allow_poweroff: bool,
    pub reset_limit: Duration,
    pub results: &'a Path,
}

/// Takes the place and connects to its board, switched on and answering.
pub fn take(root: &Path, request: &Request) -> Result<BoardTarget, String> {
    let want = Want::parse(request.spec)?;
    let client = Client::find(root, request.coordinator.clone())?;
    println!("# labgrid: coordinator {}", client.coordinator());
    let lease = Lease::take(client, &want, request.wait)?;
    let place = lease.place().to_string();
    let shown = lease.shown()?;
    println!("# labgrid: acquired {place} (exporter {})", shown.exporters.join(", "));

    let info = place_info(root, lease.client(), &place)?;
    let ssh = info.get("ssh").filter(|v| !v.is_null()).ok_or_else(|| {
        format!("labgrid place {place} has no NetworkService: add one for the board's SSH server (tests/hil/labgrid/)")
    })?;
    let address = ssh["address"].as_str().ok_or("NetworkService without an address")?;
    let user = ssh["username"].as_str().unwrap_or("root");
    let port = ssh["port"].as_u64().and_then(|p| u16::try_from(p).ok());
    let destination =
        if address.contains(':') { format!("{user}@[{address}]") } else { format!("{user}@{address}") };
    let ssh = Ssh::new(destination, port, request.ssh_options.clone());

    let file_name = format!("hil-labgrid-{place}-console.log");
    let console = match info.get("serial").filter(|v| !v.is_null()) {
        Some(serial) => {
            let host = serial["host"].as_str().ok_or("NetworkSerialPort without a host")?;
            let port = serial["port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or("NetworkSerialPort without a port")?;
            let protocol = serial["protocol"].as_str().unwrap_or("rfc2217");
            println!("# labgrid: console {host}:{port} ({protocol}), kept in {file_name}");
            Some(NetConsole::record(host, port, protocol, &request.results.join(&file_name))?)
        }
        None => {
            println!("# labgrid: {place} has no serial port: the kernel-report check reads dmesg only");
            None
        }
    };

    let has_power = match lease.run(&["power", "get"]) {
        Ok(_) => true,
        Err(why) => {
            println!("# labgrid: no power switch ({why}): a hung board stays hung");
            false
        }
    };

    let mut board =
        BoardTarget::over_ssh(format!("labgrid:{place}"), ssh, request.allow_poweroff, request.reset_limit);
    board.properties = vec![
        ("labgrid_coordinator".into(), lease.client().coordinator().to_string()),
        ("labgrid_place".into(), place.clone()),
        ("labgrid_exporter".into(), shown.exporters.join(" ")),
        ("labgrid_owner".into(), shown.owner.unwrap_or_default()),
    ];
    board.console = console;
    board.switchable = has_power;
    board.place = Some(lease);
    if let Some(image) = request.flash {
        flash(&mut board, image)?;
    }
    board
        .power_up()
        .map_err(|e| format!("the board of labgrid place {place} does not answer over SSH: {e}"))?;
    board.note_boot()?;
    Ok(board)
}

/// The place's NetworkService and serial port, as labgrid's library reads them.
fn place_info(root: &Path, client: &Client, place: &str) -> Result<Value, String> {
    let script = root.join("tests/hil/labgrid/place-info.py");
    let out = Command::new(client.python())
        .arg(&script)
        .arg(place)
        .envs(client.env())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "reading labgrid place {place}'s resources: {}",
            crate::labgrid::error_text(&String::from_utf8_lossy(&out.stderr))
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("place-info.py printed no JSON: {e}"))
}

/// Writes `image` to the board's SD card through the place's SD multiplexer, with the board off, and
/// switches it back on.
fn flash(board: &mut BoardTarget, image: &Path) -> Result<(), String> {
    let lease = board
        .place
        .clone()
        .filter(|_| board.switchable)
        .ok_or("--flash needs the place's power switch, to write the card with the board off")?;
    let image = image.to_str().ok_or("--flash: the image's path is not UTF-8")?;
    if !Path::new(image).is_file() {
        return Err(format!("--flash {image}: no such file (make image BOARD=... builds it)"));
    }
    println!("# labgrid: writing {image} to {}'s SD card", lease.place());
    for step in [
        &["power", "off"][..],
        &["sd-mux", "host"],
        &["write-image", image],
        &["sd-mux", "dut"],
        &["power", "on"],
    ] {
        lease.run(step).map_err(|e| format!("--flash: labgrid-client {}: {e}", step.join(" ")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labgrid::fake::FakeClient;

    #[test]
    fn flashing_writes_the_card_with_the_board_off() {
        let fake = FakeClient::new(None);
        let lease = Lease::take(fake.client(), &Want::Place("p".into()), false).unwrap();
        let ssh = Ssh::new("root@board".into(), None, Vec::new());
        let mut board = BoardTarget::over_ssh("labgrid:p".into(), ssh, false, Duration::from_secs(1));
        board.place = Some(lease);
        let image = rpi_wdt_testkit::project::unique_temp_path("flash-test.img");
        assert!(flash(&mut board, &image).unwrap_err().contains("power switch"), "no switch, no flashing");
        board.switchable = true;
        assert!(flash(&mut board, &image).unwrap_err().contains("no such file"));
        std::fs::write(&image, b"image").unwrap();
        flash(&mut board, &image).unwrap();
        let write = format!("-p p write-image {}", image.display());
        assert_eq!(
            fake.calls()[2..],
            ["-p p power off", "-p p sd-mux host", &write, "-p p sd-mux dut", "-p p power on"]
        );
        std::fs::remove_file(image).unwrap();
    }
}
