// SPDX-License-Identifier: GPL-2.0

//! The watchdog's behaviour, as plain logic over any implementation of [`PmRegisters`].
//!
//! This is where the semantics of `Documentation/watchdog/watchdog-api.rst` live, so that the kernel
//! module, the host tests and the in-kernel KUnit suites all run the same code:
//! - opening `/dev/rpi-wdt` arms the watchdog; a second open is refused (busy);
//! - every non-empty write pings; a write containing 'V' arms magic close, any later write without it
//!   disarms it (unless nowayout, where magic close is never armed);
//! - closing with magic close armed stops the watchdog, otherwise it keeps running (the caller logs it)
//!   and gets one last ping, so that the full timeout is left;
//! - under nowayout a running watchdog cannot be stopped (busy);
//! - timeouts are whole seconds from 1 to 15; setting one restarts a running countdown.
//!
//! The hardware is the single source of truth for "running" (RSTC's WRCFG field); this struct keeps what
//! the hardware cannot: the timeout, who holds the node, magic close, ping accounting and boot status.
//! Time comes in from the caller as monotonic nanoseconds, so that tests control it.
//!
//! Not handled: pretimeouts (the hardware has none), timeouts longer than the 20-bit countdown (the
//! watchdog core would emulate them with a kernel timer; this driver refuses them instead), and keeping
//! a watchdog that was already running at probe alive from the kernel (see [`Watchdog::adopt_at_probe`]).

use crate::abi::{self, RpiWdtInfo, RpiWdtState, WatchdogInfo};
use crate::boot_status::BootStatus;
use crate::regs::{self, Reg};
use crate::timeout;

/// Access to the three watchdog registers. The kernel implements it over MMIO; tests over a fake.
pub trait PmRegisters {
    /// Reads a register.
    fn read(&mut self, reg: Reg) -> u32;
    /// Writes a register; `value` must already carry the password.
    fn write(&mut self, reg: Reg, value: u32);
}

/// Why a watchdog operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WdtError {
    /// The node is already open, or nowayout forbids stopping (EBUSY).
    Busy,
    /// The argument is out of range or unknown (EINVAL).
    InvalidArgument,
}

/// What closing `/dev/rpi-wdt` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseOutcome {
    /// The watchdog was not running.
    NotRunning,
    /// Magic close was armed: the watchdog is stopped.
    Stopped,
    /// No magic close (or nowayout): the watchdog keeps running with a fresh countdown.
    LeftRunning,
}

/// The magic close character: written before close, it lets close stop the watchdog.
pub const MAGIC_CLOSE_CHAR: u8 = b'V';

/// Whether written bytes contain the magic close character.
pub fn has_magic_char(data: &[u8]) -> bool {
    data.contains(&MAGIC_CLOSE_CHAR)
}

/// Arms the countdown with `ticks`: load WDOG, then set RSTC's full-reset configuration.
pub fn hw_start(regs: &mut impl PmRegisters, ticks: u32) {
    regs.write(Reg::Wdog, regs::wdog_load(ticks));
    let current = regs.read(Reg::Rstc);
    regs.write(Reg::Rstc, regs::rstc_arm(current));
}

/// Disarms the countdown.
pub fn hw_stop(regs: &mut impl PmRegisters) {
    regs.write(Reg::Rstc, regs::rstc_stop());
}

/// Whether the countdown is armed.
pub fn hw_is_running(regs: &mut impl PmRegisters) -> bool {
    regs::rstc_is_armed(regs.read(Reg::Rstc))
}

/// Ticks left in the countdown.
pub fn hw_ticks_left(regs: &mut impl PmRegisters) -> u32 {
    regs::wdog_ticks(regs.read(Reg::Wdog))
}

/// Resets the machine within `RESTART_TICKS` (about 150 µs). The caller then waits.
pub fn hw_restart(regs: &mut impl PmRegisters) {
    hw_start(regs, timeout::RESTART_TICKS);
}

/// Asks the firmware to halt after the reset (partition 63 in RSTS), then resets.
pub fn hw_power_off(regs: &mut impl PmRegisters) {
    let current = regs.read(Reg::Rsts);
    regs.write(Reg::Rsts, regs::rsts_halt(current));
    hw_restart(regs);
}

/// What probe did with a watchdog it found already running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdoptOutcome {
    /// It was not running.
    NotRunning,
    /// It was running and has been stopped: nothing in the kernel would ping it.
    Stopped,
    /// It was running and nowayout is set: it keeps running; userspace must open the node in time.
    KeptRunning,
}

/// The watchdog's software state.
#[derive(Clone, Debug)]
pub struct Watchdog {
    timeout_s: u32,
    nowayout: bool,
    open: bool,
    expect_close: bool,
    pinged_since_status: bool,
    ping_count: u64,
    last_ping_ns: Option<u64>,
    boot: BootStatus,
}

impl Watchdog {
    /// A watchdog with a timeout already in range (see [`timeout::clamp_configured`]).
    pub const fn new(timeout_s: u32, nowayout: bool, boot: BootStatus) -> Self {
        Watchdog {
            timeout_s,
            nowayout,
            open: false,
            expect_close: false,
            pinged_since_status: false,
            ping_count: 0,
            last_ping_ns: None,
            boot,
        }
    }

    /// Deals with a countdown found armed at probe (started by a bootloader, or left running by a
    /// previous instance under nowayout). Without nowayout it is stopped, since no kernel timer pings it;
    /// with nowayout it keeps running.
    pub fn adopt_at_probe(&mut self, regs: &mut impl PmRegisters) -> AdoptOutcome {
        if !hw_is_running(regs) {
            AdoptOutcome::NotRunning
        } else if self.nowayout {
            AdoptOutcome::KeptRunning
        } else {
            hw_stop(regs);
            AdoptOutcome::Stopped
        }
    }

    /// The configured timeout in seconds.
    pub const fn timeout_s(&self) -> u32 {
        self.timeout_s
    }

    /// Whether nowayout is in force.
    pub const fn nowayout(&self) -> bool {
        self.nowayout
    }

    /// Whether `/dev/rpi-wdt` is held open.
    pub const fn is_open(&self) -> bool {
        self.open
    }

    /// The boot status decoded at probe.
    pub const fn boot_status(&self) -> BootStatus {
        self.boot
    }

    /// Starts and pings since creation.
    pub const fn ping_count(&self) -> u64 {
        self.ping_count
    }

    /// Whether the countdown is armed.
    pub fn is_running(&self, regs: &mut impl PmRegisters) -> bool {
        hw_is_running(regs)
    }

    fn arm(&mut self, regs: &mut impl PmRegisters, now_ns: u64) {
        hw_start(regs, timeout::secs_to_ticks(self.timeout_s));
        self.ping_count += 1;
        self.last_ping_ns = Some(now_ns);
        self.pinged_since_status = true;
    }

    /// Starts the countdown with the configured timeout (restarts it if running).
    pub fn start(&mut self, regs: &mut impl PmRegisters, now_ns: u64) {
        self.arm(regs, now_ns);
    }

    /// Restarts a running countdown. Returns false (and does nothing) when the watchdog is stopped.
    pub fn ping(&mut self, regs: &mut impl PmRegisters, now_ns: u64) -> bool {
        if hw_is_running(regs) {
            self.arm(regs, now_ns);
            true
        } else {
            false
        }
    }

    /// Stops the countdown, unless nowayout forbids it.
    pub fn stop(&mut self, regs: &mut impl PmRegisters) -> Result<(), WdtError> {
        if !hw_is_running(regs) {
            return Ok(());
        }
        if self.nowayout {
            return Err(WdtError::Busy);
        }
        hw_stop(regs);
        Ok(())
    }

    /// `open("/dev/rpi-wdt")`: one holder at a time; opening arms the watchdog.
    pub fn open(&mut self, regs: &mut impl PmRegisters, now_ns: u64) -> Result<(), WdtError> {
        if self.open {
            return Err(WdtError::Busy);
        }
        self.open = true;
        self.expect_close = false;
        self.arm(regs, now_ns);
        Ok(())
    }

    /// `write()` of `len` bytes on `/dev/rpi-wdt`: pings, and tracks the magic close character (the caller
    /// scans the bytes with [`has_magic_char`], chunk by chunk, and says whether it saw one).
    pub fn write(&mut self, regs: &mut impl PmRegisters, now_ns: u64, len: usize, saw_magic_char: bool) {
        if len == 0 {
            return;
        }
        if !self.nowayout {
            self.expect_close = saw_magic_char;
        }
        self.ping(regs, now_ns);
    }

    /// `close()` of `/dev/rpi-wdt`.
    pub fn release(&mut self, regs: &mut impl PmRegisters, now_ns: u64) -> ReleaseOutcome {
        let expect_close = self.expect_close;
        self.open = false;
        self.expect_close = false;
        if !hw_is_running(regs) {
            ReleaseOutcome::NotRunning
        } else if expect_close && self.stop(regs).is_ok() {
            ReleaseOutcome::Stopped
        } else {
            self.arm(regs, now_ns);
            ReleaseOutcome::LeftRunning
        }
    }

    /// Sets the timeout; a running countdown restarts with it. Out of range leaves everything unchanged.
    pub fn set_timeout(
        &mut self,
        regs: &mut impl PmRegisters,
        now_ns: u64,
        seconds: u32,
    ) -> Result<u32, WdtError> {
        let seconds = timeout::validate(seconds).map_err(|_| WdtError::InvalidArgument)?;
        self.timeout_s = seconds;
        self.ping(regs, now_ns);
        Ok(seconds)
    }

    /// WDIOC_SETOPTIONS: WDIOS_DISABLECARD stops, WDIOS_ENABLECARD starts; neither is EINVAL.
    pub fn set_options(
        &mut self,
        regs: &mut impl PmRegisters,
        now_ns: u64,
        options: u32,
    ) -> Result<(), WdtError> {
        let mut result = Err(WdtError::InvalidArgument);
        if options & abi::WDIOS_DISABLECARD != 0 {
            self.stop(regs)?;
            result = Ok(());
        }
        if options & abi::WDIOS_ENABLECARD != 0 {
            self.start(regs, now_ns);
            result = Ok(());
        }
        result
    }

    /// WDIOC_GETSTATUS: MAGICCLOSE while magic close is armed, KEEPALIVEPING if pinged since the last call.
    pub fn status(&mut self) -> u32 {
        let mut flags = 0;
        if self.expect_close {
            flags |= abi::WDIOF_MAGICCLOSE;
        }
        if core::mem::take(&mut self.pinged_since_status) {
            flags |= abi::WDIOF_KEEPALIVEPING;
        }
        flags
    }

    /// Ticks before the watchdog fires; 0 when stopped.
    pub fn ticks_left(&self, regs: &mut impl PmRegisters) -> u32 {
        if hw_is_running(regs) {
            hw_ticks_left(regs)
        } else {
            0
        }
    }

    /// WDIOC_GETTIMELEFT: whole seconds before the watchdog fires, rounded down; 0 when stopped.
    pub fn time_left_s(&self, regs: &mut impl PmRegisters) -> u32 {
        timeout::ticks_to_secs(self.ticks_left(regs))
    }

    /// The control node's state snapshot.
    pub fn state(&self, regs: &mut impl PmRegisters, now_ns: u64) -> RpiWdtState {
        let running = hw_is_running(regs);
        let mut flags = 0;
        if running {
            flags |= abi::STATE_RUNNING;
        }
        if self.open {
            flags |= abi::STATE_OPEN;
        }
        if self.expect_close {
            flags |= abi::STATE_MAGIC_CLOSE_ARMED;
        }
        if self.nowayout {
            flags |= abi::STATE_NOWAYOUT;
        }
        RpiWdtState {
            flags,
            timeout_s: self.timeout_s,
            timeleft_ms: timeout::ticks_to_millis(self.ticks_left(regs)),
            reserved: 0,
            since_last_ping_ms: match self.last_ping_ns {
                Some(at) => now_ns.saturating_sub(at) / 1_000_000,
                None => abi::NEVER_PINGED,
            },
            ping_count: self.ping_count,
        }
    }

    /// WDIOC_GETSUPPORT.
    pub const fn watchdog_info(&self) -> WatchdogInfo {
        WatchdogInfo { options: abi::SUPPORTED_OPTIONS, firmware_version: 0, identity: abi::identity_bytes() }
    }

    /// The control node's info.
    pub const fn info(&self) -> RpiWdtInfo {
        RpiWdtInfo {
            abi_version: abi::RPI_WDT_ABI_VERSION,
            options: abi::SUPPORTED_OPTIONS,
            min_timeout_s: timeout::MIN_TIMEOUT_S,
            max_timeout_s: timeout::MAX_TIMEOUT_S,
            ticks_per_second: timeout::TICKS_PER_SECOND,
            nowayout: self.nowayout as u32,
            identity: abi::identity_bytes(),
        }
    }

    /// On unbind: stop the watchdog unless nowayout keeps it running. Returns whether it still runs.
    pub fn shutdown(&mut self, regs: &mut impl PmRegisters) -> bool {
        self.stop(regs).is_err()
    }
}
