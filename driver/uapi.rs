// SPDX-License-Identifier: GPL-2.0

//! Moving ioctl arguments across the user boundary, and mapping state-machine errors to errnos.
//!
//! Every copy goes through `UserSlice`, which fails with EFAULT on a bad pointer: a bad pointer from
//! userspace is an error, never an oops. The ABI structs come from `abi.rs`; they are plain integers
//! with explicit padding, which is what makes the byte-level impls below sound.

use core::mem::size_of;

use kernel::{
    prelude::*,
    transmute::{AsBytes, FromBytes},
    uaccess::{UserPtr, UserSlice},
};

use crate::abi::{RpiWdtBootStatus, RpiWdtInfo, RpiWdtState, WatchdogInfo};
use crate::watchdog::WdtError;

// SAFETY: `#[repr(C)]` structs of `u32`, `u64` and `[u8; 32]` fields, laid out without implicit padding
// (checked by the host tests in driver/core/tests/abi.rs): every byte is initialised.
unsafe impl AsBytes for WatchdogInfo {}
// SAFETY: As above.
unsafe impl AsBytes for RpiWdtInfo {}
// SAFETY: As above; `reserved` makes the padding before the `u64` fields explicit.
unsafe impl AsBytes for RpiWdtState {}
// SAFETY: As above.
unsafe impl AsBytes for RpiWdtBootStatus {}

/// The errno for a refused state-machine operation.
pub(crate) fn errno(e: WdtError) -> Error {
    match e {
        WdtError::Busy => EBUSY,
        WdtError::InvalidArgument => EINVAL,
    }
}

/// Reads a `T` (an `int` or `u32` argument) from userspace.
pub(crate) fn read<T: FromBytes>(arg: usize) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>()).reader().read::<T>()
}

/// Writes `value` to userspace.
pub(crate) fn write<T: AsBytes>(arg: usize, value: &T) -> Result {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>()).writer().write(value)
}

/// Writes an `int` result, the usual reply of the standard watchdog ioctls.
pub(crate) fn write_int(arg: usize, value: u32) -> Result {
    write(arg, &i32::try_from(value).map_err(|_| EOVERFLOW)?)
}
