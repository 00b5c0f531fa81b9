#!/usr/bin/env bash
# Runs every test stage and ends with one line: "TOTAL: N passed, N failed, N skipped".
#   host     cargo test of the workspace (pure driver logic, ABI against the kernel's uapi header,
#            harness units), and formatting of all Rust sources
#   binding  the overlay's dt-schema binding against both boards' DTBs
#   kernel-patches  the kernel patch series (board/linux/patches/) by the kernel's rules: checkpatch
#            --strict, the kernel's rustfmt, commit messages, SAFETY comments
#   buildroot-external  the external tree's consistency (defconfigs, kernel hash, packages), offline
#   qemu-model  the QEMU watchdog model's qtest (tests/qtest/, also run by make qemu-build) and QEMU's
#            checkpatch.pl on every model patch
#   qemu     rpi-wdt-systest on each board in $BOARDS (default "rpi3 rpi4"): what needs the raw console,
#            a special boot or device tree (KUnit, vermagic, bind and load cycles, two instances, the
#            differential against the C driver, the RTC's boots)
#   systemd  Debian 12's systemd as PID 1 on raspi3b with only RuntimeWatchdogSec=30s: it uses rpi_wdt,
#            keeps the board up, a hung kernel is reset, reboot and power-off go through the driver
#   image    both SD images checked (partitions, boot files, overlay, root filesystem), and the Pi 3
#            image's root filesystem booted in QEMU from the emulated SD card
#   hil      rpi-wdt-hil on each target in $HIL_TARGETS (default "qemu:rpi3 qemu:rpi4"): the scenario
#            table, every scenario a shell can run, the same as on a board over ssh://
#   labgrid  the runner on labgrid places: a real coordinator and exporter on 127.0.0.1 with two emulated
#            Pi 3 places (scripts/check-labgrid.sh): the suite, parallel runners, a held place, a killed
#            runner, a hung guest power-cycled
#   reliability  the reliability suite on raspi3b, the kernel booted with its debug options on
# Every stage runs even if an earlier one failed; the exit status is non-zero if any check failed.
# The stages without a guest run first, one after the other. The guests' stages then run in two lanes
# at once, since most of their time is spent waiting on a timeout:
#   a  hil on each target, then labgrid: the stages that time expiries to a fraction of a second
#   b  qemu, systemd, image, reliability: their limits are minutes (the systemd reset's 17 s excepted,
#      which the model's own timer counts), so lane b runs at the lowest CPU priority (nice 19) and
#      takes only the CPU that lane a leaves, and lane a's timings are as if it ran alone
# Each lane's lines are prefixed with its name as they come. (Pinning each lane to its own CPU was
# tried: a guest's four vCPUs on one host CPU took up to 9 times as long for bind and load cycles.)
# TEST_LANES=1 runs everything one stage after the other.
source "$(dirname "$0")/lib.sh"
set +e

boards=${BOARDS:-rpi3 rpi4}
results="$PROJECT_ROOT/out/test-results"
mkdir -p "$results"
# Counts and stage times go to files, one per lane, so that a lane running in the background counts
# too: "P F S" lines and "SECONDS NAME" lines.
tally=$results/.tally
rm -rf "$tally"
mkdir -p "$tally"
lane=main

add() { echo "$1 $2 ${3:-0}" >>"$tally/$lane.counts"; }

# Each stage's wall time, printed when it ends and listed before the total, so that a slow stage shows.
stage_name='' stage_start=0
end_stage() {
	[ -n "$stage_name" ] || return 0
	local took=$((SECONDS - stage_start))
	printf '%5d s  %s\n' "$took" "${stage_name:0:72}" >>"$tally/$lane.times"
	printf -- '-- %s: %d s\n' "$stage_name" "$took"
	stage_name=''
}
stage() {
	end_stage
	stage_name=$* stage_start=$SECONDS
	printf '\n\033[1m== %s ==\033[0m\n' "$*"
}

# Counts a TAP log's "ok" and "not ok" lines.
add_tap() { add "$(grep -c '^ok ' "$1")" "$(grep -c '^not ok ' "$1")"; }

# Runs a harness that ends with "N passed, N failed, N skipped", teeing to LOG, and counts its summary;
# a harness that dies before its summary counts as one failure.
run_harness() { # LOG COMMAND...
	local log=$1 status p f s
	shift
	"$@" | tee "$log"
	status=${PIPESTATUS[0]}
	read -r p f s < <(tail -n1 "$log" | awk '{ print $1 + 0, $3 + 0, $5 + 0 }')
	[ "$status" = 0 ] || [ "$f" -gt 0 ] || f=1
	add "$p" "$f" "$s"
}

systest() { "$PROJECT_ROOT/target/release/rpi-wdt-systest" --results "$results" "$@"; }

stage_host() {
	stage "host: cargo test (workspace, with the kernel uapi header check)"
	local header cargo_status p f
	header="$(kernel_src_dir)/include/uapi/linux/watchdog.h"
	RPI_WDT_UAPI_HEADER="$header" cargo test --workspace --color never -- --include-ignored 2>&1 | tee "$results/host.log"
	cargo_status=${PIPESTATUS[0]}
	read -r p f < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$results/host.log")
	[ "$cargo_status" = 0 ] || [ "$f" -gt 0 ] || f=1   # a build failure runs no test: count it
	add "$p" "$f"

	stage "host: formatting (rustfmt --check)"
	if (cd "$PROJECT_ROOT" && cargo fmt --check && rustfmt --check --edition 2021 --config-path rustfmt.toml driver/*/*.rs); then
		echo "ok - rustfmt"; add 1 0
	else
		echo "not ok - rustfmt: run 'cargo fmt' and 'rustfmt --edition 2021 driver/*/*.rs'"; add 0 1
	fi
}

# A stage that is one check script printing TAP: NAME LOG SCRIPT ARGS...
stage_tap() {
	stage "$1"
	local log=$2
	shift 2
	bash "$@" | tee "$log"
	add_tap "$log"
}

stage_qemu() {
	local b board_args=()
	stage "qemu: system tests on $boards"
	for b in $boards; do board_args+=(--board "$b"); done
	run_harness "$results/qemu.log" systest --initramfs "$PROJECT_ROOT/out/initramfs.cpio" "${board_args[@]}"
}

stage_systemd() {
	stage "systemd: systemd as PID 1 with RuntimeWatchdogSec=30s (raspi3b)"
	run_harness "$results/systemd.log" systest --suite systemd --board rpi3 \
		--initramfs "$PROJECT_ROOT/out/initramfs-systemd.cpio"
}

stage_image() {
	local board
	stage "image: SD images checked, and the Pi 3 image's root filesystem booted from the emulated SD card"
	for board in rpi3 rpi4; do
		bash "$PROJECT_ROOT/scripts/check-image.sh" "$board" "$PROJECT_ROOT/out/rpi-wdt-$board-sdcard.img" |
			tee "$results/image-$board.log"
		add_tap "$results/image-$board.log"
	done
	run_harness "$results/image-boot.log" systest --suite image --board rpi3 \
		--initramfs "$PROJECT_ROOT/out/initramfs.cpio"
}

stage_hil() { # TARGET...
	local target
	for target in "$@"; do
		stage "hil: $target"
		run_harness "$results/hil-${target//[:\/@]/_}.log" \
			"$PROJECT_ROOT/target/release/rpi-wdt-hil" --target "$target" --results "$results"
	done
}

stage_labgrid() {
	stage "labgrid: the suite on labgrid places (local coordinator, exporter, two emulated Pi 3s)"
	bash "$PROJECT_ROOT/scripts/check-labgrid.sh" "$results" | tee "$results/labgrid.log"
	add_tap "$results/labgrid.log"
}

stage_reliability() {
	stage "reliability: fuzzing, stress, bind and load cycles, kmemleak, with the debug options on (raspi3b)"
	run_harness "$results/reliability.log" systest --suite reliability --board rpi3 \
		--initramfs "$PROJECT_ROOT/out/initramfs.cpio"
}

# Runs the stage functions named after NAME in a subshell at niceness NICE, each line of its output
# prefixed with "[NAME] " and kept whole in lane-NAME.log.
in_lane() { # NAME NICE STAGE...
	local name=$1 nice=$2
	shift 2
	(
		lane=$name
		renice -n "$nice" -p "$BASHPID" >/dev/null
		for s in "$@"; do "$s"; done
		end_stage
	) 2>&1 | tee "$results/lane-$name.log" | sed -u "s/^/[$name] /"
}

hil_targets=(${HIL_TARGETS:-qemu:rpi3 qemu:rpi4})
stage_hil_all() { stage_hil "${hil_targets[@]}"; }
lane_a=(stage_hil_all stage_labgrid)
lane_b=(stage_qemu stage_systemd stage_image stage_reliability)
describe() { # STAGE...
	local s out=()
	for s; do
		case $s in
		stage_hil_all) out+=("hil ${hil_targets[*]}") ;;
		*) out+=("${s#stage_}") ;;
		esac
	done
	(IFS=,; echo "${out[*]}" | sed 's/,/, /g')
}

stage_host
stage_tap "binding: dt-schema" "$results/binding.log" "$PROJECT_ROOT/scripts/check-binding.sh"
stage_tap "kernel-patches: checkpatch --strict, the kernel's rustfmt, messages and SAFETY comments" \
	"$results/kernel-patches.log" "$PROJECT_ROOT/scripts/check-kernel-patches.sh"
stage_tap "buildroot-external: the tree's defconfigs, hashes and packages hold together" \
	"$results/br-external.log" "$PROJECT_ROOT/scripts/check-br-external.sh"
stage_tap "qemu-model: the watchdog model's qtest, and QEMU's checkpatch on board/qemu/patches/" \
	"$results/qemu-model.log" "$PROJECT_ROOT/scripts/qemu-build.sh" check
end_stage

if [ "${TEST_LANES:-2}" = 1 ]; then
	for s in "${lane_b[@]}" "${lane_a[@]}"; do "$s"; done
	end_stage
else
	lanes_start=$SECONDS
	printf '\n# two lanes at once, lines prefixed [a] and [b]: a (%s), b at nice 19 (%s)\n' \
		"$(describe "${lane_a[@]}")" "$(describe "${lane_b[@]}")"
	in_lane a 0 "${lane_a[@]}" &
	in_lane b 19 "${lane_b[@]}" &
	wait
	printf '%5d s  %s\n' "$((SECONDS - lanes_start))" "lanes a and b together" >>"$tally/main.times"
fi

echo
echo "stage times (wall clock):"
for l in main a b; do
	[ -e "$tally/$l.times" ] || continue
	[ "$l" = main ] || echo "  lane $l:"
	sed 's/^/  /' "$tally/$l.times"
done
echo "results and console logs: $results"
read -r passed failed skipped < <(cat "$tally"/*.counts | awk '{ p += $1; f += $2; s += $3 } END { print p + 0, f + 0, s + 0 }')
echo "TOTAL: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
