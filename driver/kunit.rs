// SPDX-License-Identifier: GPL-2.0

//! KUnit suite `rpi_wdt_state_machine`: the shared behaviour scenarios (core/src/scenarios.rs), run
//! inside the kernel against the fake register bank that counts down. They are the same code the host
//! tests run; here they prove it behaves the same when compiled into the module with the kernel's
//! compiler flags. Built only when CONFIG_KUNIT=y; the suite runs when the module loads and prints KTAP.

#[kernel::macros::kunit_tests(rpi_wdt_state_machine)]
mod tests {
    use crate::scenarios::{self, Outcome};
    use kernel::prelude::*;

    /// Logs the failed expectation, so the KTAP output says what broke.
    fn report(name: &str, outcome: Outcome) -> Outcome {
        if let Err(failure) = &outcome {
            pr_err!(
                "rpi_wdt_state_machine: {}: scenarios.rs:{}: expected {}\n",
                name,
                failure.line,
                failure.expected
            );
        }
        outcome
    }

    #[test]
    fn open_arms_with_configured_timeout() -> Outcome {
        report("open_arms_with_configured_timeout", scenarios::open_arms_with_configured_timeout())
    }

    #[test]
    fn second_open_is_busy() -> Outcome {
        report("second_open_is_busy", scenarios::second_open_is_busy())
    }

    #[test]
    fn keepalive_holds_for_three_timeouts() -> Outcome {
        report("keepalive_holds_for_three_timeouts", scenarios::keepalive_holds_for_three_timeouts())
    }

    #[test]
    fn expiry_fires_at_timeout() -> Outcome {
        report("expiry_fires_at_timeout", scenarios::expiry_fires_at_timeout())
    }

    #[test]
    fn magic_close_stops() -> Outcome {
        report("magic_close_stops", scenarios::magic_close_stops())
    }

    #[test]
    fn later_write_disarms_magic_close() -> Outcome {
        report("later_write_disarms_magic_close", scenarios::later_write_disarms_magic_close())
    }

    #[test]
    fn close_without_magic_lets_it_fire() -> Outcome {
        report("close_without_magic_lets_it_fire", scenarios::close_without_magic_lets_it_fire())
    }

    #[test]
    fn nowayout_refuses_stop() -> Outcome {
        report("nowayout_refuses_stop", scenarios::nowayout_refuses_stop())
    }

    #[test]
    fn time_left_decreases() -> Outcome {
        report("time_left_decreases", scenarios::time_left_decreases())
    }

    #[test]
    fn set_timeout_bounds() -> Outcome {
        report("set_timeout_bounds", scenarios::set_timeout_bounds())
    }

    #[test]
    fn set_timeout_restarts_countdown() -> Outcome {
        report("set_timeout_restarts_countdown", scenarios::set_timeout_restarts_countdown())
    }

    #[test]
    fn set_timeout_while_stopped_does_not_start() -> Outcome {
        report(
            "set_timeout_while_stopped_does_not_start",
            scenarios::set_timeout_while_stopped_does_not_start(),
        )
    }

    #[test]
    fn set_options_disable_enable() -> Outcome {
        report("set_options_disable_enable", scenarios::set_options_disable_enable())
    }

    #[test]
    fn status_flags() -> Outcome {
        report("status_flags", scenarios::status_flags())
    }

    #[test]
    fn ping_when_stopped_is_noop() -> Outcome {
        report("ping_when_stopped_is_noop", scenarios::ping_when_stopped_is_noop())
    }

    #[test]
    fn restart_and_power_off() -> Outcome {
        report("restart_and_power_off", scenarios::restart_and_power_off())
    }

    #[test]
    fn adopt_running_at_probe() -> Outcome {
        report("adopt_running_at_probe", scenarios::adopt_running_at_probe())
    }

    #[test]
    fn boot_status_power_on() -> Outcome {
        report("boot_status_power_on", scenarios::boot_status_power_on())
    }

    #[test]
    fn every_scenario_runs_here() {
        assert_eq!(scenarios::ALL.len(), 18);
    }
}
