// SPDX-License-Identifier: GPL-2.0

//! The DS3231's temperature sensor, through the hwmon core: `/sys/class/hwmon/hwmonN/temp1_input`,
//! in millidegrees Celsius, with `name` "ds3231", which `sensors` shows as `ds3231-i2c-1-68`.
//!
//! The chip measures its die temperature every 64 seconds, to compensate its crystal, and holds
//! the last result in quarters of a degree; a read returns that result and starts nothing. The
//! DS1307 and DS1338 have no sensor, and get no hwmon device.
//!
//! Not handled: forcing a conversion (CONV in the control register) and the busy flag, since the
//! chip's own schedule is what compensates the clock; and the thermal zone, which would need the
//! board's device tree to describe one.

use kernel::{
    device::{Bound, Device},
    hwmon::{self, temp, Attribute, ChannelInfo, SensorType, Visibility},
    prelude::*,
};

use crate::bus::I2cBus;
use crate::chip::Chip;
use crate::clock;

/// The DS3231's one temperature channel.
pub(crate) struct Thermometer {
    chip: Chip,
}

impl Thermometer {
    pub(crate) fn new(chip: Chip) -> Self {
        Self { chip }
    }
}

#[vtable]
impl hwmon::Operations for Thermometer {
    const CHANNELS: &'static [ChannelInfo] = &[ChannelInfo::new(SensorType::Temp, &[temp::INPUT.bit(), 0])];

    fn is_visible(&self, sensor: SensorType, attribute: Attribute, _channel: u32) -> Visibility {
        match (sensor, attribute) {
            (SensorType::Temp, temp::INPUT) => Visibility::ReadOnly,
            _ => Visibility::Hidden,
        }
    }

    fn read(
        &self,
        parent: &Device<Bound>,
        sensor: SensorType,
        attribute: Attribute,
        _channel: u32,
    ) -> Result<i64> {
        if (sensor, attribute) != (SensorType::Temp, temp::INPUT) {
            return Err(EOPNOTSUPP);
        }
        // One two-byte block read, which the I2C core serialises with the RTC class's transfers.
        match clock::read_temperature(self.chip, &I2cBus::of(parent)?) {
            Ok(millidegrees) => Ok(i64::from(millidegrees)),
            Err(clock::Error::Bus(e)) => Err(e),
            Err(_) => Err(EOPNOTSUPP),
        }
    }
}
