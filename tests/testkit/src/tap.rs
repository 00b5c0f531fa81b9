//! TAP, as the guest programs print it (`rpi-wdt-abi-check`): one `ok N - name` or
//! `not ok N - name: why` line per check, a plan `1..N`, possibly `Bail out! why`, and figures as
//! `# value NAME=VALUE` lines. [`result_line`] also reads KUnit's KTAP lines (crate::ktap), which
//! have the same grammar without the dash.

use std::collections::BTreeMap;

/// One `ok`/`not ok` line.
#[derive(Debug, PartialEq, Eq)]
pub struct ResultLine<'a> {
    pub ok: bool,
    /// The check's name: the description up to `: why`, without a leading `- `.
    pub name: &'a str,
    /// What follows `: ` in the description (a failed check's reason), if anything.
    pub why: Option<&'a str>,
    /// Whether the directive (after ` # `) is SKIP.
    pub skipped: bool,
}

/// Parses `ok N - name`, `not ok N - name: why`, `ok N name # SKIP reason` (TAP 13 and KTAP); None
/// for any other line.
pub fn result_line(line: &str) -> Option<ResultLine<'_>> {
    let (ok, rest) = match line.strip_prefix("not ok ") {
        Some(rest) => (false, rest),
        None => (true, line.strip_prefix("ok ")?),
    };
    let rest = rest.strip_prefix(|c: char| c.is_ascii_digit())?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    let rest = rest.strip_prefix("- ").unwrap_or(rest);
    let (description, directive) = rest.split_once(" # ").unwrap_or((rest, ""));
    let (name, why) = match description.split_once(": ") {
        Some((name, why)) => (name, Some(why.trim_end())),
        None => (description.trim_end(), None),
    };
    Some(ResultLine { ok, name: name.trim(), why, skipped: directive.trim_start().starts_with("SKIP") })
}

/// One program's TAP output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tap {
    /// Names of the checks that passed.
    pub passed: Vec<String>,
    /// The `not ok` lines, whole.
    pub failed: Vec<String>,
    /// Every check's name and whether it passed, in order.
    pub results: Vec<(String, bool)>,
    /// The plan's count, if the program printed one.
    pub plan: Option<usize>,
    pub bail_out: Option<String>,
    /// `# value NAME=VALUE` lines, in order.
    pub values: Vec<(String, String)>,
}

impl Tap {
    pub fn parse(text: &str) -> Tap {
        let mut tap = Tap::default();
        for line in text.lines().map(str::trim_end) {
            if let Some(result) = result_line(line) {
                if result.ok {
                    tap.passed.push(result.name.to_string());
                } else {
                    tap.failed.push(line.to_string());
                }
                tap.results.push((result.name.to_string(), result.ok));
            } else if let Some(why) = line.strip_prefix("Bail out!") {
                tap.bail_out = Some(why.trim().to_string());
            } else if let Some(plan) = line.strip_prefix("1..") {
                tap.plan = plan.trim().parse().ok();
            } else if let Some((name, value)) = line.strip_prefix("# value ").and_then(|v| v.split_once('='))
            {
                tap.values.push((name.to_string(), value.to_string()));
            }
        }
        tap
    }

    /// Each check's name and whether it passed (the last line of a name counts).
    pub fn outcomes(&self) -> BTreeMap<String, bool> {
        self.results.iter().cloned().collect()
    }

    /// Each `# value` figure by name (the last one of a name counts).
    pub fn value_map(&self) -> BTreeMap<String, String> {
        self.values.iter().cloned().collect()
    }

    /// Checks run (passed or failed).
    pub fn count(&self) -> usize {
        self.passed.len() + self.failed.len()
    }

    /// A `# value` figure (the last one of that name).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// What is wrong with the run, or None when every check passed and the plan was met.
    pub fn problems(&self) -> Option<String> {
        let mut problems = Vec::new();
        if let Some(why) = &self.bail_out {
            problems.push(format!("bailed out: {why}"));
        }
        problems.extend(self.failed.iter().cloned());
        match self.plan {
            None => problems
                .push(format!("no plan line after {} checks: the program did not finish", self.count())),
            Some(plan) if plan != self.count() => {
                problems.push(format!("planned {plan} checks, ran {}", self.count()))
            }
            Some(_) => {}
        }
        if self.count() == 0 && self.bail_out.is_none() {
            problems.push("no checks ran".into());
        }
        (!problems.is_empty()).then(|| problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "# rpi-wdt-abi-check std /dev/watchdog0 (64-bit)\n\
        ok 1 - std_stopped_before_open\n\
        # value sysfs_identity=rpi_wdt BCM2835 PM watchdog\n\
        ok 2 - std_open_arms\n\
        # value options=0x81a0\n\
        not ok 3 - std_second_open_ebusy: fd 4 errno 0\n\
        # value timeleft_after_settimeout_20=15\n\
        1..3\n\
        # 2 passed, 1 failed\n";

    #[test]
    fn reads_checks_plan_and_values() {
        let tap = Tap::parse(RUN);
        assert_eq!(tap.passed, ["std_stopped_before_open", "std_open_arms"]);
        assert_eq!(tap.failed, ["not ok 3 - std_second_open_ebusy: fd 4 errno 0"]);
        assert_eq!(tap.plan, Some(3));
        assert_eq!(tap.count(), 3);
        assert_eq!(tap.value("sysfs_identity"), Some("rpi_wdt BCM2835 PM watchdog"));
        assert_eq!(tap.value("options"), Some("0x81a0"));
        assert_eq!(tap.value("missing"), None);
        assert_eq!(tap.problems().unwrap(), "not ok 3 - std_second_open_ebusy: fd 4 errno 0");
    }

    #[test]
    fn result_lines_of_tap_and_ktap() {
        let line = result_line("not ok 12 - std_second_open_ebusy: fd 4 errno 0").unwrap();
        assert_eq!(
            line,
            ResultLine {
                ok: false,
                name: "std_second_open_ebusy",
                why: Some("fd 4 errno 0"),
                skipped: false
            }
        );
        let line = result_line("ok 3 later # SKIP not here").unwrap();
        assert_eq!(line, ResultLine { ok: true, name: "later", why: None, skipped: true });
        assert_eq!(result_line("ok 1 rpi_wdt_hw").unwrap().name, "rpi_wdt_hw");
        assert_eq!(result_line("ok - no number"), None);
        assert_eq!(result_line("okay 1 - a"), None);
        assert_eq!(result_line("# ok 1 - commented"), None);
        let tap = Tap::parse(RUN);
        assert_eq!(tap.outcomes().get("std_second_open_ebusy"), Some(&false));
        assert_eq!(tap.value_map().get("options").map(String::as_str), Some("0x81a0"));
    }

    #[test]
    fn a_clean_run_has_no_problems() {
        let tap = Tap::parse("ok 1 - a\nok 2 - b\n1..2\n");
        assert_eq!(tap.problems(), None);
    }

    #[test]
    fn an_unfinished_run_is_a_problem() {
        let tap = Tap::parse("ok 1 - a\nok 2 - b\n");
        assert!(tap.problems().unwrap().contains("no plan line after 2 checks"));
        let tap = Tap::parse("ok 1 - a\n1..5\n");
        assert!(tap.problems().unwrap().contains("planned 5 checks, ran 1"));
        let tap = Tap::parse("Bail out! cannot open /dev/watchdog0: Device or resource busy\n");
        let problems = tap.problems().unwrap();
        assert!(
            problems.contains("bailed out: cannot open /dev/watchdog0: Device or resource busy"),
            "{problems}"
        );
        assert!(Tap::parse("").problems().unwrap().contains("no checks ran"));
    }
}
