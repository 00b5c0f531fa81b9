// SPDX-License-Identifier: GPL-2.0

//! Pure logic of the rpi_wdt driver: register encoding, timeout conversion, boot-status decoding, the
//! userspace ABI and the watchdog state machine, with a fake register bank and behaviour scenarios.
//!
//! These files are compiled twice: here as a host crate (for `cargo test` and for userspace, which takes
//! the ABI from [`abi`]), and into the kernel module, whose crate root includes each file with
//! `#[path]` under the same module name, so `crate::regs` means the same thing in both. They therefore
//! use only `core`, never `std`, `alloc` or the `kernel` crate, and never panic on any input.
#![no_std]

pub mod abi;
pub mod boot_status;
pub mod fake_pm;
pub mod regs;
pub mod scenarios;
pub mod timeout;
pub mod watchdog;
