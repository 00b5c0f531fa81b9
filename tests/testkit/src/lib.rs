//! The pieces the QEMU system tests (`rpi-wdt-systest`) and the HIL runner (`rpi-wdt-hil`) share:
//! a QEMU guest and its serial console, the guest's and the model's markers, the project's paths and
//! QEMU, kernel splat detection, TAP and KTAP parsing, busybox `hwclock`'s output, expiry tolerances,
//! and check reports (TAP-style lines, a closing summary, JUnit XML).

pub mod console;
pub mod hwclock;
pub mod ktap;
pub mod markers;
pub mod project;
pub mod qmp;
pub mod report;
pub mod splat;
pub mod tap;
pub mod timing;
