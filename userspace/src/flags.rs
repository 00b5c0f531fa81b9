//! The WDIOF_* flags: what a watchdog supports (`options`) and what it reports (`status`, `bootstatus`),
//! with util-linux wdctl's names and descriptions so that both tools read alike.

use rpi_wdt_core::abi::*;

/// One WDIOF_* bit.
pub struct Flag {
    pub bit: u32,
    pub name: &'static str,
    /// wdctl's description.
    pub description: &'static str,
}

/// Every flag the uapi header defines, in bit order.
pub const FLAGS: &[Flag] = &[
    Flag { bit: WDIOF_OVERHEAT, name: "OVERHEAT", description: "Reset due to CPU overheat" },
    Flag { bit: WDIOF_FANFAULT, name: "FANFAULT", description: "Fan failed" },
    Flag { bit: WDIOF_EXTERN1, name: "EXTERN1", description: "External relay 1" },
    Flag { bit: WDIOF_EXTERN2, name: "EXTERN2", description: "External relay 2" },
    Flag { bit: WDIOF_POWERUNDER, name: "POWERUNDER", description: "Power bad/power fault" },
    Flag { bit: WDIOF_CARDRESET, name: "CARDRESET", description: "Card previously reset the CPU" },
    Flag { bit: WDIOF_POWEROVER, name: "POWEROVER", description: "Power over voltage" },
    Flag { bit: WDIOF_SETTIMEOUT, name: "SETTIMEOUT", description: "Set timeout (in seconds)" },
    Flag { bit: WDIOF_MAGICCLOSE, name: "MAGICCLOSE", description: "Supports magic close char" },
    Flag { bit: WDIOF_PRETIMEOUT, name: "PRETIMEOUT", description: "Pretimeout (in seconds)" },
    Flag { bit: WDIOF_ALARMONLY, name: "ALARMONLY", description: "Not trigger reboot" },
    Flag { bit: WDIOF_KEEPALIVEPING, name: "KEEPALIVEPING", description: "Keep alive ping reply" },
];

/// The flags set in `bits` (bits the header does not define are left out; the raw value keeps them).
pub fn set_in(bits: u32) -> impl Iterator<Item = &'static Flag> {
    FLAGS.iter().filter(move |f| bits & f.bit != 0)
}

/// The names of the flags set in `bits`.
pub fn names(bits: u32) -> Vec<&'static str> {
    set_in(bits).map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_bit_order_and_wdctl_wording() {
        let rpi = WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING | WDIOF_CARDRESET;
        assert_eq!(names(rpi), ["CARDRESET", "SETTIMEOUT", "MAGICCLOSE", "KEEPALIVEPING"]);
        assert!(names(0).is_empty());
        assert_eq!(names(0x10000), Vec::<&str>::new(), "undefined bits have no name");
        let described: Vec<_> = set_in(rpi).map(|f| f.description).collect();
        assert_eq!(
            described,
            [
                "Card previously reset the CPU",
                "Set timeout (in seconds)",
                "Supports magic close char",
                "Keep alive ping reply"
            ]
        );
        let all = FLAGS.iter().fold(0, |acc, f| acc | f.bit);
        assert_eq!(all, 0x87ff, "every WDIOF_* bit of the uapi header is described");
    }
}
