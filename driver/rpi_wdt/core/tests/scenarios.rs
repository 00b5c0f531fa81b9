//! Runs every shared behaviour scenario as its own host test (the KUnit suite runs the same code),
//! generated from the one list in `for_each_scenario!`.

use rpi_wdt_core::{for_each_scenario, scenarios};

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

#[test]
fn the_table_lists_each_scenario_once() {
    let mut names: Vec<&str> = scenarios::ALL.iter().map(|(name, _)| *name).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "a scenario is listed twice");
    assert!(count >= 10, "only {count} scenarios");
}
