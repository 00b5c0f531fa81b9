//! How far a measured watchdog expiry may be from the timeout, for every harness that times one.

use std::time::Duration;

/// A window around an expected duration: `early` before it to `late` after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    pub early: Duration,
    pub late: Duration,
}

impl Tolerance {
    /// Whether `measured` falls in the window around `expected`.
    pub fn admits(self, measured: Duration, expected: Duration) -> bool {
        measured + self.early >= expected && measured <= expected + self.late
    }

    /// The window, for messages: `5.0 s -0.3/+0.7 s`.
    pub fn window(self, expected: Duration) -> String {
        format!(
            "{:.1} s -{:.1}/+{:.1} s",
            expected.as_secs_f64(),
            self.early.as_secs_f64(),
            self.late.as_secs_f64()
        )
    }
}

/// An expiry timed against the hardware's own record (the QEMU model's trace, or the RP2040
/// fixture's clock): the harness's last-ping marker comes a little after the last ping (early side),
/// and the record reaches the harness a little late (late side). The same bound holds for a timeout
/// the hardware counts in one load and for one the watchdog core extends by reloading it: the core
/// times its last reload so that the reset comes `timeout` after the last ping.
pub const EXPIRY: Tolerance =
    Tolerance { early: Duration::from_millis(300), late: Duration::from_millis(700) };

/// An expiry the HIL runner estimates by itself, polling the board over SSH once a second-long
/// connect timeout allows: it sees the board go quiet up to about 1.5 s late.
pub const ESTIMATE: Tolerance =
    Tolerance { early: Duration::from_millis(500), late: Duration::from_millis(2500) };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_has_both_edges() {
        let five = Duration::from_secs(5);
        assert!(EXPIRY.admits(Duration::from_millis(4700), five));
        assert!(!EXPIRY.admits(Duration::from_millis(4699), five));
        assert!(EXPIRY.admits(Duration::from_millis(5700), five));
        assert!(!EXPIRY.admits(Duration::from_millis(5701), five));
        assert_eq!(EXPIRY.window(five), "5.0 s -0.3/+0.7 s");
    }
}
