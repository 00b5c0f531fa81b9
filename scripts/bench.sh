#!/usr/bin/env bash
# make bench: measures, prints a table and writes out/bench/bench.json.
#   sizes     rpi_wdt.ko (built without its KUnit suite, as in a product kernel) against the in-tree C
#             bcm2835_wdt.c built as a module from the same (patched) kernel tree: both drive the same
#             registers on the kernel's watchdog core, so this is like for like: .text, .data, .rodata, .ko
#             maxim_rtc.ko the same way against the in-tree C rtc-ds1307.c (the chips' usual driver)
#   latency   ioctl round trips in one QEMU boot (median, p99), rpi_wdt's /dev/watchdogN against
#             softdog's (C, the same watchdog core), each found by its sysfs identity: WDIOC_GETTIMEOUT
#             (the core answers it alone) and WDIOC_KEEPALIVE (reaches the driver); and RTC_RD_TIME on
#             maxim_rtc's /dev/rtcN against rtc-ds1307's, on two DS1338 models on the same I2C bus
#   boot      kernel time when rpi_wdt finished probing (its watchdog registered), raspi3b and raspi4b
#   build     the fresh kernel build (recorded when the cached build was made), and the edit cycle
#             after touching one driver file: module rebuild + rootfs rebuild + boot to driver ready
# Everything is measured on the bench kernel (RPI_WDT_KERNEL=bench, scripts/kernel.sh): the product
# configuration without the test kernel's lockdep, UBSAN and other debug options, which a board does not
# run. The first make bench builds it (576 s here, against the test kernel's 766 s), with its own modules and
# initramfs (out/bench/initramfs.cpio); make test never boots it.
# Usage: bench.sh [sizes]   (sizes: only the module builds and their sizes, printed, no bench.json)
source "$(dirname "$0")/lib.sh"
export RPI_WDT_KERNEL=bench

only=${1:-all}
case "$only" in all | sizes) ;; *) die "usage: $0 [sizes]" ;; esac

out="$PROJECT_ROOT/out/bench"
initramfs="$out/initramfs.cpio"
# The bench kernel, its modules and a rootfs of them.
mkdir -p "$out"
make -s -C "$PROJECT_ROOT" rootfs INITRAMFS="$initramfs" >/dev/null || die "the bench kernel's rootfs build failed"
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Records the sizes of a Rust module built without its KUnit suite against a C module, under PREFIX.
compare_sizes() { # prefix module c_ko
	local prefix=$1 module=$2 c_ko=$3 rust_out rust_ko what r c
	rust_out="$kbuild/bench-$module-nokunit"
	mkdir -p "$rust_out"
	module_make "$PROJECT_ROOT/driver/$module" "$rust_out" KRUSTFLAGS="--cfg ${module}_without_kunit"
	rust_ko="$rust_out/$module.ko"
	if aarch64-linux-gnu-nm "$rust_ko" | grep -qi kunit; then
		die "$rust_ko still has KUnit symbols: --cfg ${module}_without_kunit did not take"
	fi
	for what in text data rodata; do
		r=$(section_bytes "$rust_ko" "^\\.$what")
		c=$(section_bytes "$c_ko" "^\\.$what")
		record "${prefix}size_${what}_rust_bytes" "$r" B
		record "${prefix}size_${what}_c_bytes" "$c" B
		[ "$c" -gt 0 ] && record "${prefix}size_${what}_ratio_rust_over_c" "$(ratio "$r" "$c")" x
	done
	# Rust keeps its constant tables (operations, info, ids) in .rodata where C has them in .data: the
	# sum is the fairer single figure.
	r=$(section_bytes "$rust_ko" '^\.(text|data|rodata)'); c=$(section_bytes "$c_ko" '^\.(text|data|rodata)')
	record "${prefix}size_text_data_rodata_rust_bytes" "$r" B
	record "${prefix}size_text_data_rodata_c_bytes" "$c" B
	record "${prefix}size_text_data_rodata_ratio_rust_over_c" "$(ratio "$r" "$c")" x
	r=$(stat -c %s "$rust_ko"); c=$(stat -c %s "$c_ko")
	record "${prefix}size_ko_rust_bytes" "$r" B
	record "${prefix}size_ko_c_bytes" "$c" B
	record "${prefix}size_ko_ratio_rust_over_c" "$(ratio "$r" "$c")" x
}

# The same reference builds the rootfs and the differential test use.
references=$(bash "$PROJECT_ROOT/scripts/driver.sh" reference) || die "the C reference drivers' build failed"
log "sizes: rpi_wdt without KUnit vs C bcm2835_wdt from the same tree"
compare_sizes "" rpi_wdt "$(grep '/bcm2835_wdt.ko$' <<<"$references")"
# rtc-ds1307 drives twelve chips (and, with the kernel's watchdog core and common clock framework
# here, the DS1388's watchdog and the DS3231's clock outputs); regmap-i2c, which it needs, is not
# counted.
log "sizes: maxim_rtc without KUnit vs C rtc-ds1307 from the same tree"
compare_sizes rtc_ maxim_rtc "$(grep '/rtc-ds1307.ko$' <<<"$references")"
if [ "$only" = sizes ]; then
	printf '\n%-48s %14s %s\n' figure value unit
	printf '%s\n' "${rows[@]}"
	exit 0
fi

log "edit cycle: touch driver/rpi_wdt/wdt.rs, rebuild the module and the rootfs"
touch "$PROJECT_ROOT/driver/rpi_wdt/wdt.rs"
t0=$(date +%s.%N)
bash "$PROJECT_ROOT/scripts/driver.sh" build >/dev/null
t1=$(date +%s.%N)
make -s -C "$PROJECT_ROOT" rootfs INITRAMFS="$initramfs" >/dev/null
t2=$(date +%s.%N)
record build_module_after_edit_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" s
record build_rootfs_after_edit_s "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')" s
if [ -e "$kbuild/.rpi-wdt-build-seconds" ]; then
	record build_kernel_fresh_s "$(cat "$kbuild/.rpi-wdt-build-seconds")" s \
		"(recorded $(date -r "$kbuild/.rpi-wdt-build-seconds" +%F) when this cached build was made)"
fi

log "QEMU: ioctl latency and boot to driver ready (raspi3b, raspi4b)"
"$PROJECT_ROOT/target/release/rpi-wdt-systest" --suite bench --board rpi3 --board rpi4 \
	--initramfs "$initramfs" --results "$out" | tee "$out/qemu.log"
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
value_of() { printf '%s\n' "${records[@]}" | sed -n "s/.*\"$1\",\"value\":\([0-9.]*\).*/\1/p"; }
for board in rpi3 rpi4; do
	for stat in median_ns p99_ns; do
		for ioctl in gettimeout keepalive; do
			r=$(value_of "${board}_rpi_wdt_${ioctl}_${stat}"); c=$(value_of "${board}_softdog_${ioctl}_${stat}")
			[ -n "$r" ] && [ -n "$c" ] && record "${board}_${ioctl}_${stat%_ns}_ratio_rust_over_softdog" "$(ratio "$r" "$c")" x
		done
		r=$(value_of "${board}_maxim_rtc_rd_time_${stat}"); c=$(value_of "${board}_rtc_ds1307_rd_time_${stat}")
		[ -n "$r" ] && [ -n "$c" ] && record "${board}_rtc_rd_time_${stat%_ns}_ratio_rust_over_c" "$(ratio "$r" "$c")" x
	done
done
boot3=$(value_of rpi3_boot_to_driver_ready_s)
module=$(value_of build_module_after_edit_s)
rootfs=$(value_of build_rootfs_after_edit_s)
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
