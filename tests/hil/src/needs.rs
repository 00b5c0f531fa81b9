//! What a scenario needs of its target, declared beside it in the scenario table
//! ([`crate::scenarios::ALL`]). The runner skips a scenario whose needs the target does not meet and
//! gives the need's reason, so the skips come from the declarations, not from each scenario.
//!
//! Only what the target is, known before anything runs, is a need. What a scenario finds on the target
//! (no clock fitted, nowayout set, the driver built in) is checked by the scenario itself.

use crate::target::{Countdown, Target};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// A watchdog that counts down: a board, or QEMU with the project's watchdog model. On stock
    /// QEMU, starting the watchdog resets the machine at once.
    Countdown,
    /// A real-time clock that keeps its time over a reset, stops on its clock-halt bit and takes a
    /// time from all its registers at once: a board's chip, or the project's DS1338 model.
    RtcModel,
    /// An SSH connection to the target (a board, or QEMU with its forwarded port).
    Ssh,
    /// Leave to power the target off: QEMU, or a board whose runner was given --allow-poweroff.
    PowerOff,
}

impl Need {
    /// Why `t` does not meet this need; None if it does.
    pub fn unmet(self, t: &dyn Target) -> Option<&'static str> {
        let met = match self {
            Need::Countdown | Need::RtcModel => t.countdown() == Countdown::Counts,
            Need::Ssh => t.ssh().is_some(),
            Need::PowerOff => t.may_power_off(),
        };
        (!met).then_some(self.reason())
    }

    /// The skip reason: what is missing, and how to get it.
    pub fn reason(self) -> &'static str {
        match self {
            Need::Countdown => {
                "stock QEMU resets at once when the watchdog starts (no countdown); use the model \
                 (make qemu-build) or a board"
            }
            Need::RtcModel => {
                "stock QEMU's ds1338 model has no clock-halt bit, forgets its time at a reset and sets \
                 its clock field by field; build the project's QEMU with 'make qemu-build'"
            }
            Need::Ssh => "the target is reached over its serial console, not SSH",
            Need::PowerOff => {
                "powering a board off needs a person or switchable power to bring it back; pass \
                 --allow-poweroff"
            }
        }
    }
}

/// The reason of the first need in `needs` that `t` does not meet.
pub fn first_unmet(needs: &[Need], t: &dyn Target) -> Option<&'static str> {
    needs.iter().find_map(|need| need.unmet(t))
}

#[cfg(test)]
mod tests {
    use super::{first_unmet, Need};
    use crate::target::{Countdown, Output, Target};
    use std::path::Path;
    use std::time::{Duration, Instant};

    /// A target that only answers what it is.
    struct Fake {
        countdown: Countdown,
        may_power_off: bool,
    }

    impl Target for Fake {
        fn name(&self) -> String {
            "fake".into()
        }
        fn transport(&self) -> &'static str {
            "none"
        }
        fn run(&mut self, _: &str, _: Duration) -> Result<Output, String> {
            Err("not a real target".into())
        }
        fn upload(&mut self, _: &Path, _: &str) -> Result<(), String> {
            Err("not a real target".into())
        }
        fn countdown(&self) -> Countdown {
            self.countdown
        }
        fn may_power_off(&self) -> bool {
            self.may_power_off
        }
        fn wait_gone(&mut self, _: Duration) -> Result<Instant, String> {
            Err("not a real target".into())
        }
        fn wait_back(&mut self, _: &str, _: Duration) -> Result<Duration, String> {
            Err("not a real target".into())
        }
        fn confirm_powered_off(&mut self) -> Result<(), String> {
            Err("not a real target".into())
        }
    }

    #[test]
    fn stock_qemu_skips_what_needs_a_countdown_with_the_needs_reason() {
        let stock = Fake { countdown: Countdown::ResetsAtOnce, may_power_off: true };
        assert_eq!(first_unmet(&[Need::Countdown], &stock), Some(Need::Countdown.reason()));
        assert_eq!(first_unmet(&[Need::PowerOff, Need::RtcModel], &stock), Some(Need::RtcModel.reason()));
        assert_eq!(first_unmet(&[Need::PowerOff], &stock), None);
        assert_eq!(first_unmet(&[], &stock), None);
    }

    #[test]
    fn a_board_without_ssh_or_leave_to_power_off_skips_those() {
        let board = Fake { countdown: Countdown::Counts, may_power_off: false };
        assert_eq!(first_unmet(&[Need::Countdown, Need::RtcModel], &board), None);
        assert_eq!(first_unmet(&[Need::Countdown, Need::PowerOff], &board), Some(Need::PowerOff.reason()));
        assert_eq!(first_unmet(&[Need::Ssh], &board), Some(Need::Ssh.reason()));
    }
}
