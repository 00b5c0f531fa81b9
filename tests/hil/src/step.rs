//! What every scenario is made of: its outcome, the bench around the target, and the steps they all
//! take (a shell command on the target, a wait for the next boot).

use std::time::Duration;

use rpi_wdt_testkit::report::Status;

use crate::fixture::Fixture;
use crate::needs::Need;
use crate::target::Target;
use crate::tools::{self, TOOLS_DIR};

/// How long one command may take.
pub const LONG: Duration = Duration::from_secs(120);
/// How long a target may take to come back from a reset.
pub const RESET_LIMIT: Duration = Duration::from_secs(240);

/// A scenario's outcome and the figures it measured.
pub struct Outcome {
    pub status: Status,
    pub figures: Vec<String>,
}

impl Outcome {
    pub fn pass(figures: Vec<String>) -> Outcome {
        Outcome { status: Status::Pass, figures }
    }
    pub fn skip(why: &str) -> Outcome {
        Outcome { status: Status::Skip(why.into()), figures: Vec::new() }
    }
}

/// The bench around the target: the fixture, if one is connected, and the Pi GPIO its heartbeat
/// input is wired to.
pub struct Bench {
    pub fixture: Option<Fixture>,
    pub heartbeat_gpio: String,
    /// How long a reset may take before the target counts as hung and is power-cycled.
    pub reset_limit: Duration,
}

/// A scenario's body. It may still skip for what it finds on the target (crate::needs).
pub type Run = fn(&mut dyn Target, &mut Bench) -> Result<Outcome, String>;

/// One row of the scenario table.
pub struct Scenario {
    /// The report's name for it: `TARGET/NAME`.
    pub name: &'static str,
    /// What it shows, one line.
    pub what: &'static str,
    /// What the target must be for it to run; the runner skips it, giving the reason, where the
    /// target is not.
    pub needs: &'static [Need],
    pub run: Run,
}

/// A command line as both transports take it: over the console, the runner appends `; printf ...` to
/// it, so it must not end in `;` itself (`; ;` is a syntax error in the guest's shell).
pub fn command_line(command: &str) -> String {
    format!("PATH={TOOLS_DIR}:$PATH; {}", command.trim_end().trim_end_matches(';').trim_end())
}

pub fn sh(t: &mut dyn Target, command: &str) -> Result<String, String> {
    let out = t.run(&command_line(command), LONG)?;
    if out.status != 0 {
        return Err(format!("`{command}` exited {}:\n{}", out.status, out.text.trim_end()));
    }
    Ok(out.text)
}

pub fn sh_status(t: &mut dyn Target, command: &str) -> Result<(i32, String), String> {
    let out = t.run(&command_line(command), LONG)?;
    Ok((out.status, out.text))
}

/// Runs `command`, which must exit `code` and print every one of `needles` (stdout or stderr).
pub fn exits(t: &mut dyn Target, command: &str, code: i32, needles: &[&str]) -> Result<String, String> {
    let (status, out) = sh_status(t, &format!("{command} 2>&1"))?;
    if status != code || needles.iter().any(|n| !out.contains(n)) {
        return Err(format!(
            "`{command}`: exit {status} (expected {code}, with {needles:?}), output:\n{out}"
        ));
    }
    Ok(out)
}

/// Where `module` is built into the kernel, the reason to skip a scenario that unloads or reloads it.
pub fn built_in(t: &mut dyn Target, module: &str) -> Result<Option<String>, String> {
    let (_, out) =
        sh_status(t, &format!("test -e /sys/module/{module}/initstate && echo module || echo builtin"))?;
    Ok((out.trim() != "module")
        .then(|| format!("{module} is built into this kernel: it cannot be unloaded or reloaded")))
}

pub fn contains(what: &str, text: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !text.contains(*n)) {
        Some(n) => Err(format!("{what}: {n:?} missing in:\n{text}")),
        None => Ok(()),
    }
}

/// Waits for a new boot. If the target does not come back, it is hung: it is power-cycled through its
/// switch (a labgrid place's), else hard-reset through the fixture's RUN line if one is wired, once,
/// and waited for again. Then puts back the guest tools the reset took away (they live in /tmp),
/// saying so in `figures`. A target that had to be brought back fails the scenario all the same (a
/// board that hangs in a reset is a finding), but the scenarios after it run on the new boot.
pub fn wait_back_or_recover(
    t: &mut dyn Target,
    bench: &mut Bench,
    boot: &str,
    figures: &mut Vec<String>,
) -> Result<Duration, String> {
    let hung = match t.wait_back(boot, bench.reset_limit) {
        Ok(back) => {
            redeploy(t, figures)?;
            return Ok(back);
        }
        Err(why) => why,
    };
    let how = if let Some(cycled) = t.power_cycle() {
        println!("#   {hung}; power-cycling it");
        cycled.map_err(|e| format!("{hung}; the power cycle failed: {e}"))?;
        "a power cycle"
    } else if let Some(f) = bench.fixture.as_mut() {
        println!("#   {hung}; forcing a hard reset through the fixture's RUN line");
        f.force_reset()?;
        "a hard reset through the fixture"
    } else {
        return Err(hung);
    };
    let back = t.wait_back(boot, bench.reset_limit).map_err(|e| format!("{hung}; after {how}: {e}"))?;
    redeploy(t, figures)?;
    Err(format!(
        "hung in the reset: {hung}; back {:.1} s after {how}, and the suite goes on",
        back.as_secs_f64()
    ))
}

fn redeploy(t: &mut dyn Target, figures: &mut Vec<String>) -> Result<(), String> {
    let deployed = tools::deploy(t).map_err(|e| format!("after the reset: {e}"))?;
    if deployed.starts_with("uploaded") {
        figures.push(format!("tools after the reset: {deployed}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{command_line, TOOLS_DIR};

    #[test]
    fn command_lines_never_end_in_a_separator() {
        assert_eq!(command_line("a; b; "), format!("PATH={TOOLS_DIR}:$PATH; a; b"));
        assert_eq!(command_line("x & "), format!("PATH={TOOLS_DIR}:$PATH; x &"));
        assert_eq!(command_line("true"), format!("PATH={TOOLS_DIR}:$PATH; true"));
    }
}
