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
source "$(dirname "$0")/lib.sh"
set +e

boards=${BOARDS:-rpi3 rpi4}
results="$PROJECT_ROOT/out/test-results"
mkdir -p "$results"
passed=0 failed=0 skipped=0

add() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + ${3:-0})); }

# Each stage's wall time, printed when it ends and listed before the total, so that a slow stage shows.
stage_name='' stage_start=0 stage_times=()
end_stage() {
	[ -n "$stage_name" ] || return 0
	local took=$((SECONDS - stage_start))
	stage_times+=("$(printf '%5d s  %s' "$took" "${stage_name:0:72}")")
	printf -- '-- %s: %d s\n' "$stage_name" "$took"
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

stage "host: cargo test (workspace, with the kernel uapi header check)"
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

stage "binding: dt-schema"
bash "$PROJECT_ROOT/scripts/check-binding.sh" | tee "$results/binding.log"
add_tap "$results/binding.log"

stage "kernel-patches: checkpatch --strict, the kernel's rustfmt, messages and SAFETY comments"
bash "$PROJECT_ROOT/scripts/check-kernel-patches.sh" | tee "$results/kernel-patches.log"
add_tap "$results/kernel-patches.log"

stage "buildroot-external: the tree's defconfigs, hashes and packages hold together"
bash "$PROJECT_ROOT/scripts/check-br-external.sh" | tee "$results/br-external.log"
add_tap "$results/br-external.log"

stage "qemu-model: the watchdog model's qtest, and QEMU's checkpatch on board/qemu/patches/"
bash "$PROJECT_ROOT/scripts/qemu-build.sh" check | tee "$results/qemu-model.log"
add_tap "$results/qemu-model.log"

stage "qemu: system tests on $boards"
board_args=()
for b in $boards; do board_args+=(--board "$b"); done
run_harness "$results/qemu.log" "$PROJECT_ROOT/target/release/rpi-wdt-systest" \
	--initramfs "$PROJECT_ROOT/out/initramfs.cpio" --results "$results" "${board_args[@]}"

stage "systemd: systemd as PID 1 with RuntimeWatchdogSec=30s (raspi3b)"
run_harness "$results/systemd.log" "$PROJECT_ROOT/target/release/rpi-wdt-systest" --suite systemd --board rpi3 \
	--initramfs "$PROJECT_ROOT/out/initramfs-systemd.cpio" --results "$results"

stage "image: SD images checked, and the Pi 3 image's root filesystem booted from the emulated SD card"
for board in rpi3 rpi4; do
	bash "$PROJECT_ROOT/scripts/check-image.sh" "$board" "$PROJECT_ROOT/out/rpi-wdt-$board-sdcard.img" |
		tee "$results/image-$board.log"
	add_tap "$results/image-$board.log"
done
run_harness "$results/image-boot.log" "$PROJECT_ROOT/target/release/rpi-wdt-systest" --suite image --board rpi3 \
	--initramfs "$PROJECT_ROOT/out/initramfs.cpio" --results "$results"

for target in ${HIL_TARGETS:-qemu:rpi3 qemu:rpi4}; do
	stage "hil: $target"
	run_harness "$results/hil-${target//[:\/@]/_}.log" \
		"$PROJECT_ROOT/target/release/rpi-wdt-hil" --target "$target" --results "$results"
done

stage "labgrid: the suite on labgrid places (local coordinator, exporter, two emulated Pi 3s)"
bash "$PROJECT_ROOT/scripts/check-labgrid.sh" "$results" | tee "$results/labgrid.log"
add_tap "$results/labgrid.log"

stage "reliability: fuzzing, stress, bind and load cycles, kmemleak, with the debug options on (raspi3b)"
run_harness "$results/reliability.log" "$PROJECT_ROOT/target/release/rpi-wdt-systest" \
	--suite reliability --board rpi3 --initramfs "$PROJECT_ROOT/out/initramfs.cpio" --results "$results"

end_stage
echo
echo "stage times (wall clock):"
printf '  %s\n' "${stage_times[@]}"
echo "results and console logs: $results"
echo "TOTAL: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
