//! The heartbeat line for the HIL fixture: one GPIO output through the GPIO character device
//! (`include/uapi/linux/gpio.h`, v2 ABI), held high while wdtctl keeps the watchdog alive and pulsed low
//! for a few milliseconds on every ping. Releasing the line (process exit) returns a Pi's pin to an
//! input, so the fixture sees it fall; wdtctl therefore holds it for as long as the pulses must mean
//! something.

use std::fs::File;
use std::os::fd::{FromRawFd, OwnedFd};
use std::time::Duration;

use rustix::io::Errno;
use rustix::ioctl::{ioctl, opcode, Opcode, Updater};

use crate::error::{Error, Exit, Operation};

const GPIO_V2_LINES_MAX: usize = 64;
const GPIO_MAX_NAME_SIZE: usize = 32;
const GPIO_V2_LINE_NUM_ATTRS_MAX: usize = 10;
const GPIO_V2_LINE_FLAG_OUTPUT: u64 = 1 << 3;
const GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES: u32 = 2;

/// `struct gpio_v2_line_attribute` (the union is 8 bytes, 8-aligned).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct LineAttribute {
    id: u32,
    padding: u32,
    value: u64,
}

/// `struct gpio_v2_line_config_attribute`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct LineConfigAttribute {
    attr: LineAttribute,
    mask: u64,
}

/// `struct gpio_v2_line_config`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct LineConfig {
    flags: u64,
    num_attrs: u32,
    padding: [u32; 5],
    attrs: [LineConfigAttribute; GPIO_V2_LINE_NUM_ATTRS_MAX],
}

/// `struct gpio_v2_line_request`.
#[repr(C)]
#[derive(Clone, Copy)]
struct LineRequest {
    offsets: [u32; GPIO_V2_LINES_MAX],
    consumer: [u8; GPIO_MAX_NAME_SIZE],
    config: LineConfig,
    num_lines: u32,
    event_buffer_size: u32,
    padding: [u32; 5],
    fd: i32,
}

/// `struct gpio_v2_line_values`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct LineValues {
    bits: u64,
    mask: u64,
}

const GPIO_V2_GET_LINE_IOCTL: Opcode = opcode::read_write::<LineRequest>(0xB4, 0x07);
const GPIO_V2_LINE_SET_VALUES_IOCTL: Opcode = opcode::read_write::<LineValues>(0xB4, 0x0F);

/// How long a ping pulse holds the line low.
pub const PULSE: Duration = Duration::from_millis(5);

/// `gpiochip0:17` → (`/dev/gpiochip0`, 17).
pub fn parse_spec(spec: &str) -> Result<(String, u32), String> {
    let (chip, line) =
        spec.rsplit_once(':').ok_or_else(|| format!("{spec}: expected CHIP:LINE, e.g. gpiochip0:17"))?;
    let line: u32 = line.parse().map_err(|_| format!("{spec}: line {line:?} is not a number"))?;
    if line as usize >= 1 << 16 || chip.is_empty() {
        return Err(format!("{spec}: expected CHIP:LINE, e.g. gpiochip0:17"));
    }
    let path = if chip.starts_with('/') { chip.to_string() } else { format!("/dev/{chip}") };
    Ok((path, line))
}

/// A requested heartbeat line, high until pulsed; released when dropped.
pub struct Heartbeat {
    line: File,
    name: String,
}

impl Heartbeat {
    /// Requests `CHIP:LINE` as an output, driven high.
    pub fn request(spec: &str) -> Result<Heartbeat, Error> {
        let (path, offset) =
            parse_spec(spec).map_err(|e| Error::other(spec, Operation::Open, e, Exit::InvalidArgument))?;
        let chip = File::open(&path).map_err(|e| {
            let error = Error::io(&path, Operation::Open, &e);
            match error.errno {
                Some(Errno::NOENT) => error.with_hint("no such GPIO chip: 'ls /dev/gpiochip*' lists them."),
                _ => error,
            }
        })?;
        let mut consumer = [0u8; GPIO_MAX_NAME_SIZE];
        consumer[..b"wdtctl-heartbeat".len()].copy_from_slice(b"wdtctl-heartbeat");
        let mut config =
            LineConfig { flags: GPIO_V2_LINE_FLAG_OUTPUT, num_attrs: 1, ..LineConfig::default() };
        config.attrs[0] = LineConfigAttribute {
            attr: LineAttribute { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, padding: 0, value: 1 },
            mask: 1,
        };
        let mut offsets = [0u32; GPIO_V2_LINES_MAX];
        offsets[0] = offset;
        let mut request = LineRequest {
            offsets,
            consumer,
            config,
            num_lines: 1,
            event_buffer_size: 0,
            padding: [0; 5],
            fd: -1,
        };
        // SAFETY: GPIO_V2_GET_LINE_IOCTL is _IOWR with struct gpio_v2_line_request, whose layout the
        // tests pin; the kernel fills in `fd`.
        unsafe { ioctl(&chip, Updater::<GPIO_V2_GET_LINE_IOCTL, LineRequest>::new(&mut request)) }
            .map_err(|e| Error::os(&format!("{path} line {offset}"), Operation::Open, e))?;
        // SAFETY: on success the kernel returned a new file descriptor that nothing else owns.
        let line = File::from(unsafe { OwnedFd::from_raw_fd(request.fd) });
        Ok(Heartbeat { line, name: format!("{path} line {offset}") })
    }

    fn set(&self, high: bool) -> Result<(), Error> {
        let mut values = LineValues { bits: u64::from(high), mask: 1 };
        // SAFETY: GPIO_V2_LINE_SET_VALUES_IOCTL is _IOWR with struct gpio_v2_line_values.
        unsafe { ioctl(&self.line, Updater::<GPIO_V2_LINE_SET_VALUES_IOCTL, LineValues>::new(&mut values)) }
            .map_err(|e| Error::os(&self.name, Operation::Write, e))
    }

    /// One ping: low for [`PULSE`], then high again.
    pub fn pulse(&self) -> Result<(), Error> {
        self.set(false)?;
        std::thread::sleep(PULSE);
        self.set(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};
    use linux_raw_sys::ioctl as uapi;

    #[test]
    fn layouts_and_numbers_match_the_uapi() {
        assert_eq!(size_of::<LineAttribute>(), 16);
        assert_eq!(size_of::<LineConfigAttribute>(), 24);
        assert_eq!(size_of::<LineConfig>(), 272);
        assert_eq!(size_of::<LineRequest>(), 592);
        assert_eq!(offset_of!(LineRequest, consumer), 256);
        assert_eq!(offset_of!(LineRequest, config), 288);
        assert_eq!(offset_of!(LineRequest, fd), 588);
        assert_eq!(GPIO_V2_GET_LINE_IOCTL as u32, uapi::GPIO_V2_GET_LINE_IOCTL);
        assert_eq!(GPIO_V2_LINE_SET_VALUES_IOCTL as u32, uapi::GPIO_V2_LINE_SET_VALUES_IOCTL);
    }

    #[test]
    fn parses_line_specs() {
        assert_eq!(parse_spec("gpiochip0:17"), Ok(("/dev/gpiochip0".into(), 17)));
        assert_eq!(parse_spec("/dev/gpiochip1:4"), Ok(("/dev/gpiochip1".into(), 4)));
        assert!(parse_spec("gpiochip0").is_err());
        assert!(parse_spec("gpiochip0:x").is_err());
        assert!(parse_spec(":3").is_err());
    }
}
