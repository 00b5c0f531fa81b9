// SPDX-License-Identifier: GPL-2.0

//! KUnit suite `maxim_rtc_regs`: the shared behaviour scenarios (core/src/scenarios.rs), run inside
//! the kernel against the fake chip. They are the same code the host tests run, generated from the
//! same list (`for_each_scenario!`); here they prove it behaves the same when compiled into the
//! module with the kernel's compiler flags. Built only when CONFIG_KUNIT=y; the suite runs when the
//! module loads and prints KTAP.

macro_rules! kunit_suite {
    ($($name:ident),* $(,)?) => {
        #[kernel::macros::kunit_tests(maxim_rtc_regs)]
        mod tests {
            use crate::scenarios::{self, Outcome};
            use kernel::prelude::*;

            /// Logs the failed expectation, so the KTAP output says what broke.
            fn report(name: &str, outcome: Outcome) -> Outcome {
                if let Err(failure) = &outcome {
                    pr_err!("maxim_rtc_regs: {}: scenarios.rs:{}: expected {}\n", name, failure.line, failure.expected);
                }
                outcome
            }

            $(
                #[test]
                fn $name() -> Outcome {
                    report(stringify!($name), scenarios::$name())
                }
            )*
        }
    };
}

crate::for_each_scenario!(kunit_suite);
