// SPDX-License-Identifier: GPL-2.0

//! Restart and power-off handlers, through the kernel's sys-off API (`include/linux/reboot.h`).
//!
//! Linux 7.3 has no Rust abstraction for sys-off handlers and its generated bindings do not include
//! `linux/reboot.h`, so this module declares the two exported C functions and `struct sys_off_data` by
//! hand and wraps them in [`SysOffHandler`], a registration that unregisters on drop. Every unsafe block
//! here is in this file.
//!
//! What the handlers do is the caller's: [`SysOffTarget`] says how to restart and how to power off.

use core::ffi::{c_char, c_int, c_void};
use core::ptr::NonNull;

use kernel::{bindings, error::from_err_ptr, prelude::*, sync::Arc};

/// `enum sys_off_mode` values (include/linux/reboot.h).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    /// `SYS_OFF_MODE_POWER_OFF`: the last step of `poweroff`.
    PowerOff = 1,
    /// `SYS_OFF_MODE_RESTART`: the last step of `reboot`.
    Restart = 3,
}

/// `SYS_OFF_PRIO_DEFAULT`.
pub(crate) const PRIO_DEFAULT: c_int = 0;
/// The restart priority the C bcm2835_wdt driver uses: above the default, below firmware handlers.
pub(crate) const PRIO_RESTART_WATCHDOG: c_int = 128;

/// `NOTIFY_DONE` (include/linux/notifier.h).
const NOTIFY_DONE: c_int = 0;

/// `struct sys_off_data` (include/linux/reboot.h).
#[repr(C)]
struct SysOffData {
    mode: c_int,
    cb_data: *mut c_void,
    cmd: *const c_char,
    dev: *mut bindings::device,
}

/// `struct sys_off_handler`, opaque.
#[repr(C)]
struct RawHandler {
    _opaque: [u8; 0],
}

extern "C" {
    fn register_sys_off_handler(
        mode: c_int,
        priority: c_int,
        callback: Option<unsafe extern "C" fn(data: *mut SysOffData) -> c_int>,
        cb_data: *mut c_void,
    ) -> *mut RawHandler;
    fn unregister_sys_off_handler(handler: *mut RawHandler);
}

/// What a sys-off handler acts on. The methods run in atomic context with other CPUs stopped: they must
/// not sleep or wait for locks.
pub(crate) trait SysOffTarget: Send + Sync + 'static {
    /// Resets the machine now.
    fn restart(&self);
    /// Powers the machine off now.
    fn power_off(&self);
}

/// A registered sys-off handler. Dropping it unregisters the handler; only then is `target` released.
pub(crate) struct SysOffHandler<T: SysOffTarget> {
    handle: NonNull<RawHandler>,
    /// Keeps the callback's `cb_data` alive; released after `drop` unregistered the handler.
    _target: Arc<T>,
}

// SAFETY: The handle is only passed to `unregister_sys_off_handler`, which may be called from any
// thread; `_target` is an `Arc` of a `Send + Sync` type.
unsafe impl<T: SysOffTarget> Send for SysOffHandler<T> {}
// SAFETY: No method takes `&self`; sharing a reference gives access to nothing.
unsafe impl<T: SysOffTarget> Sync for SysOffHandler<T> {}

impl<T: SysOffTarget> SysOffHandler<T> {
    /// Registers `target` as the `mode` handler at `priority`.
    pub(crate) fn register(mode: Mode, priority: c_int, target: Arc<T>) -> Result<Self> {
        let callback: unsafe extern "C" fn(*mut SysOffData) -> c_int = match mode {
            Mode::Restart => Self::restart_callback,
            Mode::PowerOff => Self::power_off_callback,
        };
        let cb_data = Arc::as_ptr(&target).cast_mut().cast::<c_void>();
        // SAFETY: `callback` matches the C prototype; `cb_data` points to the `T` that `target` keeps
        // alive for as long as the handler is registered (it is unregistered in `drop` before `target`
        // is released).
        let raw = unsafe { register_sys_off_handler(mode as c_int, priority, Some(callback), cb_data) };
        let raw = from_err_ptr(raw)?;
        let handle = NonNull::new(raw).ok_or(ENOMEM)?;
        Ok(SysOffHandler { handle, _target: target })
    }

    /// # Safety
    ///
    /// `data` is the `struct sys_off_data` the kernel passes, whose `cb_data` was set by `register`.
    unsafe extern "C" fn restart_callback(data: *mut SysOffData) -> c_int {
        // SAFETY: Per the function's contract `data` is valid and `cb_data` points to a live `T`.
        let target = unsafe { &*(*data).cb_data.cast::<T>() };
        target.restart();
        NOTIFY_DONE
    }

    /// # Safety
    ///
    /// As for `restart_callback`.
    unsafe extern "C" fn power_off_callback(data: *mut SysOffData) -> c_int {
        // SAFETY: Per the function's contract `data` is valid and `cb_data` points to a live `T`.
        let target = unsafe { &*(*data).cb_data.cast::<T>() };
        target.power_off();
        NOTIFY_DONE
    }
}

impl<T: SysOffTarget> Drop for SysOffHandler<T> {
    fn drop(&mut self) {
        // SAFETY: `handle` came from a successful `register_sys_off_handler` and is unregistered once.
        // After this call the kernel no longer calls the callback, so `_target` may be released.
        unsafe { unregister_sys_off_handler(self.handle.as_ptr()) };
    }
}
