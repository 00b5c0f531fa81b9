// SPDX-License-Identifier: GPL-2.0

//! Probe: check that the adapter can do block transfers and that the chip answers, prepare it,
//! say whether it holds a valid time, and register the clock with the RTC class (and a DS3231's
//! temperature sensor with the hwmon core).
//!
//! The registrations are device resources of the client, so unbind needs nothing here: the RTC
//! class and the hwmon core unregister their devices (waiting for a running operation) before
//! their data is dropped.

use kernel::{
    device::{Bound, Core},
    i2c::{self, I2cClient},
    prelude::*,
    rtc,
};

use crate::bus::I2cBus;
use crate::chip::Chip;
use crate::clock;
use crate::ops::{AgingClock, Clock};
#[cfg(CONFIG_RUST_HWMON_ABSTRACTIONS)]
use crate::thermometer::Thermometer;

/// Probes one client, whose compatible (or I2C id) named `chip`.
pub(crate) fn probe(client: &I2cClient<Core<'_>>, chip: Option<Chip>) -> Result {
    let dev = client.as_ref();
    let chip = chip.ok_or_else(|| {
        dev_err!(
            dev,
            "no chip matched: the node's compatible must be dallas,ds1307, dallas,ds1338 or maxim,ds3231\n"
        );
        ENODEV
    })?;
    let client: &I2cClient<Bound> = client;
    if !client.check_functionality(i2c::functionality::SMBUS_I2C_BLOCK) {
        dev_err!(dev, "the I2C adapter cannot do I2C block transfers, which the {} needs\n", chip.name());
        return Err(ENODEV);
    }
    let bus = I2cBus(client);
    let no_answer = |e: Error| {
        dev_err!(
            dev,
            "no {} answers at this address (error {}): check the module's wiring (SDA to GPIO 2, SCL to \
             GPIO 3, 3.3 V and ground) and that the overlay names the chip that is fitted\n",
            chip.name(),
            e.to_errno()
        );
        e
    };
    clock::init(chip, &bus).map_err(|e| match e {
        clock::Error::Bus(e) => no_answer(e),
        _ => EIO,
    })?;
    let valid = match clock::read_time(chip, &bus) {
        Ok(_) => true,
        Err(clock::Error::Bus(e)) => return Err(no_answer(e)),
        // Not a probe failure: the clock works, it only needs setting. The first read through
        // the RTC class says how.
        Err(_) => false,
    };

    let options = rtc::Options {
        range_min: rtc::TIMESTAMP_BEGIN_2000,
        range_max: if chip.last_year() == 2199 { rtc::TIMESTAMP_END_2199 } else { rtc::TIMESTAMP_END_2099 },
    };
    if chip.is_ds3231() {
        rtc::register(dev, options, AgingClock::new(chip))?;
        // The clock works without its thermometer, so a failure here is only reported, as the C
        // rtc-ds1307 does.
        #[cfg(CONFIG_RUST_HWMON_ABSTRACTIONS)]
        if let Err(e) = kernel::hwmon::register(dev, c"ds3231", Thermometer::new(chip)) {
            dev_warn!(
                dev,
                "the temperature sensor is not available through hwmon (error {})\n",
                e.to_errno()
            );
        }
    } else {
        rtc::register(dev, options, Clock::new(chip))?;
    }
    dev_info!(
        dev,
        "{} real-time clock, years 2000 to {}, {}\n",
        chip.name(),
        chip.last_year(),
        if valid { "time valid" } else { "time lost: set it with 'hwclock --systohc'" }
    );
    Ok(())
}
