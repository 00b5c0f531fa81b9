// SPDX-License-Identifier: GPL-2.0

//! `/dev/rpi-wdt`: the standard Linux watchdog ABI (`include/uapi/linux/watchdog.h`), with the semantics
//! of `Documentation/watchdog/watchdog-api.rst` as implemented by [`Watchdog`].
//!
//! Open arms; one holder at a time (EBUSY); every write pings and 'V' arms magic close; close without
//! magic close leaves the watchdog running and logs it. Unknown ioctls are ENOTTY; WDIOC_GETTEMP is
//! ENOTTY too (no sensor), WDIOC_SETPRETIMEOUT is EOPNOTSUPP and WDIOC_GETPRETIMEOUT reads 0, as the
//! watchdog core answers for hardware without a pretimeout. 32-bit callers use the same structs
//! (`compat_ptr_ioctl`, which the misc-device abstraction installs when no `compat_ioctl` is given).

use kernel::{
    fs::{File, Kiocb},
    iov::IovIterSource,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    sync::{Arc, ArcBorrow},
};

use crate::abi::*;
use crate::probe::RpiWdtDevice;
use crate::shared::Shared;
use crate::timeout;
use crate::uapi::{self, errno};
use crate::watchdog::{has_magic_char, ReleaseOutcome, Watchdog};

/// The file operations of `/dev/rpi-wdt`.
pub(crate) struct WdtNode;

#[vtable]
impl MiscDevice for WdtNode {
    type Ptr = Arc<Shared>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<Arc<Shared>> {
        let shared = RpiWdtDevice::shared_of_wdt_node(misc);
        shared.with_hw(|wdt, regs, now| wdt.open(regs, now))?.map_err(errno)?;
        Ok(shared)
    }

    fn release(shared: Arc<Shared>, _file: &File) {
        match shared.with_hw(|wdt, regs, now| (wdt.release(regs, now), wdt.timeout_s())) {
            Ok((ReleaseOutcome::LeftRunning, timeout_s)) => dev_crit!(
                shared.device(),
                "closed without magic close: watchdog did not stop! The board resets in {} s unless /dev/{} is reopened\n",
                timeout_s,
                WDT_NODE_NAME.to_str().unwrap_or("rpi-wdt")
            ),
            Ok(_) => {}
            Err(_) => dev_warn!(shared.device(), "closed after the device was unbound\n"),
        }
    }

    fn write_iter(kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let shared = kiocb.file();
        let len = iov.len();
        let mut saw_magic = false;
        let mut chunk = [0u8; 64];
        while !iov.is_empty() {
            let copied = iov.copy_from_iter(&mut chunk);
            if copied == 0 {
                return Err(EFAULT);
            }
            saw_magic |= has_magic_char(&chunk[..copied]);
        }
        shared.with_hw(|wdt, regs, now| wdt.write(regs, now, len, saw_magic))?;
        Ok(len)
    }

    fn ioctl(shared: ArcBorrow<'_, Shared>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            WDIOC_GETSUPPORT => uapi::write(arg, &shared.with_state(Watchdog::watchdog_info))?,
            WDIOC_GETSTATUS => uapi::write_int(arg, shared.with_hw(|wdt, _, _| wdt.status())?)?,
            WDIOC_GETBOOTSTATUS => {
                uapi::write_int(arg, shared.with_state(|wdt| wdt.boot_status().wdiof_flags()))?
            }
            WDIOC_KEEPALIVE => {
                shared.with_hw(|wdt, regs, now| wdt.ping(regs, now))?;
            }
            WDIOC_SETTIMEOUT => {
                let requested = uapi::read::<i32>(arg)?;
                let seconds = u32::try_from(requested).map_err(|_| EINVAL)?;
                let seconds = timeout::validate(seconds).map_err(|_| EINVAL)?;
                // Reply before changing anything, so an unwritable pointer leaves the timeout intact.
                uapi::write_int(arg, seconds)?;
                shared.with_hw(|wdt, regs, now| wdt.set_timeout(regs, now, seconds))?.map_err(errno)?;
            }
            WDIOC_GETTIMEOUT => uapi::write_int(arg, shared.with_state(Watchdog::timeout_s))?,
            WDIOC_GETTIMELEFT => uapi::write_int(arg, shared.with_hw(|wdt, regs, _| wdt.time_left_s(regs))?)?,
            WDIOC_SETOPTIONS => {
                let options = uapi::read::<i32>(arg)?;
                shared
                    .with_hw(|wdt, regs, now| wdt.set_options(regs, now, options as u32))?
                    .map_err(errno)?;
            }
            WDIOC_GETPRETIMEOUT => uapi::write_int(arg, 0)?,
            WDIOC_SETPRETIMEOUT => return Err(EOPNOTSUPP),
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }
}

/// Registers `/dev/rpi-wdt`.
pub(crate) fn register() -> impl PinInit<MiscDeviceRegistration<WdtNode>, Error> {
    MiscDeviceRegistration::register(kernel::miscdevice::MiscDeviceOptions { name: WDT_NODE_NAME })
}
