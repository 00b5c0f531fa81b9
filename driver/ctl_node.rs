// SPDX-License-Identifier: GPL-2.0

//! `/dev/rpi-wdt-ctl`: the control node. Opening it changes nothing; any number of holders may have it
//! open. Its ioctls (defined in `abi.rs`) read info, state and boot status, and start, stop, ping the
//! watchdog or set its timeout, with the same rules as the standard node: nowayout makes stop EBUSY, and
//! timeouts outside 1..=15 s are EINVAL and change nothing. Ping on a stopped watchdog is EINVAL: there is
//! nothing to keep alive.

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    sync::{Arc, ArcBorrow},
};

use crate::abi::*;
use crate::probe::RpiWdtDevice;
use crate::shared::Shared;
use crate::timeout;
use crate::uapi::{self, errno};
use crate::watchdog::Watchdog;

/// The file operations of `/dev/rpi-wdt-ctl`.
pub(crate) struct CtlNode;

#[vtable]
impl MiscDevice for CtlNode {
    type Ptr = Arc<Shared>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<Arc<Shared>> {
        Ok(RpiWdtDevice::shared_of_ctl_node(misc))
    }

    fn ioctl(shared: ArcBorrow<'_, Shared>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            RPI_WDT_IOC_INFO => uapi::write(arg, &shared.with_state(Watchdog::info))?,
            RPI_WDT_IOC_STATE => uapi::write(arg, &shared.with_hw(|wdt, regs, now| wdt.state(regs, now))?)?,
            RPI_WDT_IOC_BOOT_STATUS => {
                uapi::write(arg, &shared.with_state(|wdt| wdt.boot_status().to_abi()))?
            }
            RPI_WDT_IOC_SET_TIMEOUT => {
                let seconds = timeout::validate(uapi::read::<u32>(arg)?).map_err(|_| EINVAL)?;
                // Reply before changing anything, so an unwritable pointer leaves the timeout intact.
                uapi::write(arg, &seconds)?;
                shared.with_hw(|wdt, regs, now| wdt.set_timeout(regs, now, seconds))?.map_err(errno)?;
            }
            RPI_WDT_IOC_START => {
                shared.with_hw(|wdt, regs, now| wdt.start(regs, now))?;
                dev_info!(shared.device(), "started from /dev/{}\n", CTL_NODE_NAME.to_str().unwrap_or("?"));
            }
            RPI_WDT_IOC_STOP => {
                shared.with_hw(|wdt, regs, _| wdt.stop(regs))?.map_err(errno)?;
            }
            RPI_WDT_IOC_PING => {
                if !shared.with_hw(|wdt, regs, now| wdt.ping(regs, now))? {
                    return Err(EINVAL);
                }
            }
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }
}

/// Registers `/dev/rpi-wdt-ctl`.
pub(crate) fn register() -> impl PinInit<MiscDeviceRegistration<CtlNode>, Error> {
    MiscDeviceRegistration::register(kernel::miscdevice::MiscDeviceOptions { name: CTL_NODE_NAME })
}
