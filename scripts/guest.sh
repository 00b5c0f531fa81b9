#!/usr/bin/env bash
# Builds the static guest test programs that run inside QEMU (or on a board):
#   out/guest/rpi-wdt-abi-check       aarch64
#   out/guest/rpi-wdt-abi-check32     32-bit ARM (armhf), for the compat ioctl path
#   out/guest/rpi-wdt-run-as          runs a command as an unprivileged user (busybox has no su)
#   out/guest/watchdog-test           the kernel's tools/testing/selftests/watchdog/watchdog-test.c
#   out/guest/rpi-wdt-reliability     ioctl fuzzer and multi-threaded stress (reliability suite)
#   out/guest/rpi-wdt-bench           ioctl latency (make bench)
#   out/guest/rpi-rtc-check           the RTC class's ABI on /dev/rtcN (invalid times included)
#   out/guest/rpi-rtc-fuzz            ioctl fuzzer for /dev/rtcN (reliability suite)
# Prints the programs' paths, one per line.
source "$(dirname "$0")/lib.sh"

OUT="$PROJECT_ROOT/out"
mkdir -p "$OUT/guest"

# The watchdog ABI comes from the toolchains' own <linux/watchdog.h> (the kernel's uapi header).
cflags=(-static -O2 -Wall -Wextra -Werror)
aarch64-linux-gnu-gcc "${cflags[@]}" -o "$OUT/guest/rpi-wdt-abi-check" "$PROJECT_ROOT/tests/guest/abi_check.c" ||
	die "aarch64 build of abi_check.c failed"
arm-linux-gnueabihf-gcc "${cflags[@]}" -o "$OUT/guest/rpi-wdt-abi-check32" "$PROJECT_ROOT/tests/guest/abi_check.c" ||
	die "armhf build of abi_check.c failed (is gcc-arm-linux-gnueabihf installed? run 'make setup')"
# The kernel's own watchdog ABI conformance program, unchanged.
aarch64-linux-gnu-gcc -static -O2 -o "$OUT/guest/watchdog-test" \
	"$(kernel_src_dir)/tools/testing/selftests/watchdog/watchdog-test.c" || die "watchdog-test build failed"
aarch64-linux-gnu-gcc "${cflags[@]}" -pthread -o "$OUT/guest/rpi-wdt-reliability" "$PROJECT_ROOT/tests/guest/reliability.c" ||
	die "aarch64 build of reliability.c failed"
aarch64-linux-gnu-gcc "${cflags[@]}" -o "$OUT/guest/rpi-wdt-bench" "$PROJECT_ROOT/tests/guest/bench.c" ||
	die "aarch64 build of bench.c failed"
aarch64-linux-gnu-gcc "${cflags[@]}" -o "$OUT/guest/rpi-wdt-run-as" "$PROJECT_ROOT/tests/guest/run_as.c" ||
	die "aarch64 build of run_as.c failed"
aarch64-linux-gnu-gcc "${cflags[@]}" -o "$OUT/guest/rpi-rtc-check" "$PROJECT_ROOT/tests/guest/rtc_check.c" ||
	die "aarch64 build of rtc_check.c failed"
aarch64-linux-gnu-gcc "${cflags[@]}" -o "$OUT/guest/rpi-rtc-fuzz" "$PROJECT_ROOT/tests/guest/rtc_fuzz.c" ||
	die "aarch64 build of rtc_fuzz.c failed"
echo "$OUT/guest/rpi-wdt-abi-check"
echo "$OUT/guest/rpi-wdt-abi-check32"
echo "$OUT/guest/rpi-wdt-run-as"
echo "$OUT/guest/watchdog-test"
echo "$OUT/guest/rpi-wdt-reliability"
echo "$OUT/guest/rpi-wdt-bench"
echo "$OUT/guest/rpi-rtc-check"
echo "$OUT/guest/rpi-rtc-fuzz"
