//! Check results: one line per check as it completes (TAP-style), a closing summary line
//! `N passed, N failed, N skipped`, and a JUnit XML file for CI systems, with the run's properties (where
//! it ran: a board farm's place, its exporter, the boot ids seen).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// A check's outcome.
#[derive(Clone, Debug)]
pub enum Status {
    Pass,
    Fail(String),
    Skip(String),
}

#[derive(Clone, Debug)]
struct Entry {
    name: String,
    status: Status,
    duration: Duration,
}

/// All checks of one run.
#[derive(Default)]
pub struct Report {
    entries: Vec<Entry>,
    properties: Vec<(String, String)>,
}

impl Report {
    /// Records a check and prints its line.
    pub fn record(&mut self, name: &str, status: Status, duration: Duration) {
        let n = self.entries.len() + 1;
        let secs = duration.as_secs_f64();
        match &status {
            Status::Pass => println!("ok {n} - {name} ({secs:.1} s)"),
            Status::Skip(why) => println!("ok {n} - {name} # SKIP {why}"),
            Status::Fail(why) => {
                println!("not ok {n} - {name} ({secs:.1} s)");
                for line in why.lines() {
                    println!("#   {line}");
                }
            }
        }
        self.entries.push(Entry { name: name.to_string(), status, duration });
    }

    /// Adds a property of the run (JUnit `<property>`), printed as a `# name: value` line.
    pub fn property(&mut self, name: &str, value: &str) {
        println!("# {name}: {value}");
        self.properties.push((name.to_string(), value.to_string()));
    }

    /// (passed, failed, skipped)
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for e in &self.entries {
            match e.status {
                Status::Pass => counts.0 += 1,
                Status::Fail(_) => counts.1 += 1,
                Status::Skip(_) => counts.2 += 1,
            }
        }
        counts
    }

    /// Whether every check passed or was skipped, and at least one ran.
    pub fn success(&self) -> bool {
        let (passed, failed, _) = self.counts();
        failed == 0 && passed > 0
    }

    /// The closing summary line.
    pub fn summary(&self) -> String {
        let (passed, failed, skipped) = self.counts();
        format!("{passed} passed, {failed} failed, {skipped} skipped")
    }

    /// Writes a JUnit XML file.
    pub fn write_junit(&self, path: &Path, suite: &str) -> std::io::Result<()> {
        let (_, failed, skipped) = self.counts();
        let total: f64 = self.entries.iter().map(|e| e.duration.as_secs_f64()).sum();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{total:.3}\">",
            escape(suite),
            self.entries.len()
        );
        if !self.properties.is_empty() {
            xml.push_str("  <properties>\n");
            for (name, value) in &self.properties {
                let _ =
                    writeln!(xml, "    <property name=\"{}\" value=\"{}\"/>", escape(name), escape(value));
            }
            xml.push_str("  </properties>\n");
        }
        for e in &self.entries {
            let (class, case) = e.name.split_once('/').unwrap_or((suite, &e.name));
            let _ = write!(
                xml,
                "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(class),
                escape(case),
                e.duration.as_secs_f64()
            );
            match &e.status {
                Status::Pass => xml.push_str("/>\n"),
                Status::Skip(why) => {
                    let _ = writeln!(xml, "><skipped message=\"{}\"/></testcase>", escape(why));
                }
                Status::Fail(why) => {
                    let first = why.lines().next().unwrap_or("");
                    let _ = writeln!(
                        xml,
                        "><failure message=\"{}\">{}</failure></testcase>",
                        escape(first),
                        escape(why)
                    );
                }
            }
        }
        xml.push_str("</testsuite>\n");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, xml)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_summary() {
        let mut r = Report::default();
        assert!(!r.success(), "a run without checks is not a success");
        r.record("a/one", Status::Pass, Duration::from_millis(10));
        r.record("a/two", Status::Skip("why".into()), Duration::ZERO);
        assert!(r.success());
        r.record("a/three", Status::Fail("broke <here>".into()), Duration::ZERO);
        assert_eq!(r.summary(), "1 passed, 1 failed, 1 skipped");
        assert!(!r.success());
        r.property("place", "rpi4-\"a\"");
        let path = std::env::temp_dir().join(format!("rpi-wdt-junit-{}.xml", std::process::id()));
        r.write_junit(&path, "t").unwrap();
        let xml = std::fs::read_to_string(&path).unwrap();
        assert!(xml.contains("failures=\"1\"") && xml.contains("&lt;here&gt;"));
        assert!(xml.contains("<property name=\"place\" value=\"rpi4-&quot;a&quot;\"/>"), "{xml}");
        assert!(xml.find("<properties>") < xml.find("<testcase"), "properties come first: {xml}");
        std::fs::remove_file(path).unwrap();
    }
}
