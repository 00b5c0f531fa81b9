#!/usr/bin/env bash
# The HIL runner against a real labgrid coordinator and exporter (scripts/labgrid-local.sh: two places,
# qemu-rpi3-a and qemu-rpi3-b, emulated Pi 3s behind a power-switch test double), as TAP:
#   - the suite passes on labgrid:qemu-rpi3-a;
#   - a second runner, asking for board=rpi3 meanwhile, gets the other place, in parallel;
#   - a third, asking for the held qemu-rpi3-a, is refused with its owner's name;
#   - a runner killed (SIGTERM) mid-suite gives its place back, and one that was queueing for that
#     place with --wait gets it and runs;
#   - a guest made to hang at its reset is brought back by the runner's power cycle through labgrid (the
#     scenario that hung fails, the one after it passes on the new boot).
# The lab stops at the end, whatever happens. Usage: check-labgrid.sh [RESULTS-DIR]
source "$(dirname "$0")/lib.sh"
set +e

results=${1:-$PROJECT_ROOT/out/test-results}/labgrid
rm -rf "$results"
mkdir -p "$results"
HIL=$PROJECT_ROOT/target/release/rpi-wdt-hil
LAB=$PROJECT_ROOT/out/labgrid-local
CLIENT=$LABGRID_VENV/bin/labgrid-client
n=0 failed=0

tap() { # STATUS NAME [WHY...]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - labgrid/$2"
	else
		echo "not ok $n - labgrid/$2"
		shift 2
		printf '#   %s\n' "$@"
		failed=$((failed + 1))
	fi
}

# Becomes the runner, as labgrid user USER, logging to NAME.log: `runner NAME USER ARGS... &` (its pid
# is then the runner's, for signals) or `(runner ...)` in the foreground.
runner() {
	local name=$1 user=$2
	shift 2
	LG_USERNAME=$user exec "$HIL" --results "$results/$name" --reset-limit 40 "$@" >"$results/$name.log" 2>&1
}

# Waits up to SECONDS for PATTERN in NAME.log.
await() { await_line "$results/$1.log" "$2" "$3"; } # NAME PATTERN SECONDS

summary() { grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$results/$1.log" | tail -n1; }
passed() { grep -qE '^[1-9][0-9]* passed, 0 failed' <(summary "$1"); }

finish() {
	bash "$PROJECT_ROOT/scripts/labgrid-local.sh" stop >/dev/null 2>&1
	if pgrep -f "$LAB/guests" >/dev/null; then
		tap 1 lab_stops "QEMU guests of the local lab still run after stop"
		pkill -KILL -f "$LAB/guests"
	else
		tap 0 lab_stops
	fi
	echo "# logs: $results"
	echo "# labgrid: $((n - failed)) passed, $failed failed"
}
trap finish EXIT

started=$SECONDS
# The example exporter and the local lab's, read by labgrid's own loader: every group's resources are
# classes labgrid knows.
for config in "$PROJECT_ROOT/tests/hil/labgrid/exporter-bench.yaml" "$PROJECT_ROOT/tests/hil/labgrid/local/exporter.yaml"; do
	why=$(LAB_SSH_PORT_0=1 LAB_SSH_PORT_1=2 LAB_SERIAL_PORT_0=3 LAB_SERIAL_PORT_1=4 LAB_POWER_PORT=5 \
		"$LABGRID_VENV/bin/python3" - "$config" 2>&1 >/dev/null <<-'PY'
	import contextlib, io, os, sys
	from labgrid.factory import target_factory
	from labgrid.remote.config import ResourceConfig
	with contextlib.redirect_stdout(io.StringIO()):  # the loader prints what it renders
	    config = ResourceConfig(sys.argv[1], {"env": os.environ})
	groups = dict(config.data)
	assert groups, "no groups"
	for group, resources in groups.items():
	    for cls in resources:
	        assert cls in target_factory.resources, f"{group}: labgrid has no resource {cls}"
	PY
	)
	tap $? "example_config_loads/$(basename "$(dirname "$config")")-$(basename "$config")" "$why"
done

if ! bash "$PROJECT_ROOT/scripts/labgrid-local.sh" start >"$results/lab.log" 2>&1; then
	tap 1 lab_starts "$(tail -n 5 "$results/lab.log")"
	exit 1
fi
# shellcheck disable=SC1091
. "$LAB/env"
places=$("$CLIENT" places 2>&1)
[ "$(grep -c '^qemu-rpi3-[ab]' <<<"$places")" = 2 ]
tap $? lab_starts "labgrid-client places: $places"

# A: the whole suite on qemu-rpi3-a, while the rest happens around it.
runner suite ci-a --target labgrid:qemu-rpi3-a &
suite_pid=$!
await suite "acquired qemu-rpi3-a" 60 || tap 1 suite_acquires "$(tail -n 5 "$results/suite.log")"

# B: any board=rpi3 place, in parallel with A: the coordinator's scheduler gives it the other one.
runner parallel ci-b --target labgrid:board=rpi3 --only probe_and_autoload,sysfs_and_nodes &
parallel_pid=$!

# C: qemu-rpi3-a by name, held by A: refused at once, naming A.
(runner refused ci-c --target labgrid:qemu-rpi3-a)
refused_rc=$?
grep -q "qemu-rpi3-a is acquired by [^ ]*/ci-a" "$results/refused.log" && [ "$refused_rc" != 0 ]
tap $? held_place_refused_naming_its_owner "exit $refused_rc; $(grep -m1 acquired "$results/refused.log")"

wait "$parallel_pid"
parallel_rc=$?
grep -q "labgrid_place: qemu-rpi3-b" "$results/parallel.log" && kill -0 "$suite_pid" 2>/dev/null &&
	[ "$parallel_rc" = 0 ] && passed parallel
tap $? two_runners_get_one_place_each "exit $parallel_rc: $(summary parallel); place: $(grep -m1 labgrid_place "$results/parallel.log")"

# E holds qemu-rpi3-b; D asks for it with --wait and queues. E is killed mid-scenario: it gives the
# place back, and D gets it and runs.
runner killed ci-e --target labgrid:qemu-rpi3-b --only keepalive_hold &
killed_pid=$!
await killed "# keepalive_hold:" 120
runner queued ci-d --target labgrid:qemu-rpi3-b --wait --only probe_and_autoload &
queued_pid=$!
await queued "qemu-rpi3-b is held by [^ ]*/ci-e" 30 && ! grep -q "acquired qemu-rpi3-b" "$results/queued.log"
queued_waits=$?
kill -TERM "$killed_pid"
wait "$killed_pid"
killed_rc=$?
grep -q "released qemu-rpi3-b" "$results/killed.log" && [ "$killed_rc" = 143 ]
tap $? killed_runner_releases_its_place "exit $killed_rc; $(tail -n 2 "$results/killed.log")"
wait "$queued_pid"
queued_rc=$?
[ "$queued_waits" = 0 ] && [ "$queued_rc" = 0 ] && passed queued
tap $? waiting_runner_queues_then_runs "queued while ci-e held it: $([ "$queued_waits" = 0 ] && echo yes || echo no); exit $queued_rc: $(summary queued)"
show=$("$CLIENT" -p qemu-rpi3-b show 2>&1)
grep -q "acquired: None" <<<"$show"
tap $? places_are_free_after_the_runners "$(grep acquired: <<<"$show")"

# F: the guest hangs at its next reset (the test double's hook). The runner's power cycle brings it back:
# the reboot scenario fails (a board that hangs in a reset is a finding), the next runs on the new boot.
hang=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode().strip())' \
	"$LABGRID_LOCAL_POWER/hang-on-reset/1" 2>&1)
(runner recovery ci-f --target labgrid:qemu-rpi3-b --only reboot,kernel_log_clean)
recovery_rc=$?
[ "$hang" = armed ] && [ "$recovery_rc" = 1 ] && [ "$(summary recovery)" = "3 passed, 1 failed, 0 skipped" ] &&
	grep -q "^not ok .*/reboot " "$results/recovery.log" && grep -q "^ok .*/kernel_log_clean " "$results/recovery.log" &&
	grep -q "hung in the reset: .* after a power cycle, and the suite goes on" "$results/recovery.log" &&
	grep -q "outlet 1: off" "$LAB/power-double.log"
tap $? power_cycle_brings_back_a_hung_guest "hook: $hang; exit $recovery_rc: $(summary recovery)" \
	"$(grep -m1 -E 'hung in the reset' "$results/recovery.log")"

wait "$suite_pid"
suite_rc=$?
[ "$suite_rc" = 0 ] && passed suite
tap $? suite_passes_on_qemu-rpi3-a "exit $suite_rc: $(summary suite); $(grep '^not ok' "$results/suite.log" | head -n 5)"

echo "# labgrid checks took $((SECONDS - started)) s"
