#!/usr/bin/env bash
# Validates the overlay's binding with dtschema: the YAML itself (dt-doc-validate), each board's QEMU DTB
# with the overlay applied (no complaint about the rpi-wdt node), and a deliberately broken copy (which
# must be rejected, proving the schema is applied). Prints one TAP line per check.
source "$(dirname "$0")/lib.sh"
set +e  # every check runs and reports, whatever the previous one did

venv="$RPI_WDT_CACHE/dtschema-venv/bin"
[ -x "$venv/dt-validate" ] || die "dtschema is not installed: run 'make setup'"
bindings="$PROJECT_ROOT/dts/bindings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

result() { tap_check "$1" "binding/$2" "${3:-}"; } # result STATUS NAME [DETAIL]

out=$("$venv/dt-doc-validate" -u "$bindings" "$bindings"/watchdog/*.yaml 2>&1); result $? schema_is_valid_dt_schema "$out"
out=$("$venv/dt-mk-schema" -j "$bindings" 2>&1 >"$work/processed.json"); result $? schema_compiles "$out"

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
done
tap_summary binding
