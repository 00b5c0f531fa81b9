//! Runs every shared behaviour scenario as its own host test (the KUnit suites run the same code).

use rpi_wdt_core::scenarios;

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Err(failure) = scenarios::$name() {
                    panic!("{}: {}", stringify!($name), failure);
                }
            }
        )*

        #[test]
        fn every_scenario_has_a_host_test() {
            let tested = [$(stringify!($name)),*];
            for (name, _) in scenarios::ALL {
                assert!(tested.contains(name), "scenario {name} is in ALL but has no host test");
            }
            assert_eq!(tested.len(), scenarios::ALL.len());
        }
    };
}

scenario_tests!(
    open_arms_with_configured_timeout,
    second_open_is_busy,
    keepalive_holds_for_three_timeouts,
    expiry_fires_at_timeout,
    magic_close_stops,
    later_write_disarms_magic_close,
    close_without_magic_lets_it_fire,
    nowayout_refuses_stop,
    time_left_decreases,
    set_timeout_bounds,
    set_timeout_restarts_countdown,
    set_timeout_while_stopped_does_not_start,
    set_options_disable_enable,
    status_flags,
    ping_when_stopped_is_noop,
    restart_and_power_off,
    adopt_running_at_probe,
    boot_status_power_on,
);
