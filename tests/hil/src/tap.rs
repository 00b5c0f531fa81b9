//! Reads the TAP that the guest programs print (`rpi-wdt-abi-check`): one `ok N - name` or
//! `not ok N - name: why` line per check, a plan `1..N`, possibly `Bail out! why`, and figures as
//! `# value NAME=VALUE` lines.

/// One program's TAP output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tap {
    /// Names of the checks that passed.
    pub passed: Vec<String>,
    /// The `not ok` lines, whole.
    pub failed: Vec<String>,
    /// The plan's count, if the program printed one.
    pub plan: Option<usize>,
    pub bail_out: Option<String>,
    /// `# value NAME=VALUE` lines, in order.
    pub values: Vec<(String, String)>,
}

/// `ok 3 - name` → `name`; the text after the number otherwise.
fn check_name(rest: &str) -> String {
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    rest.strip_prefix("- ").unwrap_or(rest).trim_end().to_string()
}

impl Tap {
    pub fn parse(text: &str) -> Tap {
        let mut tap = Tap::default();
        for line in text.lines().map(str::trim_end) {
            if line.starts_with("not ok ") {
                tap.failed.push(line.to_string());
            } else if let Some(rest) = line.strip_prefix("ok ") {
                tap.passed.push(check_name(rest));
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
    use super::Tap;

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
