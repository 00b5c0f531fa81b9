// SPDX-License-Identifier: GPL-2.0

//! Pure logic of the rpi_wdt driver: register encoding, timeout conversion, boot-status decoding and
//! the register sequences, with a fake register bank and behaviour scenarios; and the standard
//! watchdog ABI that userspace (wdtctl) speaks.
//!
//! These files are compiled twice: here as a host crate (for `cargo test` and for userspace), and into
//! the kernel module, whose crate root includes each file it needs with `#[path]` under the same
//! module name, so `crate::regs` means the same thing in both. They therefore use only `core`, never
//! `std`, `alloc` or the `kernel` crate, and never panic on any input.
#![no_std]

pub mod abi;
pub mod boot_status;
pub mod fake_pm;
pub mod hw;
pub mod ident;
pub mod regs;
pub mod scenarios;
pub mod timeout;
