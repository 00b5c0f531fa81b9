//! Reads KUnit's KTAP results out of dmesg: each case's `ok`/`not ok` line inside a suite, and the
//! suite's own result line (each read by crate::tap::result_line).

/// One test case's result.
#[derive(Debug, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub ok: bool,
    pub skipped: bool,
}

/// A suite's cases and its overall result, or None if the suite never ran.
#[derive(Debug)]
pub struct Suite {
    pub cases: Vec<Case>,
    pub ok: bool,
}

/// Strips the printk timestamp `[    4.9] ` from a dmesg line.
fn without_timestamp(line: &str) -> &str {
    match line.strip_prefix('[').and_then(|rest| rest.split_once("] ")) {
        Some((_, rest)) => rest,
        None => line,
    }
}

/// Finds suite `name` in dmesg output.
pub fn suite(dmesg: &str, name: &str) -> Option<Suite> {
    let mut cases = Vec::new();
    let mut inside = false;
    for raw in dmesg.lines() {
        let line = without_timestamp(raw);
        let trimmed = line.trim_start();
        if trimmed == format!("# Subtest: {name}") {
            inside = true;
            cases.clear();
            continue;
        }
        if !inside {
            continue;
        }
        let indented = line.starts_with("    ");
        if let Some(result) = crate::tap::result_line(trimmed) {
            if indented {
                cases.push(Case { name: result.name.to_string(), ok: result.ok, skipped: result.skipped });
            } else if result.name == name {
                return Some(Suite { cases, ok: result.ok });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DMESG: &str = "[    4.837120]     # Subtest: rpi_wdt_state_machine\n\
        [    4.837200]     # module: rpi_wdt\n\
        [    4.840000]     ok 1 open_arms\n\
        [    4.850000]     not ok 2 second_open\n\
        [    4.850001]     ok 3 later # SKIP not here\n\
        [    4.954856] not ok 1 rpi_wdt_state_machine\n";

    #[test]
    fn reads_cases_and_suite_result() {
        let s = suite(DMESG, "rpi_wdt_state_machine").expect("suite found");
        assert!(!s.ok);
        assert_eq!(s.cases.len(), 3);
        assert_eq!(s.cases[0], Case { name: "open_arms".into(), ok: true, skipped: false });
        assert!(!s.cases[1].ok);
        assert!(s.cases[2].skipped);
        assert!(suite(DMESG, "other").is_none());
    }
}
