#!/usr/bin/env bash
# make bench: measures, prints a table and writes out/bench/bench.json.
#   sizes     rpi_wdt.ko (built without its KUnit suite, as in a product kernel) against the in-tree C
#             bcm2835_wdt.c built as a module from the same (patched) kernel tree: both drive the same
#             registers on the kernel's watchdog core, so this is like for like: .text, .data, .rodata, .ko
#   latency   ioctl round trips in one QEMU boot (median, p99), rpi_wdt's /dev/watchdogN against
#             softdog's (C, the same watchdog core), each found by its sysfs identity: WDIOC_GETTIMEOUT
#             (the core answers it alone) and WDIOC_KEEPALIVE (reaches the driver)
#   boot      kernel time when rpi_wdt finished probing (its watchdog registered), raspi3b and raspi4b
#   build     the fresh kernel build (recorded when the cached build was made), and the edit cycle
#             after touching one driver file: module rebuild + rootfs rebuild + boot to driver ready
# Usage: bench.sh [sizes]   (sizes: only the module builds and their sizes, printed, no bench.json)
source "$(dirname "$0")/lib.sh"

only=${1:-all}
case "$only" in all | sizes) ;; *) die "usage: $0 [sizes]" ;; esac

out="$PROJECT_ROOT/out/bench"
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
json="$out/bench.json"
rows=()
records=()

record() { # name value unit [note]
	rows+=("$(printf '%-48s %14s %-4s %s' "$1" "$2" "$3" "${4:-}")")
	records+=("{\"name\":\"$1\",\"value\":$2,\"unit\":\"$3\"}")
}

module_make() { # dir outdir [extra make args]
	# shellcheck disable=SC2046
	make -s -C "$kbuild" $(kernel_make_args) M="$1" MO="$2" "${@:3}" modules
}

section_bytes() { # file regex
	aarch64-linux-gnu-size -A "$1" | awk -v re="$2" '$1 ~ re { sum += $2 } END { print sum + 0 }'
}

log "sizes: rpi_wdt without KUnit vs C bcm2835_wdt from the same tree"
rust_out="$kbuild/bench-rpi-wdt-nokunit"
mkdir -p "$rust_out"
module_make "$PROJECT_ROOT/driver/rpi_wdt" "$rust_out" KRUSTFLAGS="--cfg rpi_wdt_without_kunit"
rust_ko="$rust_out/rpi_wdt.ko"
# The same reference build the rootfs and the differential test use.
c_ko=$(bash "$PROJECT_ROOT/scripts/driver.sh" reference)
if aarch64-linux-gnu-nm "$rust_ko" | grep -qi kunit; then
	die "$rust_ko still has KUnit symbols: --cfg rpi_wdt_without_kunit did not take"
fi
for what in text data rodata; do
	r=$(section_bytes "$rust_ko" "^\\.$what")
	c=$(section_bytes "$c_ko" "^\\.$what")
	record "size_${what}_rust_bytes" "$r" B
	record "size_${what}_c_bytes" "$c" B
	[ "$c" -gt 0 ] && record "size_${what}_ratio_rust_over_c" "$(awk -v a="$r" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" x
done
# Rust keeps its constant tables (operations, info, ids) in .rodata where C has them in .data: the sum is
# the fairer single figure.
r=$(section_bytes "$rust_ko" '^\.(text|data|rodata)'); c=$(section_bytes "$c_ko" '^\.(text|data|rodata)')
record size_text_data_rodata_rust_bytes "$r" B
record size_text_data_rodata_c_bytes "$c" B
record size_text_data_rodata_ratio_rust_over_c "$(awk -v a="$r" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" x
r=$(stat -c %s "$rust_ko"); c=$(stat -c %s "$c_ko")
record size_ko_rust_bytes "$r" B
record size_ko_c_bytes "$c" B
record size_ko_ratio_rust_over_c "$(awk -v a="$r" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" x
if [ "$only" = sizes ]; then
	printf '\n%-48s %14s %s\n' figure value unit
	printf '%s\n' "${rows[@]}"
	exit 0
fi

mkdir -p "$out"
log "edit cycle: touch driver/rpi_wdt/wdt.rs, rebuild the module and the rootfs"
touch "$PROJECT_ROOT/driver/rpi_wdt/wdt.rs"
t0=$(date +%s.%N)
bash "$PROJECT_ROOT/scripts/driver.sh" build >/dev/null
t1=$(date +%s.%N)
make -s -C "$PROJECT_ROOT" rootfs >/dev/null
t2=$(date +%s.%N)
record build_module_after_edit_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" s
record build_rootfs_after_edit_s "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')" s
if [ -e "$kbuild/.rpi-wdt-build-seconds" ]; then
	record build_kernel_fresh_s "$(cat "$kbuild/.rpi-wdt-build-seconds")" s \
		"(recorded $(date -r "$kbuild/.rpi-wdt-build-seconds" +%F) when this cached build was made)"
fi

log "QEMU: ioctl latency and boot to driver ready (raspi3b, raspi4b)"
"$PROJECT_ROOT/target/release/rpi-wdt-systest" --suite bench --board rpi3 --board rpi4 \
	--initramfs "$PROJECT_ROOT/out/initramfs.cpio.gz" --results "$out" | tee "$out/qemu.log"
while IFS= read -r line; do
	rec=${line#\# bench-json }
	board=$(sed -n 's/.*"board":"\([^"]*\)".*/\1/p' <<<"$rec")
	name=$(sed -n 's/.*"name":"\([^"]*\)","value".*/\1/p' <<<"$rec")
	case "$name" in
	boot_to_driver_ready_s)
		record "${board}_boot_to_driver_ready_s" "$(sed -n 's/.*"value":\([0-9.]*\).*/\1/p' <<<"$rec")" s ;;
	latency_*)
		for stat in median_ns p99_ns; do
			v=$(sed -n "s/.*\"$stat\":\([0-9]*\).*/\1/p" <<<"$rec")
			[ -n "$v" ] && record "${board}_${name#latency_}_${stat}" "$v" ns
		done ;;
	esac
done < <(grep '^# bench-json ' "$out/qemu.log")
for board in rpi3 rpi4; do
	for ioctl in gettimeout keepalive; do
		for stat in median_ns p99_ns; do
			r=$(printf '%s\n' "${records[@]}" | sed -n "s/.*\"${board}_rpi_wdt_${ioctl}_${stat}\",\"value\":\([0-9]*\).*/\1/p")
			c=$(printf '%s\n' "${records[@]}" | sed -n "s/.*\"${board}_softdog_${ioctl}_${stat}\",\"value\":\([0-9]*\).*/\1/p")
			[ -n "$r" ] && [ -n "$c" ] && record "${board}_${ioctl}_${stat%_ns}_ratio_rust_over_softdog" \
				"$(awk -v a="$r" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" x
		done
	done
done
boot3=$(printf '%s\n' "${records[@]}" | sed -n 's/.*"rpi3_boot_to_driver_ready_s","value":\([0-9.]*\).*/\1/p')
module=$(printf '%s\n' "${records[@]}" | sed -n 's/.*"build_module_after_edit_s","value":\([0-9.]*\).*/\1/p')
rootfs=$(printf '%s\n' "${records[@]}" | sed -n 's/.*"build_rootfs_after_edit_s","value":\([0-9.]*\).*/\1/p')
[ -n "$boot3" ] && record edit_build_test_cycle_s "$(awk -v a="$module" -v b="$rootfs" -v c="$boot3" 'BEGIN { printf "%.1f", a + b + c }')" s \
	"module + rootfs + boot to driver ready"

{
	echo "{\"date\":\"$(date -u +%FT%TZ)\",\"kernel\":\"$(cat "$kbuild/include/config/kernel.release")\","
	echo "\"qemu\":\"$(bash "$PROJECT_ROOT/scripts/qemu.sh" --which | tail -n1)\",\"figures\":["
	printf '%s\n' "${records[@]}" | paste -sd, -
	echo "]}"
} > "$json"
printf '\n%-48s %14s %s\n' figure value unit
printf '%s\n' "${rows[@]}"
echo
echo "written: $json"
