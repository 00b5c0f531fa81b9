//! The guest tools the scenarios run, and their upload to targets that lack them: `/tmp/rpi-wdt-hil/`,
//! first in the scenarios' `PATH`. /tmp does not survive a reset on the QEMU initramfs (nor on most
//! board images), so the scenarios that reset the target deploy again once it is back.

use std::time::Duration;

use crate::target::Target;

/// Where the runner puts the guest tools it uploads.
pub const TOOLS_DIR: &str = "/tmp/rpi-wdt-hil";

/// A guest tool: its name, where `make` builds it, and a shell test that the target's copy is of this
/// release (an image from before rpi_wdt moved onto the watchdog core has a wdtctl with JSON schema 1
/// and an ABI checker for the removed control node).
struct Tool {
    name: &'static str,
    local: &'static str,
    current: Option<(&'static str, &'static str)>,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "wdtctl",
        local: "wdtctl/wdtctl",
        current: Some((
            "wdtctl --json info 2>/dev/null | grep -q '\"schema\":2'",
            "its JSON is not schema 2",
        )),
    },
    Tool {
        name: "rpi-wdt-abi-check",
        local: "guest/rpi-wdt-abi-check",
        current: Some(("rpi-wdt-abi-check 2>&1 | grep -q 'std DEV'", "it has no 'std DEV' mode")),
    },
    Tool {
        name: "rpi-wdt-abi-check32",
        local: "guest/rpi-wdt-abi-check32",
        current: Some(("rpi-wdt-abi-check32 2>&1 | grep -q 'std DEV'", "it has no 'std DEV' mode")),
    },
    Tool { name: "rpi-wdt-run-as", local: "guest/rpi-wdt-run-as", current: None },
    Tool { name: "watchdog-test", local: "guest/watchdog-test", current: None },
    Tool {
        name: "rpi-rtc-check",
        local: "guest/rpi-rtc-check",
        current: Some(("rpi-rtc-check 2>&1 | grep -q 'invalid DEV'", "it has no 'invalid DEV' mode")),
    },
];

/// What the target has of a tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    Current,
    /// Present, but its test says it is from an older release.
    Old,
    Missing,
}

/// One shell command that says, for every tool, whether the target has it and whether it is current:
/// `NAME=current|old|missing` lines (one round trip, also after every reset).
fn survey_command() -> String {
    let mut command = format!("PATH={TOOLS_DIR}:$PATH; ");
    for tool in TOOLS {
        let name = tool.name;
        let test = tool.current.map_or("true", |(test, _)| test);
        command.push_str(&format!(
            "if command -v {name} >/dev/null; then if {test}; then echo {name}=current; else echo {name}=old; fi; \
             else echo {name}=missing; fi; "
        ));
    }
    command.push_str("true");
    command
}

fn parse_survey(text: &str) -> Result<Vec<Found>, String> {
    TOOLS
        .iter()
        .map(|tool| {
            let prefix = format!("{}=", tool.name);
            match text.lines().find_map(|l| l.trim().strip_prefix(prefix.as_str())) {
                Some("current") => Ok(Found::Current),
                Some("old") => Ok(Found::Old),
                Some("missing") => Ok(Found::Missing),
                _ => Err(format!("could not tell whether the target has {}:\n{text}", tool.name)),
            }
        })
        .collect()
}

/// Uploads the guest tools the target lacks or has in an older version.
pub fn deploy(target: &mut dyn Target) -> Result<String, String> {
    let out = rpi_wdt_testkit::project::root().join("out");
    let survey = target.run(&survey_command(), Duration::from_secs(60))?;
    let found = parse_survey(&survey.text)?;
    let mut uploaded = Vec::new();
    for (tool, found) in TOOLS.iter().zip(found) {
        let name = tool.name;
        let reason = match found {
            Found::Current => continue,
            Found::Old => {
                format!("the target's {name} is older ({})", tool.current.map_or("", |(_, why)| why))
            }
            Found::Missing => format!("{name} is missing on the target"),
        };
        let local = out.join(tool.local);
        if !local.is_file() {
            return Err(format!("{reason} and {} is not built: run 'make rootfs'", local.display()));
        }
        target.upload(&local, &format!("{TOOLS_DIR}/{name}")).map_err(|e| format!("{reason}: {e}"))?;
        uploaded.push(match found {
            Found::Old => format!("{name} (the target's is older)"),
            _ => name.to_string(),
        });
    }
    Ok(if uploaded.is_empty() {
        "all tools present and current".into()
    } else {
        format!("uploaded {}", uploaded.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surveys_every_tool_in_one_command() {
        let command = survey_command();
        for tool in TOOLS {
            assert!(command.contains(&format!("command -v {} >/dev/null", tool.name)), "{command}");
        }
        assert!(
            command.contains("if wdtctl --json info 2>/dev/null | grep -q '\"schema\":2'; then"),
            "{command}"
        );
        assert!(command.starts_with(&format!("PATH={TOOLS_DIR}:$PATH; ")));
        assert!(command.ends_with("true"), "never a trailing separator: {command}");
    }

    #[test]
    fn reads_the_survey() {
        let text =
            "wdtctl=old\nrpi-wdt-abi-check=current\nrpi-wdt-abi-check32=missing\nrpi-wdt-run-as=current\n\
                    watchdog-test=current\nrpi-rtc-check=missing\n";
        assert_eq!(
            parse_survey(text).unwrap(),
            [Found::Old, Found::Current, Found::Missing, Found::Current, Found::Current, Found::Missing]
        );
        assert!(parse_survey("wdtctl=current\n").unwrap_err().contains("rpi-wdt-abi-check"));
    }
}
