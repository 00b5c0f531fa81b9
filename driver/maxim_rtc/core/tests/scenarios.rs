//! Runs every behaviour scenario as its own host test (the KUnit suite runs the same code),
//! generated from the one list in `for_each_scenario!`.

use maxim_rtc_core::{for_each_scenario, scenarios};

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
    };
}

for_each_scenario!(scenario_tests);
