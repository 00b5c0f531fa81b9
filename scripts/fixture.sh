#!/usr/bin/env bash
# Builds the HIL fixture's RP2040 firmware (fixture/firmware) for thumbv6m-none-eabi with the project's
# toolchain: Debian's rustc with its library sources (core built with -Zbuild-std, hence
# RUSTC_BOOTSTRAP=1), linked by lld 19. CI runs it as a build check; flashing needs a probe (see
# fixture/firmware/README.md). Prints the firmware's path.
source "$(dirname "$0")/lib.sh"

dir="$PROJECT_ROOT/fixture/firmware"
command -v ld.lld-19 >/dev/null || die "ld.lld-19 not found: run 'make setup' (package lld-19)"
(cd "$dir" && RUSTC="$KERNEL_RUSTC" RUSTC_BOOTSTRAP=1 cargo build --quiet --release --locked) ||
	die "fixture firmware build failed (errors above)"
elf="$dir/target/thumbv6m-none-eabi/release/rpi-wdt-fixture"
file "$elf" | grep -q 'ELF 32-bit LSB executable, ARM' || die "$elf is not an ARM executable"
echo "$elf"
