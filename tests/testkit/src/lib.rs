//! The pieces the QEMU system tests (`rpi-wdt-systest`) and the HIL runner (`rpi-wdt-hil`) share:
//! a QEMU guest and its serial console, kernel splat detection, KTAP parsing, busybox `hwclock`'s
//! output, and check reports (TAP-style lines, a closing summary, JUnit XML).

pub mod console;
pub mod hwclock;
pub mod ktap;
pub mod report;
pub mod splat;
pub mod tap;
