#!/usr/bin/env bash
# Validates the overlays' nodes with dtschema: the watchdog's binding (dts/bindings) itself
# (dt-doc-validate), each board's QEMU DTB with the overlays applied (no complaint about the rpi-wdt
# node, nor about the RTC node against the kernel's own rtc-ds1307.yaml), and deliberately broken
# copies (which must be rejected, proving the schemas are applied). Prints one TAP line per check.
source "$(dirname "$0")/lib.sh"
set +e  # every check runs and reports, whatever the previous one did

venv="$RPI_WDT_CACHE/dtschema-venv/bin"
[ -x "$venv/dt-validate" ] || die "dtschema is not installed: run 'make setup'"
bindings="$PROJECT_ROOT/dts/bindings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

result() { tap_check "$1" "binding/$2" "${3:-}"; } # result STATUS NAME [DETAIL]

out=$("$venv/dt-doc-validate" -u "$bindings" "$bindings"/watchdog/*.yaml 2>&1); result $? schema_is_valid_dt_schema "$out"
# The RTC node uses the upstream binding, from the kernel tree the project builds.
upstream_rtc="$(kernel_src_dir)/Documentation/devicetree/bindings/rtc"
out=$("$venv/dt-mk-schema" -j "$bindings" "$upstream_rtc/rtc.yaml" "$upstream_rtc/rtc-ds1307.yaml" 2>&1 >"$work/processed.json")
result $? schema_compiles "$out"

for board in rpi3 rpi4; do
	if ! dtb=$(bash "$PROJECT_ROOT/scripts/dtb.sh" board "$board" 2>"$work/dtb.err"); then
		result 1 "${board}_dtb_built" "$(cat "$work/dtb.err")"
		continue
	fi
	out=$("$venv/dt-validate" -s "$work/processed.json" "$dtb" 2>&1 | grep 'rpi-rust-wdt')
	[ -z "$out" ]; result $? "${board}_overlay_node_matches_binding" "$out"
	cp "$dtb" "$work/bad.dtb"
	fdtput -t u "$work/bad.dtb" /soc/watchdog@7e10001c timeout-sec 0
	out=$("$venv/dt-validate" -s "$work/processed.json" "$work/bad.dtb" 2>&1 | grep 'rpi-rust-wdt')
	grep -q 'less than the minimum of 1' <<<"$out"; result $? "${board}_out_of_range_timeout_rejected" "$out"
	out=$("$venv/dt-validate" -s "$work/processed.json" "$dtb" 2>&1 | grep 'rtc@68')
	[ -z "$out" ]; result $? "${board}_rtc_node_matches_the_upstream_binding" "$out"
	cp "$dtb" "$work/bad-rtc.dtb"
	fdtput -t s "$work/bad-rtc.dtb" /soc/i2c@7e804000/rtc@68 trickle-diode-disable ""
	fdtput -t u "$work/bad-rtc.dtb" /soc/i2c@7e804000/rtc@68 trickle-resistor-ohms 250
	out=$("$venv/dt-validate" -s "$work/processed.json" "$work/bad-rtc.dtb" 2>&1 | grep 'rtc@68')
	[ -n "$out" ]; result $? "${board}_rtc_node_against_the_binding_rejected" "${out:-dt-validate accepted trickle charging on a DS1338}"
done
# Every boot builds its DTB (qemu.sh runs dtb.sh), and make test boots guests at once: eight builds of
# the same board's DTB at the same time must each print a whole DTB with the overlay in it, and leave
# no temporary file behind.
for i in 1 2 3 4 5 6 7 8; do
	(dtb=$(bash "$PROJECT_ROOT/scripts/dtb.sh" board rpi3 2>&1) &&
		fdtget -t s "$dtb" /soc/watchdog@7e10001c compatible >/dev/null 2>&1 ||
		echo "run $i: ${dtb:-no output}" >>"$work/concurrent.err") &
done
wait
leftovers=$(find "$PROJECT_ROOT/out" -name '.*.dtb*.??????' | head -n 5)
[ ! -s "$work/concurrent.err" ] && [ -z "$leftovers" ]
result $? dtb_builds_at_once_stay_whole "$(cat "$work/concurrent.err" 2>/dev/null)${leftovers:+left behind: $leftovers}"
tap_summary binding
