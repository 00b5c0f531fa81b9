//! The runner's fixture client against a simulated fixture: generated report frames written to a pty,
//! as the RP2040 firmware writes them to its USB serial port.

#[path = "../src/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::time::Duration;

use rpi_wdt_fixture_logic::frame::{self, Body, Frame, MAX_FRAME};
use rpi_wdt_fixture_logic::tracker::{Event, HeartbeatTracker, Thresholds};

/// A pty pair: the master plays the fixture, the slave's path is the "serial port".
fn simulated_port() -> (std::fs::File, String) {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    let master: OwnedFd = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap().into_string().unwrap();
    (std::fs::File::from(master), name)
}

fn send(master: &mut std::fs::File, f: &Frame) {
    let mut buf = [0u8; MAX_FRAME];
    let n = frame::encode(f, &mut buf);
    master.write_all(&buf[..n]).unwrap();
}

#[test]
fn reads_the_fixtures_expiry_measurement() {
    let (mut master, slave) = simulated_port();
    let writer = std::thread::spawn(move || {
        send(
            &mut master,
            &Frame { seq: 0, time_us: 1, body: Body::Hello { version: frame::PROTOCOL_VERSION } },
        );
        std::thread::sleep(Duration::from_millis(200));
        // A keepalive of three pings a second apart, then the Pi resets 5.0123 s after the last one:
        // the events the firmware's tracker produces for that heartbeat trace.
        let mut tracker = HeartbeatTracker::new(Thresholds::default());
        let mut seq = 1;
        let mut events = vec![tracker.edge(true, 1_000_000)];
        for i in 0..3u64 {
            let at = 2_000_000 + i * 1_000_000;
            events.push(tracker.edge(false, at));
            events.push(tracker.edge(true, at + 5_000));
        }
        events.push(tracker.edge(false, 4_000_000 + 5_012_300));
        events.push(tracker.poll(4_000_000 + 5_012_300 + 300_000));
        master.write_all(b"garbage that is not a frame\n").unwrap();
        for e in events.into_iter().flatten() {
            send(&mut master, &frame::from_event(seq, e));
            seq += 1;
        }
        master
    });
    let mut fx = fixture::Fixture::open(&slave, Duration::from_secs(5)).expect("fixture greets");
    assert_eq!(fx.expiry_measurement(Duration::from_secs(5)), Ok(5012));
    assert_eq!(fx.pings_seen(), 3);
    drop(writer.join().unwrap());
}

#[test]
fn silent_port_is_a_clear_error() {
    let (_master, slave) = simulated_port();
    let err = fixture::Fixture::open(&slave, Duration::from_millis(300)).err().expect("no greeting");
    assert!(err.contains("is the fixture firmware running?"), "{err}");
}

#[test]
fn force_reset_sends_the_command_and_waits_for_confirmation() {
    let (mut master, slave) = simulated_port();
    let fixture_side = std::thread::spawn(move || {
        send(&mut master, &Frame { seq: 0, time_us: 1, body: Body::Hello { version: 1 } });
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"RUNLOW\n") {
            master.read_exact(&mut byte).unwrap();
            got.push(byte[0]);
        }
        send(&mut master, &Frame { seq: 1, time_us: 2, body: Body::RunLow });
        master
    });
    let mut fx = fixture::Fixture::open(&slave, Duration::from_secs(5)).unwrap();
    fx.force_reset().expect("fixture confirms RUN low");
    drop(fixture_side.join().unwrap());
}

#[test]
fn reset_without_ping_is_reported_as_a_wiring_problem() {
    let (mut master, slave) = simulated_port();
    let w = std::thread::spawn(move || {
        send(&mut master, &Frame { seq: 0, time_us: 1, body: Body::Hello { version: 1 } });
        std::thread::sleep(Duration::from_millis(100));
        send(&mut master, &frame::from_event(1, Event::Reset { at_us: 5, since_ping_us: None }));
        master
    });
    let mut fx = fixture::Fixture::open(&slave, Duration::from_secs(5)).unwrap();
    let err = fx.expiry_measurement(Duration::from_secs(5)).unwrap_err();
    assert!(err.contains("heartbeat"), "{err}");
    drop(w.join().unwrap());
}
