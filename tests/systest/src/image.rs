//! The SD image's root filesystem, booted in QEMU raspi3b from the emulated SD card: the kernel, the
//! DTB (with the overlay applied, as the firmware would) and the command line come from the image's
//! boot partition, extracted by scripts/check-image.sh into out/image/<board>/qemu/; QEMU does not run
//! the Pi firmware. The console is the mini UART (QEMU's second serial port), as cmdline.txt says.

use std::path::Path;
use std::time::{Duration, Instant};

use rpi_wdt_testkit::console::{BootSpec, Guest};
use rpi_wdt_testkit::report::Status;

use crate::suites::{await_shell, expect_contains, kernel_log_clean, poweroff_ends_qemu, sh, Session};

pub fn run(s: &mut Session<'_>, root: &Path, results: &Path) {
    let board = s.board.to_string();
    let dir = root.join("out/image").join(&board).join("qemu");
    let started = Instant::now();
    let cmdline = match std::fs::read_to_string(dir.join("cmdline.txt")) {
        Ok(c) => c.trim().to_string(),
        Err(e) => {
            let why =
                format!("{}: {e}: run 'make image BOARD={board}' and scripts/check-image.sh", dir.display());
            s.record("image/boots_from_sd_card", Status::Fail(why), started);
            return;
        }
    };
    let path = |f: &str| dir.join(f).display().to_string();
    let spec = BootSpec {
        project_root: root,
        board: &board,
        initramfs: Path::new("-"),
        kernel_args: rpi_wdt_testkit::console::test_kernel_args(false),
        log_path: results.join(format!("{board}-image.log")),
        allow_reboot: false,
        qemu_args: "",
        env: vec![
            ("QEMU_SD_IMAGE".into(), path("sd.img")),
            ("QEMU_KERNEL".into(), path("Image")),
            ("QEMU_DTB".into(), path("applied.dtb")),
            ("QEMU_APPEND".into(), cmdline),
            ("QEMU_CONSOLE".into(), "aux".into()),
        ],
    };
    let mut g =
        match Guest::boot(&spec).map_err(|e| e.to_string()).and_then(|mut g| await_shell(&mut g).map(|()| g))
        {
            Ok(g) => {
                s.record("image/boots_from_sd_card", Status::Pass, started);
                g
            }
            Err(why) => {
                s.record("image/boots_from_sd_card", Status::Fail(why), started);
                return;
            }
        };
    let g: &mut Guest = &mut g;
    s.check("image/root_is_the_sd_card_ext4", g, |g| {
        let mounts = sh(g, "cat /proc/cmdline; grep ' / ' /proc/mounts")?;
        expect_contains("root filesystem", &mounts, &["root=/dev/mmcblk0p2", "/dev/root / ext4 rw"])
    });
    s.check("image/driver_autoloaded_and_working", g, |g| {
        sh(g, "grep -q '^rpi_wdt ' /proc/modules")?;
        let info = sh(g, "wdtctl info")?;
        expect_contains("wdtctl info", &info, &[rpi_wdt_core::ident::IDENTITY_STR, "watchdog0"])
    });
    s.check("image/console_clean", g, kernel_log_clean);
    s.check("image/poweroff", g, |g| poweroff_ends_qemu(g, Duration::from_secs(60)));
}
